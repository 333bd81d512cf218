package dev.statekeeper.documents;

import dev.statekeeper.support.StoreKind;

class PostgresFolderSyncTest extends FolderSyncContract {
  @Override
  StoreKind kind() {
    return StoreKind.POSTGRES;
  }
}
