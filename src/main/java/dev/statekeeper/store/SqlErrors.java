package dev.statekeeper.store;

import dev.statekeeper.StatekeeperException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The one place where {@link SQLException} becomes a {@link StatekeeperException}. Callers that
 * expect a particular failure (a unique violation, say) test for it with the predicates here
 * before letting the rest through {@link #translate}.
 */
public final class SqlErrors {

  private SqlErrors() {}

  /** Translates a failure that the caller did not handle itself. Never returns null. */
  public static RuntimeException translate(SQLException e, String doing) {
    if (isUnavailable(e)) {
      return new StatekeeperException.StoreUnavailable(
          "the store is unavailable while " + doing + ": " + e.getMessage(), e);
    }
    if (isTransientConflict(e)) {
      return new StatekeeperException.StoreUnavailable(
          "the store kept aborting a conflicting transaction while " + doing + "; retry", e);
    }
    if (isDataException(e)) {
      return new StatekeeperException.InvalidInput(
          "invalid_value", "the store rejected a value while " + doing + ": " + e.getMessage());
    }
    return new IllegalStateException("unexpected SQL failure while " + doing + " indicates a bug", e);
  }

  /** Connection lost, pool exhausted, server shutting down, disk full or I/O error. */
  public static boolean isUnavailable(SQLException e) {
    if (e instanceof SQLTransientConnectionException) {
      return true; // HikariCP: no connection within connectionTimeout
    }
    String state = e.getSQLState();
    if (state != null
        && (state.startsWith("08")
            || state.startsWith("53")
            || state.startsWith("57P")
            || state.equals("58030"))) {
      return true;
    }
    if (e instanceof SQLiteException s) {
      SQLiteErrorCode code = s.getResultCode();
      int primary = code == null ? -1 : code.code & 0xff;
      return primary == SQLiteErrorCode.SQLITE_BUSY.code
          || primary == SQLiteErrorCode.SQLITE_LOCKED.code
          || primary == SQLiteErrorCode.SQLITE_FULL.code
          || primary == SQLiteErrorCode.SQLITE_IOERR.code
          || primary == SQLiteErrorCode.SQLITE_CANTOPEN.code
          || primary == SQLiteErrorCode.SQLITE_READONLY.code;
    }
    return e.getCause() instanceof java.io.IOException;
  }

  /** PostgreSQL aborted the transaction to resolve a conflict; running it again is safe. */
  public static boolean isTransientConflict(SQLException e) {
    String state = e.getSQLState();
    return "40001".equals(state) || "40P01".equals(state);
  }

  /** A unique or primary-key constraint was violated. */
  public static boolean isUniqueViolation(SQLException e) {
    if ("23505".equals(e.getSQLState())) {
      return true;
    }
    if (e instanceof SQLiteException s) {
      SQLiteErrorCode code = s.getResultCode();
      return code == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY
          || code == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE;
    }
    return false;
  }

  private static boolean isDataException(SQLException e) {
    String state = e.getSQLState();
    return state != null && state.startsWith("22");
  }
}
