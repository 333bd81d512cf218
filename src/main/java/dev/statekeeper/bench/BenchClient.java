package dev.statekeeper.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpHeader;

/**
 * The load generator's HTTP client: Jetty's asynchronous client, so that an open-loop run sends
 * each request at its scheduled time whatever the replies before it are doing. Only ever talks
 * to the one base URL it was given.
 */
final class BenchClient implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();

  /** A reply; {@code status} 0 means the request failed without an HTTP answer. */
  record Reply(int status, byte[] body) {
    boolean ok() {
      return status >= 200 && status < 300;
    }

    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new IllegalStateException("not JSON: " + new String(body, java.nio.charset.StandardCharsets.UTF_8), e);
      }
    }
  }

  private final HttpClient http = new HttpClient();
  private final URI base;
  private final String authorization;

  BenchClient(String baseUrl, String key, int maxConnections) {
    this.base = URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
    this.authorization = key == null ? null : "Bearer " + key;
    http.setMaxConnectionsPerDestination(maxConnections);
    http.setMaxRequestsQueuedPerDestination(100_000);
    http.setConnectTimeout(5_000);
    http.setIdleTimeout(60_000);
    http.setFollowRedirects(false);
    try {
      http.start();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the HTTP client: " + e.getMessage(), e);
    }
  }

  String baseUrl() {
    return base.toString();
  }

  CompletableFuture<Reply> send(String method, String path, String json) {
    Request r = http.newRequest(base.resolve(path)).method(method).timeout(60, TimeUnit.SECONDS);
    if (authorization != null) {
      r.headers(h -> h.put(HttpHeader.AUTHORIZATION, authorization));
    }
    if (json != null) {
      r.body(new StringRequestContent("application/json", json));
    }
    return new CompletableResponseListener(r, 8 * 1024 * 1024)
        .send()
        .handle((resp, error) -> error != null ? new Reply(0, new byte[0]) : new Reply(resp.getStatus(), resp.getContent()));
  }

  /** A blocking call, for setup and checks. */
  Reply call(String method, String path, String json) {
    return send(method, path, json).join();
  }

  @Override
  public void close() {
    try {
      http.stop();
    } catch (Exception ignored) {
      // stopping anyway
    }
  }
}
