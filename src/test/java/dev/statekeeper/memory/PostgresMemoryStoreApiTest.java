package dev.statekeeper.memory;

import dev.statekeeper.support.StoreKind;

class PostgresMemoryStoreApiTest extends MemoryStoreApiContract {
  @Override
  StoreKind kind() {
    return StoreKind.POSTGRES;
  }
}
