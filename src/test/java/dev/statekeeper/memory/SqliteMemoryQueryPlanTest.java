package dev.statekeeper.memory;

import dev.statekeeper.support.StoreKind;

class SqliteMemoryQueryPlanTest extends MemoryQueryPlanContract {
  @Override
  StoreKind kind() {
    return StoreKind.SQLITE;
  }
}
