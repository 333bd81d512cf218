package dev.statekeeper.ops;

/**
 * One finding of {@code statekeeper doctor}: what was checked, how it went, what was found, and
 * (unless it passed) a one-line fix.
 */
public record DoctorCheck(String name, Status status, String message, String fix) {

  public enum Status {
    PASS,
    WARN,
    FAIL,
    SKIP
  }

  static DoctorCheck pass(String name, String message) {
    return new DoctorCheck(name, Status.PASS, message, null);
  }

  static DoctorCheck warn(String name, String message, String fix) {
    return new DoctorCheck(name, Status.WARN, message, fix);
  }

  static DoctorCheck fail(String name, String message, String fix) {
    return new DoctorCheck(name, Status.FAIL, message, fix);
  }

  static DoctorCheck skip(String name, String message) {
    return new DoctorCheck(name, Status.SKIP, message, null);
  }
}
