package dev.statekeeper.sessions;

import dev.statekeeper.support.StoreKind;

class PostgresSessionStoreTest extends SessionStoreContract {
  @Override
  StoreKind kind() {
    return StoreKind.POSTGRES;
  }
}
