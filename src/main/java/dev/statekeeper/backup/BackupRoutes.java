package dev.statekeeper.backup;

import dev.statekeeper.Role;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.http.Requests;
import dev.statekeeper.http.Routes;
import io.javalin.http.Context;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code /v1/admin}: operations on the whole store, for root keys only. */
final class BackupRoutes {

  private final Backups backups;

  BackupRoutes(Backups backups) {
    this.backups = backups;
  }

  void register(Routes r) {
    r.post("/v1/admin/backups", this::backup);
  }

  private void backup(Context ctx) {
    if (Requests.caller(ctx).role() != Role.ROOT) {
      throw new StatekeeperException.Forbidden("root_required", "a backup covers every tenant: only root keys take one");
    }
    Path dir = backups.backupNow();
    Manifest m;
    try {
      m = Manifest.read(dir);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("path", dir.toAbsolutePath().toString());
    body.put("created_at", m.createdAt());
    body.put("schema_version", m.schemaVersion());
    body.put("tables", m.tables());
    Requests.json(ctx, 201, body);
  }
}
