package dev.statekeeper.memory;

import dev.statekeeper.support.StoreKind;

class PostgresMemoryQueryPlanTest extends MemoryQueryPlanContract {
  @Override
  StoreKind kind() {
    return StoreKind.POSTGRES;
  }
}
