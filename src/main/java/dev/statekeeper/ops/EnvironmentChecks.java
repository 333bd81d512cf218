package dev.statekeeper.ops;

import static dev.statekeeper.ops.DoctorCheck.fail;
import static dev.statekeeper.ops.DoctorCheck.pass;
import static dev.statekeeper.ops.DoctorCheck.warn;

import java.lang.management.ManagementFactory;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/** The JVM and the machine: Java version, memory, processors, file descriptors, temp directory, clock. */
final class EnvironmentChecks {

  private EnvironmentChecks() {}

  static List<Doctor.Named> all() {
    return List.of(
        new Doctor.Named("java_version", EnvironmentChecks::javaVersion),
        new Doctor.Named("java_heap", EnvironmentChecks::heap),
        new Doctor.Named("processors", EnvironmentChecks::processors),
        new Doctor.Named("file_descriptors", EnvironmentChecks::fileDescriptors),
        new Doctor.Named("default_charset", EnvironmentChecks::charset),
        new Doctor.Named("temp_dir", EnvironmentChecks::tempDir),
        new Doctor.Named("sqlite_library", EnvironmentChecks::sqliteLibrary),
        new Doctor.Named("system_clock", EnvironmentChecks::clock));
  }

  static DoctorCheck javaVersion() {
    int feature = Runtime.version().feature();
    String what = "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")";
    if (feature < 21) {
      return fail("java_version", what + ": Statekeeper needs 21 or newer", "install a JDK 21+ (25 recommended) and point JAVA_HOME at it");
    }
    if (feature < 24) {
      return warn("java_version", what + ": JDK 21-23 pin virtual threads inside synchronized blocks of libraries",
          "use JDK 24 or newer (25 recommended) for full virtual-thread concurrency");
    }
    return pass("java_version", what);
  }

  static DoctorCheck heap() {
    long mb = Runtime.getRuntime().maxMemory() / (1024 * 1024);
    if (mb < 256) {
      return warn("java_heap", "maximum heap " + mb + " MiB", "give the JVM more memory: STATEKEEPER_JAVA_OPTS=-Xmx1g");
    }
    return pass("java_heap", "maximum heap " + mb + " MiB");
  }

  static DoctorCheck processors() {
    int n = Runtime.getRuntime().availableProcessors();
    if (n < 2) {
      return warn("processors", n + " processor available; the server, its database and background work share it",
          "run on at least 2 cores (container CPU limit)");
    }
    return pass("processors", n + " processors available");
  }

  static DoctorCheck fileDescriptors() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      long max = unix.getMaxFileDescriptorCount();
      if (max < 4096) {
        return warn("file_descriptors", "at most " + max + " open files; every client connection uses one",
            "raise the limit: ulimit -n 65536 (or LimitNOFILE= in the systemd unit)");
      }
      return pass("file_descriptors", "at most " + max + " open files");
    }
    return DoctorCheck.skip("file_descriptors", "not a Unix system");
  }

  static DoctorCheck charset() {
    Charset c = Charset.defaultCharset();
    if (!c.equals(StandardCharsets.UTF_8)) {
      return warn("default_charset", "default charset " + c + "; logs may mangle non-ASCII text", "add -Dfile.encoding=UTF-8 to STATEKEEPER_JAVA_OPTS");
    }
    return pass("default_charset", "UTF-8");
  }

  static DoctorCheck tempDir() throws Exception {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    try {
      Path probe = Files.createTempFile(tmp, "statekeeper-doctor", ".tmp");
      Files.delete(probe);
    } catch (Exception e) {
      return fail("temp_dir", tmp + " is not writable (" + e.getMessage() + "); the SQLite driver unpacks its native library there",
          "make it writable or point -Djava.io.tmpdir at a writable directory in STATEKEEPER_JAVA_OPTS");
    }
    return pass("temp_dir", tmp + " is writable");
  }

  static DoctorCheck sqliteLibrary() {
    try {
      org.sqlite.SQLiteJDBCLoader.initialize();
      return pass("sqlite_library", "native SQLite library " + org.sqlite.SQLiteJDBCLoader.getVersion() + " loads");
    } catch (Exception | UnsatisfiedLinkError e) {
      return fail("sqlite_library", "the native SQLite library does not load: " + e,
          "run on a supported OS/architecture (Linux, macOS, Windows on x86_64/aarch64) with a writable temp directory");
    }
  }

  static DoctorCheck clock() {
    Instant now = Instant.now();
    int year = now.atOffset(ZoneOffset.UTC).getYear();
    if (year < 2024 || year > 2100) {
      return fail("system_clock", "the system clock says " + now, "set the clock (enable NTP: timedatectl set-ntp true)");
    }
    return pass("system_clock", now.toString());
  }
}
