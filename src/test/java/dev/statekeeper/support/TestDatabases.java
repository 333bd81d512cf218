package dev.statekeeper.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The machine's PostgreSQL for tests. Each test JVM gets a database of its own ({@code
 * sk_test_<epoch>_<random>}), created on first use and dropped when the JVM exits, so runs never
 * see each other's rows. Databases left behind by killed runs are dropped after six hours.
 *
 * <p>Where PostgreSQL is not reachable, tests skip with a message — unless {@code
 * STATEKEEPER_TEST_REQUIRE_SERVICES=1} (set by {@code .ci/run}) or {@code CI} is set, where they
 * fail instead: CI must never skip them silently.
 */
public final class TestDatabases {

  public static final String ADMIN_URL =
      System.getenv().getOrDefault("STATEKEEPER_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
  public static final String USER = System.getenv().getOrDefault("STATEKEEPER_TEST_PG_USER", "postgres");

  private static final ReentrantLock lock = new ReentrantLock();
  private static String databaseUrl; // guarded by lock
  private static String unavailable; // guarded by lock

  private TestDatabases() {}

  /** True when missing services must fail tests rather than skip them. */
  public static boolean servicesRequired() {
    return "1".equals(System.getenv("STATEKEEPER_TEST_REQUIRE_SERVICES"))
        || System.getenv("CI") != null;
  }

  /** The JDBC URL of this JVM's own test database; skips (or fails in CI) without PostgreSQL. */
  public static String postgresUrl() {
    lock.lock();
    try {
      if (databaseUrl == null && unavailable == null) {
        create();
      }
      if (unavailable != null) {
        String message = "PostgreSQL is not reachable at " + ADMIN_URL + " (" + unavailable + ")";
        if (servicesRequired()) {
          Assertions.fail(message + "; STATEKEEPER_TEST_REQUIRE_SERVICES/CI is set, so this fails");
        }
        Assumptions.abort(message + "; skipping PostgreSQL tests on this machine");
      }
      return databaseUrl;
    } finally {
      lock.unlock();
    }
  }

  /** A fresh, empty database (for tests of migrations and restores); dropped at JVM exit. */
  public static String freshPostgresDatabase() {
    postgresUrl(); // availability check
    String name = newName();
    execAdmin("CREATE DATABASE " + name);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> dropQuietly(name)));
    return urlOf(name);
  }

  private static void create() {
    try (Connection c = DriverManager.getConnection(ADMIN_URL, USER, "")) {
      dropStale(c);
      String name = newName();
      try (Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE " + name);
      }
      databaseUrl = urlOf(name);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> dropQuietly(name), "drop-" + name));
    } catch (SQLException e) {
      unavailable = e.getMessage();
    }
  }

  private static String newName() {
    return String.format(
        Locale.ROOT,
        "sk_test_%d_%08x",
        System.currentTimeMillis() / 1000,
        ThreadLocalRandom.current().nextInt());
  }

  private static String urlOf(String name) {
    return ADMIN_URL.substring(0, ADMIN_URL.lastIndexOf('/') + 1) + name + "?user=" + USER;
  }

  private static void dropStale(Connection c) throws SQLException {
    long cutoff = System.currentTimeMillis() / 1000 - 6 * 3600;
    List<String> stale = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE 'sk\\_test\\_%'")) {
      while (rs.next()) {
        String[] parts = rs.getString(1).split("_");
        if (parts.length == 4 && parts[2].matches("\\d+") && Long.parseLong(parts[2]) < cutoff) {
          stale.add(rs.getString(1));
        }
      }
    }
    for (String name : stale) {
      try (Statement s = c.createStatement()) {
        s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      } catch (SQLException ignored) {
        // another run may be dropping it too
      }
    }
  }

  private static void execAdmin(String sql) {
    try (Connection c = DriverManager.getConnection(ADMIN_URL, USER, "");
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  private static void dropQuietly(String name) {
    try (Connection c = DriverManager.getConnection(ADMIN_URL, USER, "");
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException ignored) {
      // best effort at exit; dropStale removes it later
    }
  }
}
