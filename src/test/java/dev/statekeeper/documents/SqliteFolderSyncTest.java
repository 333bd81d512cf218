package dev.statekeeper.documents;

import dev.statekeeper.support.StoreKind;

class SqliteFolderSyncTest extends FolderSyncContract {
  @Override
  StoreKind kind() {
    return StoreKind.SQLITE;
  }
}
