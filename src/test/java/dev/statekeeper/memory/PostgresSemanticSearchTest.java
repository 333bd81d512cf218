package dev.statekeeper.memory;

import dev.statekeeper.support.StoreKind;

class PostgresSemanticSearchTest extends SemanticSearchContract {
  @Override
  StoreKind kind() {
    return StoreKind.POSTGRES;
  }
}
