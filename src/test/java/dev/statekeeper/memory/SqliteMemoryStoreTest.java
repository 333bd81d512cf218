package dev.statekeeper.memory;

import dev.statekeeper.support.StoreKind;

class SqliteMemoryStoreTest extends MemoryStoreContract {
  @Override
  StoreKind kind() {
    return StoreKind.SQLITE;
  }
}
