package dev.statekeeper.tasks;

import dev.statekeeper.support.StoreKind;

class PostgresTaskStoreTest extends TaskStoreContract {
  @Override
  StoreKind kind() {
    return StoreKind.POSTGRES;
  }
}
