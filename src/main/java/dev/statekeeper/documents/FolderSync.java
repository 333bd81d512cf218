package dev.statekeeper.documents;

import dev.statekeeper.Caller;
import dev.statekeeper.StatekeeperException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import dev.statekeeper.jobs.Job;
import dev.statekeeper.jobs.JobRunner;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@code .md} and {@code .txt} files of a folder (and its sub-folders, hidden ones
 * excepted) indexed as documents ({@code serve --sync-dir}): id = the path relative to the folder
 * with {@code /} separators, source = {@code file:<id>}, title = the file name. It scans every
 * {@code interval} (polling, not a file-system watch: it works the same on every file system and
 * sees changes made while the server was down): a new file is created, a changed one replaced, a
 * removed one deleted (a rename is both). Only documents whose source starts with {@code file:}
 * are ever deleted. A file that cannot be read (permissions, not UTF-8, too large, an id that is
 * not valid) is logged and listed in {@link #errors()}, and the scan goes on.
 *
 * <p>Concurrency: one platform thread scans; {@code scanLock} keeps {@link #scanNow} from
 * overlapping it; {@code known} (id → size and modification time of what was last indexed) is
 * only touched under that lock.
 */
public final class FolderSync implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FolderSync.class);
  static final String SOURCE_PREFIX = "file:";

  private record Stamp(long size, long modifiedMillis) {}

  private final Documents documents;
  private final Path root;
  private final Caller caller;
  private final JobRunner runner;
  private final Job job;
  private final ReentrantLock scanLock = new ReentrantLock();
  private final Map<String, Stamp> known = new HashMap<>();
  private final Map<String, String> errors = new ConcurrentHashMap<>();
  private final AtomicLong scans = new AtomicLong();
  private volatile Instant lastScan;
  private boolean loaded;

  private FolderSync(Documents documents, Path root, Caller caller, Duration interval) {
    this.documents = documents;
    this.root = root.toAbsolutePath().normalize();
    this.caller = caller;
    this.job = Job.every("folder_sync", interval, () -> {
          scanNow();
          return false;
        })
        .describedAs("scanning " + this.root);
    this.runner = JobRunner.standalone();
  }

  /** Starts scanning {@code dir} every {@code interval} as {@code caller} (an admin of the tenant to fill). */
  public static FolderSync start(Documents documents, Path dir, Caller caller, Duration interval) {
    if (!Files.isDirectory(dir)) {
      throw new StatekeeperException.InvalidInput("invalid_sync_dir", FolderSyncSettings.SYNC_DIR.option() + " must be a directory; got " + dir);
    }
    FolderSync sync = new FolderSync(documents, dir, caller, interval);
    sync.runner.start(sync.job);
    return sync;
  }

  /** Files that could not be indexed in the last scan: relative path → why. */
  public Map<String, String> errors() {
    return Map.copyOf(errors);
  }

  /** When the last scan finished (null before the first). */
  public Instant lastScan() {
    return lastScan;
  }

  /** Scans now, on the calling thread; for tests and tools. */
  public void scanNow() {
    scanLock.lock();
    try {
      if (!loaded) {
        // what earlier runs indexed: documents from files, with their texts (unchanged files are kept)
        for (var e : documents.textsBySourcePrefix(caller, SOURCE_PREFIX).entrySet()) {
          known.put(e.getKey(), null); // null stamp: compare the text on first sight
        }
        loaded = true;
      }
      Map<String, Path> files = files();
      for (var e : files.entrySet()) {
        String id = e.getKey();
        try {
          BasicFileAttributes a = Files.readAttributes(e.getValue(), BasicFileAttributes.class);
          Stamp stamp = new Stamp(a.size(), a.lastModifiedTime().toMillis());
          boolean wasKnown = known.containsKey(id);
          Stamp before = known.get(id);
          if (wasKnown && stamp.equals(before)) {
            continue;
          }
          String text = read(e.getValue());
          if (wasKnown && before == null) {
            String stored = documents.textsBySourcePrefix(caller, SOURCE_PREFIX + id).get(id);
            if (text.equals(stored)) {
              known.put(id, stamp);
              errors.remove(id);
              continue;
            }
          }
          if (text.isBlank()) {
            throw new IOException("the file is empty");
          }
          documents.replace(
              caller, id, new NewDocument(null, e.getValue().getFileName().toString(), text, SOURCE_PREFIX + id, null));
          known.put(id, stamp);
          errors.remove(id);
        } catch (IOException | StatekeeperException.InvalidInput ex) {
          errors.put(id, ex.getMessage() == null ? ex.toString() : ex.getMessage());
          log.warn("cannot index {} from {}: {}", id, root, ex.toString());
        }
      }
      for (String id : java.util.List.copyOf(known.keySet())) {
        if (!files.containsKey(id)) {
          try {
            documents.delete(caller, id);
          } catch (StatekeeperException.NotFound ignored) {
            // already gone
          }
          known.remove(id);
          errors.remove(id);
        }
      }
      errors.keySet().removeIf(id -> !files.containsKey(id));
      scans.incrementAndGet();
      lastScan = Instant.now();
    } finally {
      scanLock.unlock();
    }
  }

  /** The .md and .txt files under the root by id, hidden files and folders left out. */
  private Map<String, Path> files() {
    Map<String, Path> out = new TreeMap<>();
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          return !dir.equals(root) && dir.getFileName().toString().startsWith(".") ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          String name = file.getFileName().toString();
          String lower = name.toLowerCase(java.util.Locale.ROOT);
          if (attrs.isRegularFile() && !name.startsWith(".") && (lower.endsWith(".md") || lower.endsWith(".txt"))) {
            out.put(root.relativize(file).toString().replace(java.io.File.separatorChar, '/'), file);
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          errors.put(root.relativize(file).toString(), e.toString());
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new StatekeeperException.StoreUnavailable("cannot list " + root + ": " + e, e);
    }
    return out;
  }

  private static String read(Path file) throws IOException {
    if (Files.size(file) > Documents.MAX_TEXT * 4L) {
      throw new IOException("the file is larger than a document may be");
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
    } catch (CharacterCodingException e) {
      throw new IOException("the file is not UTF-8 text", e);
    }
  }

  /** Stops scanning, after a scan in flight ends (never interrupting it). */
  @Override
  public void close() {
    runner.close();
  }
}
