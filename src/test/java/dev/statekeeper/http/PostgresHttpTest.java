package dev.statekeeper.http;

import dev.statekeeper.support.StoreKind;

class PostgresHttpTest extends HttpContract {
  @Override
  StoreKind kind() {
    return StoreKind.POSTGRES;
  }
}
