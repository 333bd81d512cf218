package dev.statekeeper.audit;

import static dev.statekeeper.store.Schema.column;

import dev.statekeeper.store.Schema;
import dev.statekeeper.store.Schema.Table;
import dev.statekeeper.store.Schema.Type;
import java.util.List;

/** The audit log's table, for backups: a restored store keeps the record of what was removed before. */
public final class AuditSchema {

  private AuditSchema() {}

  public static final Schema SCHEMA = new Schema(
      List.of(new Table("audit_log", List.of(
              column("id", Type.INTEGER), column("tenant", Type.TEXT), column("at", Type.TIME), column("actor", Type.TEXT),
              column("action", Type.TEXT), column("target", Type.TEXT), column("detail", Type.JSON)),
          List.of("id"), "id")),
      List.of(),
      List.of());
}
