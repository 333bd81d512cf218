package dev.statekeeper.sessions;

import dev.statekeeper.support.StoreKind;

class PostgresSessionConcurrencyTest extends SessionConcurrencyContract {
  @Override
  StoreKind kind() {
    return StoreKind.POSTGRES;
  }
}
