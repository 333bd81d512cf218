package dev.statekeeper.documents;

import dev.statekeeper.support.StoreKind;

class PostgresDocumentStoreTest extends DocumentStoreContract {
  @Override
  StoreKind kind() {
    return StoreKind.POSTGRES;
  }
}
