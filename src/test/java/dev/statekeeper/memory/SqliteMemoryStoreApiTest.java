package dev.statekeeper.memory;

import dev.statekeeper.support.StoreKind;

class SqliteMemoryStoreApiTest extends MemoryStoreApiContract {
  @Override
  StoreKind kind() {
    return StoreKind.SQLITE;
  }
}
