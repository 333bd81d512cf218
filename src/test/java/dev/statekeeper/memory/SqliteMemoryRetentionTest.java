package dev.statekeeper.memory;

import dev.statekeeper.support.StoreKind;

class SqliteMemoryRetentionTest extends MemoryRetentionContract {
  @Override
  StoreKind kind() {
    return StoreKind.SQLITE;
  }
}
