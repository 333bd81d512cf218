package dev.statekeeper.memory;

import dev.statekeeper.support.StoreKind;

class PostgresMemoryRetentionTest extends MemoryRetentionContract {
  @Override
  StoreKind kind() {
    return StoreKind.POSTGRES;
  }
}
