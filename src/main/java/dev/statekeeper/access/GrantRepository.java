package dev.statekeeper.access;

import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/** The SQL of grants and epochs; the same statements on both stores. */
final class GrantRepository {

  private final Store store;
  private final Dialect d;

  GrantRepository(Store store) {
    this.store = store;
    this.d = store.dialect();
  }

  /** Adds a grant (no-op when present) and returns the tenant's new epoch. */
  long add(String tenant, Grant g) {
    return store.write("granting " + g, c -> add(c, tenant, g));
  }

  /** {@link #add(String, Grant)} inside the caller's transaction {@code c}. */
  long add(Connection c, String tenant, Grant g) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO access_grants (tenant, resource, relation, subject, created_at) VALUES (?, ?, ?, ?, "
            + d.now() + ") ON CONFLICT (tenant, resource, relation, subject) DO NOTHING")) {
      SqlArgs.bind(ps, d, tenant, g.resource(), g.relation().wireName(), g.subject());
      ps.executeUpdate();
    }
    return bump(c, tenant);
  }

  /**
   * Removes every grant on {@code resource} (with {@code subtree}, also on the resources whose
   * name continues it after a {@code :}) inside the caller's transaction {@code c}; returns the
   * tenant's new epoch, or -1 when there was none. Compared with {@code substr}, not {@code LIKE}
   * (names hold {@code _}, and SQLite's LIKE ignores case) nor a range (PostgreSQL compares
   * {@code text} by the database's collation).
   */
  long removeOn(Connection c, String tenant, String resource, boolean subtree) throws SQLException {
    String below = resource + ":";
    String sql = "DELETE FROM access_grants WHERE tenant = ? AND (resource = ?"
        + (subtree ? " OR substr(resource, 1, ?) = ?" : "") + ")";
    int n;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (subtree) {
        SqlArgs.bind(ps, d, tenant, resource, below.length(), below);
      } else {
        SqlArgs.bind(ps, d, tenant, resource);
      }
      n = ps.executeUpdate();
    }
    return n == 0 ? -1L : bump(c, tenant);
  }

  /** Removes a grant; returns the new epoch, or -1 when there was no such grant. */
  long remove(String tenant, Grant g) {
    return store.write(
        "revoking " + g,
        c -> {
          int n;
          try (PreparedStatement ps = c.prepareStatement(
              "DELETE FROM access_grants WHERE tenant = ? AND resource = ? AND relation = ? AND subject = ?")) {
            SqlArgs.bind(ps, d, tenant, g.resource(), g.relation().wireName(), g.subject());
            n = ps.executeUpdate();
          }
          return n == 0 ? -1L : bump(c, tenant);
        });
  }

  private long bump(Connection c, String tenant) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO access_epochs (tenant, epoch) VALUES (?, 1) ON CONFLICT (tenant) "
            + "DO UPDATE SET epoch = access_epochs.epoch + 1 RETURNING epoch")) {
      SqlArgs.bind(ps, d, tenant);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** This store's identity (migration V9; a restore gives it a new one). */
  String storeIdentity() {
    return store.read(
        "reading the store identity",
        c -> {
          try (PreparedStatement ps = c.prepareStatement("SELECT id FROM store_identity");
              ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              throw new IllegalStateException("store_identity has no row, which indicates a bug in migration V9");
            }
            return rs.getString(1);
          }
        });
  }

  long epoch(String tenant) {
    return store.read(
        "reading the access epoch",
        c -> {
          try (PreparedStatement ps = c.prepareStatement("SELECT epoch FROM access_epochs WHERE tenant = ?")) {
            SqlArgs.bind(ps, d, tenant);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? rs.getLong(1) : 0L;
            }
          }
        });
  }

  List<Grant> list(String tenant, String resource, String subject) {
    StringBuilder sql = new StringBuilder("SELECT resource, relation, subject FROM access_grants WHERE tenant = ?");
    List<Object> args = new ArrayList<>(List.of(tenant));
    if (resource != null) {
      sql.append(" AND resource = ?");
      args.add(resource);
    }
    if (subject != null) {
      sql.append(" AND subject = ?");
      args.add(subject);
    }
    sql.append(" ORDER BY resource, relation, subject LIMIT 10000");
    return store.read("listing grants", c -> query(c, sql.toString(), args));
  }

  /** Teams the subject is a member of (names, without {@code team:}). */
  List<String> teams(String tenant, String subject) {
    return store.read(
        "reading team memberships",
        c -> {
          List<String> out = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement(
              "SELECT resource FROM access_grants WHERE tenant = ? AND subject = ? AND relation = 'member'")) {
            SqlArgs.bind(ps, d, tenant, subject);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) out.add(rs.getString(1).substring("team:".length()));
            }
          }
          return out;
        });
  }

  /** Grants on any of {@code resources} to any of {@code subjects}. */
  List<Grant> matching(String tenant, Collection<String> resources, Collection<String> subjects) {
    String sql =
        "SELECT resource, relation, subject FROM access_grants WHERE tenant = ? AND resource IN ("
            + String.join(", ", Collections.nCopies(resources.size(), "?")) + ") AND subject IN ("
            + String.join(", ", Collections.nCopies(subjects.size(), "?")) + ")";
    List<Object> args = new ArrayList<>();
    args.add(tenant);
    args.addAll(resources);
    args.addAll(subjects);
    return store.read("checking access", c -> query(c, sql, args));
  }

  /** Grants that let any of {@code subjects} read resources of {@code type}. */
  List<Grant> readableOfType(String tenant, String type, Collection<String> subjects) {
    String sql =
        "SELECT resource, relation, subject FROM access_grants WHERE tenant = ? AND resource LIKE ?"
            + " AND relation IN ('owner', 'editor', 'viewer') AND subject IN ("
            + String.join(", ", Collections.nCopies(subjects.size(), "?")) + ")";
    List<Object> args = new ArrayList<>();
    args.add(tenant);
    args.add(type + ":%"); // types are plain words: no LIKE wildcards to escape
    args.addAll(subjects);
    return store.read("listing readable resources", c -> query(c, sql, args));
  }

  private List<Grant> query(Connection c, String sql, List<Object> args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      SqlArgs.bind(ps, d, args);
      try (ResultSet rs = ps.executeQuery()) {
        List<Grant> out = new ArrayList<>();
        while (rs.next()) {
          out.add(new Grant(rs.getString(1), Relation.parse(rs.getString(2)), rs.getString(3)));
        }
        return out;
      }
    }
  }
}
