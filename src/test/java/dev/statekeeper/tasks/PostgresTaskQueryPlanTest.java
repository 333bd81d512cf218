package dev.statekeeper.tasks;

import dev.statekeeper.support.StoreKind;

class PostgresTaskQueryPlanTest extends TaskQueryPlanContract {
  @Override
  StoreKind kind() {
    return StoreKind.POSTGRES;
  }
}
