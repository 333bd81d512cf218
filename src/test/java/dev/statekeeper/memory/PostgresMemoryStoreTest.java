package dev.statekeeper.memory;

import dev.statekeeper.support.StoreKind;

class PostgresMemoryStoreTest extends MemoryStoreContract {
  @Override
  StoreKind kind() {
    return StoreKind.POSTGRES;
  }
}
