package dev.statekeeper.http;

import dev.statekeeper.support.StoreKind;

class SqliteHttpTest extends HttpContract {
  @Override
  StoreKind kind() {
    return StoreKind.SQLITE;
  }
}
