package dev.statekeeper.store;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * The source of new PostgreSQL connections for the pool: while the database is unreachable, one
 * call keeps trying with exponential backoff (50 ms doubling, capped at 500 ms, via Resilience4j)
 * until it connects or the store closes. HikariCP calls it from its single connection-adding
 * thread; its own backoff grows to 5 s between failed attempts, which alone would let recovery
 * after an outage take more than 5 s. Requests never wait here: they wait for the pool, at most
 * {@code connection-timeout}, and then get 503.
 *
 * <p>Concurrency: {@link #closed} and {@link #lastFailure} are volatile; any thread may call {@link
 * #getConnection()}.
 */
final class ReconnectingDataSource implements DataSource {

  private static final org.slf4j.Logger log = LoggerFactory.getLogger(ReconnectingDataSource.class);

  private final String url;
  private final Properties props;
  private final Retry retry;
  private volatile boolean closed;
  private volatile SQLException lastFailure;

  ReconnectingDataSource(String url, Properties props) {
    this.url = url;
    this.props = props;
    this.retry =
        Retry.of(
            "postgres-connect",
            RetryConfig.custom()
                .maxAttempts(Integer.MAX_VALUE)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofMillis(50), 2.0, Duration.ofMillis(500)))
                .retryOnException(e -> !closed && e instanceof SQLException)
                .failAfterMaxAttempts(false)
                .build());
  }

  @Override
  public Connection getConnection() throws SQLException {
    try {
      return retry.executeCallable(this::attempt);
    } catch (SQLException e) {
      throw e;
    } catch (Exception e) {
      throw new SQLException("could not connect to PostgreSQL: " + e, "08001", e);
    }
  }

  private Connection attempt() throws SQLException {
    try {
      Connection c = DriverManager.getConnection(url, props);
      if (lastFailure != null) {
        log.info("reconnected to PostgreSQL after: {}", lastFailure.getMessage());
        lastFailure = null;
      }
      return c;
    } catch (SQLException e) {
      if (lastFailure == null && !closed) {
        log.warn("cannot connect to PostgreSQL ({}); retrying with backoff up to 500 ms", e.getMessage());
      }
      lastFailure = e;
      throw e;
    }
  }

  /** Why the last attempt to connect failed, while the database is unreachable; else null. */
  SQLException lastFailure() {
    return lastFailure;
  }

  /** Stops retrying: a pending {@link #getConnection()} fails after its current attempt. */
  void close() {
    closed = true;
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("the credentials are configured once");
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    // not used: drivers log through their own loggers
  }

  @Override
  public void setLoginTimeout(int seconds) {
    // the connect timeout is a connection property
  }

  /**
   * The connect timeout: HikariCP waits this long at shutdown for a connection being added, and
   * logs a warning when 0 means it cannot wait at all.
   */
  @Override
  public int getLoginTimeout() {
    return Math.max(1, Integer.parseInt(props.getProperty("connectTimeout", "1")));
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException("not a wrapper of " + iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }
}
