package dev.statekeeper.tasks;

import dev.statekeeper.support.StoreKind;

class PostgresTaskConcurrencyTest extends TaskConcurrencyContract {
  @Override
  StoreKind kind() {
    return StoreKind.POSTGRES;
  }
}
