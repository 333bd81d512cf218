package dev.statekeeper.backup;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.statekeeper.store.Schema.Column;
import dev.statekeeper.store.Schema.Table;
import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.Store;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Writes one consistent snapshot of every table into a backup directory. */
final class BackupWriter {

  private BackupWriter() {}

  static Manifest write(Store store, dev.statekeeper.store.Schema schema, Path target, Progress progress) {
    if (Files.exists(target)) {
      try (var entries = Files.list(target)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalArgumentException("the backup directory " + target + " is not empty");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Path parent = target.toAbsolutePath().getParent();
    Path partial = parent.resolve(target.getFileName() + ".partial-" + System.nanoTime());
    try {
      Files.createDirectories(partial);
      Manifest manifest =
          store.snapshot(
              "taking a backup",
              c -> {
                String version = schemaVersion(c);
                List<Manifest.TableFile> files = new ArrayList<>();
                for (Table t : schema.tables()) {
                  files.add(writeTable(c, store.dialect(), t, partial, progress));
                }
                return new Manifest(
                    Manifest.FORMAT, Manifest.FORMAT_VERSION, Instant.now(),
                    store.dialect().name().toLowerCase(java.util.Locale.ROOT), version, files);
              });
      manifest.write(partial);
      Files.deleteIfExists(target); // an empty directory given by the caller
      Files.move(partial, target);
      return manifest;
    } catch (IOException e) {
      deleteQuietly(partial);
      throw new UncheckedIOException("writing the backup to " + target + " failed: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      deleteQuietly(partial);
      throw e;
    }
  }

  static String schemaVersion(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL")) {
      String best = null;
      while (rs.next()) {
        String v = rs.getString(1);
        if (best == null || compareVersions(v, best) > 0) best = v;
      }
      return best;
    }
  }

  static int compareVersions(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      long p = i < x.length ? Long.parseLong(x[i]) : 0;
      long q = i < y.length ? Long.parseLong(y[i]) : 0;
      if (p != q) return Long.compare(p, q);
    }
    return 0;
  }

  private static Manifest.TableFile writeTable(Connection c, Dialect d, Table t, Path dir, Progress progress)
      throws SQLException {
    long total;
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + t.name())) {
      rs.next();
      total = rs.getLong(1);
    }
    progress.start("backup " + t.name(), total);
    String file = t.name() + ".jsonl";
    MessageDigest sha = sha256();
    long rows = 0;
    Path path = dir.resolve(file);
    try (OutputStream out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(path), 1 << 16), sha);
        PreparedStatement ps =
            c.prepareStatement("SELECT " + t.columnList() + " FROM " + t.name() + " ORDER BY " + BackupSql.of(d).orderBy(t))) {
      ps.setFetchSize(1000);
      try (ResultSet rs = ps.executeQuery();
          JsonGenerator g = RowCodec.CANONICAL.createGenerator(out)) {
        g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
        g.setRootValueSeparator(null); // one object per line, separated by '\n' below
        while (rs.next()) {
          g.writeStartObject();
          for (Column col : t.columns()) {
            RowCodec.writeValue(g, rs, col, d);
          }
          g.writeEndObject();
          g.writeRaw('\n');
          if (++rows % 1000 == 0) {
            progress.advance(1000);
          }
        }
        g.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + path + " failed: " + e.getMessage(), e);
    }
    progress.advance(rows % 1000);
    progress.done();
    long bytes;
    try {
      bytes = Files.size(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Manifest.TableFile(
        t.name(), file, rows, bytes, HexFormat.of().formatHex(sha.digest()),
        t.columns().stream().map(Column::name).toList());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  static void deleteQuietly(Path dir) {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // nothing more to do
    }
  }
}
