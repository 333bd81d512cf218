package dev.statekeeper.access;

import static dev.statekeeper.store.Schema.column;

import dev.statekeeper.store.Schema;
import dev.statekeeper.store.Schema.Invariant;
import dev.statekeeper.store.Schema.Table;
import dev.statekeeper.store.Schema.Type;
import java.util.List;

/**
 * The tables of access: grants and the epoch every grant change bumps. Backups carry both:
 * without them an agent loses access to what it owns after a restore, and a forced restore would
 * keep the replaced store's grants over the restored rows.
 */
public final class AccessSchema {

  private AccessSchema() {}

  public static final Schema SCHEMA = new Schema(
      List.of(
          new Table("access_grants", List.of(
                  column("tenant", Type.TEXT), column("resource", Type.TEXT), column("relation", Type.TEXT),
                  column("subject", Type.TEXT), column("created_at", Type.TIME)),
              List.of("tenant", "resource", "relation", "subject"), null),
          new Table("access_epochs", List.of(column("tenant", Type.TEXT), column("epoch", Type.INTEGER)), List.of("tenant"), null)),
      List.of(),
      List.of(new Invariant("tenants with grants but no access epoch",
          "SELECT COUNT(DISTINCT g.tenant) FROM access_grants g WHERE NOT EXISTS "
              + "(SELECT 1 FROM access_epochs e WHERE e.tenant = g.tenant)")));
}
