package dev.statekeeper.backup;

import dev.statekeeper.store.Schema.Table;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Reads and checks a backup directory: manifest, checksums, counts, columns. */
final class BackupReader {

  private BackupReader() {}

  /** Problems with the backup; empty when it is whole. */
  static List<String> check(Path dir, dev.statekeeper.store.Schema schema, String currentSchema, Progress progress) {
    List<String> problems = new ArrayList<>();
    if (!Files.isRegularFile(dir.resolve(Manifest.FILE))) {
      return List.of("no " + Manifest.FILE + " in " + dir + ": not a backup, or an unfinished one");
    }
    Manifest m;
    try {
      m = Manifest.read(dir);
    } catch (IOException e) {
      return List.of(Manifest.FILE + " cannot be read: " + e.getMessage());
    }
    if (!Manifest.FORMAT.equals(m.format()) || m.formatVersion() != Manifest.FORMAT_VERSION) {
      problems.add("unknown backup format " + m.format() + " v" + m.formatVersion());
      return problems;
    }
    if (m.schemaVersion() == null) {
      problems.add("the manifest names no schema version");
    } else if (currentSchema != null && BackupWriter.compareVersions(m.schemaVersion(), currentSchema) > 0) {
      problems.add("the backup is of schema version " + m.schemaVersion() + ", newer than this Statekeeper's "
          + currentSchema + "; restore it with a newer version");
    }
    for (Manifest.TableFile f : m.tables()) {
      Table t;
      try {
        t = schema.table(f.name());
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
        continue;
      }
      for (String col : f.columns()) {
        if (t.columns().stream().noneMatch(c -> c.name().equals(col))) {
          problems.add(f.file() + ": column " + col + " is unknown to this version");
        }
      }
      checkFile(dir, f, progress, problems);
    }
    return problems;
  }

  private static void checkFile(Path dir, Manifest.TableFile f, Progress progress, List<String> problems) {
    Path path = dir.resolve(f.file());
    if (!path.normalize().startsWith(dir.normalize()) || !Files.isRegularFile(path)) {
      problems.add(f.file() + " is missing");
      return;
    }
    progress.start("verify " + f.name(), f.rows());
    MessageDigest sha = BackupWriter.sha256();
    long lines = 0;
    String badLine = null; // the first; reading goes on so that the checksum covers the whole file
    try (InputStream in = new DigestInputStream(Files.newInputStream(path), sha);
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.isEmpty()) continue;
        lines++;
        if (lines % 1000 == 0) progress.advance(1000);
        if (badLine != null) continue;
        try {
          if (!RowCodec.CANONICAL.readTree(line).isObject()) {
            badLine = f.file() + " line " + lines + " is not a JSON object";
          }
        } catch (IOException e) {
          badLine = f.file() + " line " + lines + " is not JSON";
        }
      }
    } catch (IOException e) {
      problems.add(f.file() + " cannot be read: " + e.getMessage());
      return;
    }
    progress.advance(lines % 1000);
    progress.done();
    String actual = HexFormat.of().formatHex(sha.digest());
    if (!actual.equals(f.sha256())) {
      problems.add(f.file() + " has SHA-256 " + actual + "; the manifest says " + f.sha256());
    }
    if (lines != f.rows()) {
      problems.add(f.file() + " has " + lines + " rows; the manifest says " + f.rows());
    }
    if (badLine != null) {
      problems.add(badLine);
    }
  }

  /** Streams the rows of one table file. */
  interface RowSink {
    void row(JsonNode row) throws Exception;
  }

  static void rows(Path dir, Manifest.TableFile f, RowSink sink) {
    try (BufferedReader r = Files.newBufferedReader(dir.resolve(f.file()), StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.isEmpty()) {
          sink.row(RowCodec.CANONICAL.readTree(line));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + f.file() + " failed: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("restoring " + f.name() + " failed: " + e.getMessage(), e);
    }
  }
}
