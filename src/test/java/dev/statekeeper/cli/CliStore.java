package dev.statekeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.statekeeper.support.StoreKind;
import dev.statekeeper.support.TestDatabases;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A store as a command line names it, for tests of commands run in-process: a SQLite data
 * directory, or a fresh PostgreSQL database (with a data directory for backups and copies).
 */
record CliStore(StoreKind kind, Path dataDir, String databaseUrl) {

  static CliStore of(StoreKind kind, Path dir) {
    Path data = dir.resolve("data");
    return new CliStore(kind, data, kind == StoreKind.POSTGRES ? TestDatabases.freshPostgresDatabase() : null);
  }

  /** The options that select this store. */
  List<String> args() {
    List<String> a = new ArrayList<>(List.of("--data-dir", dataDir.toString()));
    if (databaseUrl != null) a.addAll(List.of("--database-url", databaseUrl));
    return a;
  }

  /** What a command line run in this JVM did. */
  record Run(int code, String out, String err) {
    List<String> outLines() {
      return out.lines().toList();
    }

    List<String> errLines() {
      return err.lines().filter(l -> !l.startsWith("read ") && !l.startsWith("import:")).toList(); // minus progress
    }
  }

  /** Runs the command line {@code args} on this store (its options go last), in this JVM. */
  Run run(List<String> args) {
    List<String> all = new ArrayList<>(args);
    all.addAll(args());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(all.toArray(String[]::new), Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  /** Nothing was created: no data directory, and on PostgreSQL not one table. */
  void assertUntouched() throws SQLException {
    assertThat(Files.exists(dataDir)).as("data directory %s", dataDir).isFalse();
    if (databaseUrl != null) {
      assertThat(tables()).as("tables in %s", databaseUrl).isZero();
    }
  }

  /** Rows of {@code table}, read straight from the database (SQLite file or PostgreSQL). */
  long count(String table) throws SQLException {
    String url = databaseUrl != null ? databaseUrl : "jdbc:sqlite:" + dataDir.resolve("statekeeper.db").toAbsolutePath();
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private long tables() throws SQLException {
    try (Connection c = DriverManager.getConnection(databaseUrl);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
