package dev.statekeeper.tasks;

import dev.statekeeper.support.StoreKind;

class SqliteTaskQueryPlanTest extends TaskQueryPlanContract {
  @Override
  StoreKind kind() {
    return StoreKind.SQLITE;
  }
}
