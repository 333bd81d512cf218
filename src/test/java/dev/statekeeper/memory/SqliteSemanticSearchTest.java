package dev.statekeeper.memory;

import dev.statekeeper.support.StoreKind;

class SqliteSemanticSearchTest extends SemanticSearchContract {
  @Override
  StoreKind kind() {
    return StoreKind.SQLITE;
  }
}
