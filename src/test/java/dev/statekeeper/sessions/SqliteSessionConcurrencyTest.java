package dev.statekeeper.sessions;

import dev.statekeeper.support.StoreKind;

class SqliteSessionConcurrencyTest extends SessionConcurrencyContract {
  @Override
  StoreKind kind() {
    return StoreKind.SQLITE;
  }
}
