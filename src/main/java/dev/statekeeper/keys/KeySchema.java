package dev.statekeeper.keys;

import static dev.statekeeper.store.Schema.column;

import dev.statekeeper.store.Schema;
import dev.statekeeper.store.Schema.Table;
import dev.statekeeper.store.Schema.Type;
import java.util.List;

/** The tables of API keys, for backups and verify. */
public final class KeySchema {

  private KeySchema() {}

  public static final Schema SCHEMA = new Schema(
      List.of(new Table("api_keys", List.of(
              column("id", Type.TEXT), column("tenant", Type.TEXT), column("subject", Type.TEXT), column("role", Type.TEXT),
              column("secret_hash", Type.BYTES), column("created_at", Type.TIME), column("revoked_at", Type.TIME)),
          List.of("id"), null)),
      List.of(),
      List.of(new Schema.Invariant("no valid root key (make one: statekeeper keys create --role root)",
          "SELECT CASE WHEN COUNT(*) = 0 THEN 1 ELSE 0 END FROM api_keys WHERE role = 'root' AND revoked_at IS NULL")));
}
