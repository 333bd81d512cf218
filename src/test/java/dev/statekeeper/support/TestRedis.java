package dev.statekeeper.support;

import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The machine's Redis for tests (127.0.0.1:6379, or STATEKEEPER_TEST_REDIS_URL). Tests skip
 * without it, unless STATEKEEPER_TEST_REQUIRE_SERVICES=1 or CI is set, where they fail. Keys the
 * tests write are scoped by random tenant names, so runs do not see each other.
 */
public final class TestRedis {

  public static final String URL = System.getenv().getOrDefault("STATEKEEPER_TEST_REDIS_URL", "redis://127.0.0.1:6379");

  private TestRedis() {}

  public static String url() {
    var uri = java.net.URI.create(URL);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 6379), 1000);
      return URL;
    } catch (Exception e) {
      String message = "Redis is not reachable at " + URL + " (" + e.getMessage() + ")";
      if (TestDatabases.servicesRequired()) {
        Assertions.fail(message + "; STATEKEEPER_TEST_REQUIRE_SERVICES/CI is set, so this fails");
      }
      Assumptions.abort(message + "; skipping Redis tests on this machine");
      return null;
    }
  }

  public static String host() {
    return java.net.URI.create(url()).getHost();
  }

  public static int port() {
    int p = java.net.URI.create(url()).getPort();
    return p > 0 ? p : 6379;
  }
}
