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
import java.util.List;

/** Runs the statements of {@link GrantSql}: grants, epochs, the store identity. */
final class GrantRepository {

  private final Store store;
  private final Dialect d;
  private final GrantSql sql;

  GrantRepository(Store store) {
    this.store = store;
    this.d = store.dialect();
    this.sql = GrantSql.of(d);
  }

  /** Adds a grant (no-op when present) and returns the tenant's new epoch. */
  long add(String tenant, Grant g) {
    return store.write("granting " + g, c -> add(c, tenant, g));
  }

  /** {@link #add(String, Grant)} inside the caller's transaction {@code c}. */
  long add(Connection c, String tenant, Grant g) throws SQLException {
    update(c, sql.insert(), tenant, g.resource(), g.relation().wireName(), g.subject());
    return bump(c, tenant);
  }

  /** Removes a grant; returns the new epoch, or -1 when there was no such grant. */
  long remove(String tenant, Grant g) {
    return store.write(
        "revoking " + g,
        c -> update(c, sql.delete(), tenant, g.resource(), g.relation().wireName(), g.subject()) == 0 ? -1L : bump(c, tenant));
  }

  /**
   * Removes every grant on {@code resource} (with {@code subtree}, also on the resources whose
   * name continues it after a {@code :}) inside the caller's transaction {@code c}; returns the
   * tenant's new epoch, or -1 when there was none.
   */
  long removeOn(Connection c, String tenant, String resource, boolean subtree) throws SQLException {
    String below = resource + ":";
    int n = subtree
        ? update(c, sql.deleteOnAndBelow(), tenant, resource, below.length(), below)
        : update(c, sql.deleteOn(), tenant, resource);
    return n == 0 ? -1L : bump(c, tenant);
  }

  private long bump(Connection c, String tenant) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.bumpEpoch())) {
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
          try (PreparedStatement ps = c.prepareStatement(sql.storeIdentity());
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
          try (PreparedStatement ps = c.prepareStatement(sql.epoch())) {
            SqlArgs.bind(ps, d, tenant);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? rs.getLong(1) : 0L;
            }
          }
        });
  }

  List<Grant> list(String tenant, String resource, String subject) {
    return store.read("listing grants", c -> query(c, sql.list(), tenant, resource, resource, subject, subject));
  }

  /** Teams the subject is a member of (names, without {@code team:}). */
  List<String> teams(String tenant, String subject) {
    return store.read(
        "reading team memberships",
        c -> {
          List<String> out = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement(sql.teams())) {
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
    return store.read("checking access", c -> query(c, sql.matching(), tenant, SqlArgs.list(resources), SqlArgs.list(subjects)));
  }

  /** Grants that let any of {@code subjects} read resources of {@code type}. */
  List<Grant> readableOfType(String tenant, String type, Collection<String> subjects) {
    // types are plain words: no LIKE wildcards to escape
    return store.read("listing readable resources", c -> query(c, sql.readableOfType(), tenant, type + ":%", SqlArgs.list(subjects)));
  }

  private int update(Connection c, String statement, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(statement)) {
      SqlArgs.bind(ps, d, args);
      return ps.executeUpdate();
    }
  }

  private List<Grant> query(Connection c, String statement, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(statement)) {
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
