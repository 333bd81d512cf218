package dev.statekeeper.sessions;

import dev.statekeeper.support.StoreKind;

class SqliteSessionStoreTest extends SessionStoreContract {
  @Override
  StoreKind kind() {
    return StoreKind.SQLITE;
  }
}
