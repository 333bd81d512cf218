package dev.statekeeper.memory;

import dev.statekeeper.support.StoreKind;

class PostgresEmbeddingWorkerTest extends EmbeddingWorkerContract {
  @Override
  StoreKind kind() {
    return StoreKind.POSTGRES;
  }
}
