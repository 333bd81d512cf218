package dev.statekeeper.ops;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/** Free space of the file system holding a directory (the data directory, typically). */
record DiskSpace(Path path, long freeBytes, long totalBytes) {

  static DiskSpace of(Path dir) throws IOException {
    Path p = existingAncestor(dir);
    FileStore fs = Files.getFileStore(p);
    return new DiskSpace(p, fs.getUsableSpace(), fs.getTotalSpace());
  }

  double freePercent() {
    return totalBytes <= 0 ? 100.0 : 100.0 * freeBytes / totalBytes;
  }

  /** {@code dir} itself, or (when it does not exist yet) its nearest ancestor that does. */
  static Path existingAncestor(Path dir) {
    Path p = dir.toAbsolutePath().normalize();
    while (p != null && !Files.exists(p)) {
      p = p.getParent();
    }
    return p == null ? Path.of(".").toAbsolutePath() : p;
  }
}
