package dev.statekeeper.documents;

import dev.statekeeper.support.StoreKind;

class SqliteDocumentStoreTest extends DocumentStoreContract {
  @Override
  StoreKind kind() {
    return StoreKind.SQLITE;
  }
}
