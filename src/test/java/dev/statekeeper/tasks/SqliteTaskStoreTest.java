package dev.statekeeper.tasks;

import dev.statekeeper.support.StoreKind;

class SqliteTaskStoreTest extends TaskStoreContract {
  @Override
  StoreKind kind() {
    return StoreKind.SQLITE;
  }
}
