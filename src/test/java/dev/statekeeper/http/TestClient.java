package dev.statekeeper.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A small HTTP client for the contract tests: one key (or none), optional extra headers, and
 * answers with their status, headers and body parsed as JSON on demand. Immutable: {@link
 * #withKey} and {@link #withHeader} return new clients. {@link #raw} sends bytes over a socket for
 * requests {@link HttpClient} refuses to build (bad percent-encodings, huge request lines).
 */
final class TestClient {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String APPLICATION_JSON = "application/json";

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  private final int port;
  private final String key;
  private final Map<String, String> headers;

  TestClient(int port, String key) {
    this(port, key, Map.of());
  }

  private TestClient(int port, String key, Map<String, String> headers) {
    this.port = port;
    this.key = key;
    this.headers = headers;
  }

  int port() {
    return port;
  }

  String key() {
    return key;
  }

  TestClient withKey(String otherKey) {
    return new TestClient(port, otherKey, headers);
  }

  TestClient withHeader(String name, String value) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put(name, value);
    return new TestClient(port, key, Map.copyOf(h));
  }

  Response get(String path) {
    return send("GET", path, BodyPublishers.noBody(), null);
  }

  Response delete(String path) {
    return send("DELETE", path, BodyPublishers.noBody(), null);
  }

  /** DELETE with a JSON body (as {@code DELETE /v1/access/grants} takes). */
  Response delete(String path, String json) {
    return send("DELETE", path, BodyPublishers.ofString(json, StandardCharsets.UTF_8), APPLICATION_JSON);
  }

  Response post(String path, String json) {
    return send("POST", path, BodyPublishers.ofString(json, StandardCharsets.UTF_8), APPLICATION_JSON);
  }

  Response put(String path, String json) {
    return send("PUT", path, BodyPublishers.ofString(json, StandardCharsets.UTF_8), APPLICATION_JSON);
  }

  Response patch(String path, String json) {
    return send("PATCH", path, BodyPublishers.ofString(json, StandardCharsets.UTF_8), APPLICATION_JSON);
  }

  Response send(String method, String path, BodyPublisher body, String contentType) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(60))
            .method(method, body);
    if (body.contentLength() > 64 * 1024) {
      // As a well-behaved client of a server with a body limit: the server answers 413 from the
      // headers and closes; without 100-continue the client may still be writing the body then,
      // and reports a broken pipe instead of the answer.
      b.expectContinue(true);
    }
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    headers.forEach(b::header);
    try {
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      OpenApiAnswers.check(method, path, r.statusCode(), r.headers().firstValue("Content-Type").orElse(null), r.body());
      return new Response(r.statusCode(), r.headers().map(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + method + " " + path, e);
    }
  }

  /**
   * Sends {@code head} (request line and headers, without the blank line; CRLFs are added) and
   * {@code body} over a plain socket with {@code Connection: close}, and reads the whole answer.
   */
  Response raw(List<String> head, byte[] body) {
    List<String> closing = new java.util.ArrayList<>(head);
    closing.add("Connection: close");
    return overSocket(closing, 30_000, (out, in) -> {
      out.write(body);
      out.flush();
      return parse(in.readAllBytes());
    });
  }

  /**
   * Sends {@code head} and the first {@code sent} bytes of a body whose {@code Content-Length}
   * the head announces, then sends nothing more (as a client that stalls or never sends the
   * rest) and waits at most {@code wait} for the answer.
   */
  Response stalled(List<String> head, byte[] sent, Duration wait) {
    return overSocket(head, (int) wait.toMillis(), (out, in) -> {
      out.write(sent);
      out.flush();
      try {
        return parse(readAnswer(in));
      } catch (java.net.SocketTimeoutException e) {
        throw new AssertionError("no answer within " + wait + " to " + head.get(0) + " with a stalled body", e);
      }
    });
  }

  /**
   * Sends {@code head} and then {@code body} one byte every {@code every}, until the server
   * answers (or the body is sent), and returns the answer.
   */
  Response trickled(List<String> head, byte[] body, Duration every) {
    return overSocket(head, 30_000, (out, in) -> {
      for (byte b : body) {
        if (in.available() > 0) break;
        try {
          out.write(b);
          out.flush();
        } catch (IOException closedByTheServer) {
          break;
        }
        // slow on purpose, in real time: Jetty measures a request's data rate by the wall clock
        Thread.sleep(every.toMillis());
      }
      return parse(readAnswer(in));
    });
  }

  /** What is sent after the head, and how the answer is read. */
  private interface Exchange {
    Response run(OutputStream out, InputStream in) throws IOException, InterruptedException;
  }

  /**
   * Opens a socket to the server (reads time out after {@code timeoutMillis}), sends {@code head}
   * (request line and headers; CRLFs and the blank line are added), then runs {@code exchange}.
   */
  private Response overSocket(List<String> head, int timeoutMillis, Exchange exchange) {
    StringBuilder text = new StringBuilder();
    for (String line : head) {
      text.append(line).append("\r\n");
    }
    text.append("\r\n");
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(timeoutMillis);
      OutputStream out = s.getOutputStream();
      out.write(text.toString().getBytes(StandardCharsets.ISO_8859_1));
      return exchange.run(out, s.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException("raw request " + head.get(0), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Reads one answer: up to the end of its Content-Length body, or to the end of the stream. */
  private static byte[] readAnswer(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    while (true) {
      int n = in.read(buf);
      if (n < 0) return all.toByteArray();
      all.write(buf, 0, n);
      String text = all.toString(StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\r\n\r\n");
      if (end >= 0) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(text.substring(0, end));
        if (m.find() && all.size() >= end + 4 + Integer.parseInt(m.group(1))) return all.toByteArray();
      }
    }
  }

  private static Response parse(byte[] bytes) {
    String all = new String(bytes, StandardCharsets.ISO_8859_1);
    int end = all.indexOf("\r\n\r\n");
    if (end < 0) {
      throw new AssertionError("no complete HTTP response in: " + all);
    }
    String[] lines = all.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, List<String>> h = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      h.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), List.of(lines[i].substring(colon + 1).trim()));
    }
    byte[] rest = all.substring(end + 4).getBytes(StandardCharsets.ISO_8859_1);
    if (h.getOrDefault("transfer-encoding", List.of("")).get(0).equalsIgnoreCase("chunked")) {
      rest = dechunk(rest);
    }
    return new Response(status, h, new String(rest, StandardCharsets.UTF_8));
  }

  private static byte[] dechunk(byte[] chunked) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InputStream in = new java.io.ByteArrayInputStream(chunked);
    try {
      while (true) {
        StringBuilder size = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n' && c >= 0) {
          if (c != '\r') size.append((char) c);
        }
        int n = Integer.parseInt(size.toString().split(";")[0].trim(), 16);
        if (n == 0) {
          return out.toByteArray();
        }
        out.write(in.readNBytes(n));
        in.skipNBytes(2);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One answer. {@link #json()} parses the body, failing the test with the body when it is not JSON. */
  record Response(int status, Map<String, List<String>> headers, String body) {

    Optional<String> header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
          return Optional.of(e.getValue().get(0));
        }
      }
      return Optional.empty();
    }

    /** The media type of the body without parameters, or "" when there is none. */
    String mediaType() {
      return header("Content-Type").map(v -> v.split(";", 2)[0].trim().toLowerCase(Locale.ROOT)).orElse("");
    }

    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("the body is not JSON (status " + status + "): " + abbreviated(), e);
      }
    }

    String abbreviated() {
      return body.length() > 500 ? body.substring(0, 500) + "…" : body;
    }

    @Override
    public String toString() {
      return status + " " + mediaType() + " " + abbreviated();
    }
  }
}
