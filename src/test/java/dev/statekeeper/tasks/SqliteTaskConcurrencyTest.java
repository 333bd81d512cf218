package dev.statekeeper.tasks;

import dev.statekeeper.support.StoreKind;

class SqliteTaskConcurrencyTest extends TaskConcurrencyContract {
  @Override
  StoreKind kind() {
    return StoreKind.SQLITE;
  }
}
