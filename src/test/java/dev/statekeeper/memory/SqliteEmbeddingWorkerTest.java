package dev.statekeeper.memory;

import dev.statekeeper.support.StoreKind;

class SqliteEmbeddingWorkerTest extends EmbeddingWorkerContract {
  @Override
  StoreKind kind() {
    return StoreKind.SQLITE;
  }
}
