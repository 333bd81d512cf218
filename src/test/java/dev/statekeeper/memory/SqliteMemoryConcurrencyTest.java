package dev.statekeeper.memory;

import dev.statekeeper.support.StoreKind;

class SqliteMemoryConcurrencyTest extends MemoryConcurrencyContract {
  @Override
  StoreKind kind() {
    return StoreKind.SQLITE;
  }
}
