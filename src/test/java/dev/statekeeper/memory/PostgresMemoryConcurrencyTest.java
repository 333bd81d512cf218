package dev.statekeeper.memory;

import dev.statekeeper.support.StoreKind;

class PostgresMemoryConcurrencyTest extends MemoryConcurrencyContract {
  @Override
  StoreKind kind() {
    return StoreKind.POSTGRES;
  }
}
