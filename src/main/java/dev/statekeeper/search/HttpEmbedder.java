package dev.statekeeper.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Embeddings from an HTTP service: Ollama ({@code POST /api/embeddings} {@code {model, prompt}} →
 * {@code {embedding}}, one text per request) or an OpenAI-compatible server ({@code POST
 * /v1/embeddings} {@code {model, input: [...]}} → {@code {data: [{index, embedding}]}}, one request
 * per batch). Any failure (connection refused, timeout, a non-2xx answer, a vector of the wrong
 * length) throws, and the caller retries later: writes never wait on this, the background worker
 * backs off, and {@code /health} turns DEGRADED while it keeps failing.
 */
final class HttpEmbedder implements Embedder {

  enum Api {
    OLLAMA,
    OPENAI
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Api api;
  private final URI base;
  private final String model;
  private final int dimensions;
  private final String apiKey;
  private final Duration timeout;
  private final HttpClient client;

  HttpEmbedder(Api api, URI base, String model, int dimensions, String apiKey, Duration timeout) {
    if (dimensions < 1) {
      throw new IllegalArgumentException("dimensions must be 1 or more; got " + dimensions);
    }
    this.api = api;
    this.base = base;
    this.model = model;
    this.dimensions = dimensions;
    this.apiKey = apiKey;
    this.timeout = timeout;
    this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  @Override
  public String model() {
    return api.name().toLowerCase(java.util.Locale.ROOT) + ":" + model;
  }

  @Override
  public int dimensions() {
    return dimensions;
  }

  @Override
  public List<float[]> embed(List<String> texts) {
    if (texts.isEmpty()) return List.of();
    List<float[]> out = new ArrayList<>(texts.size());
    if (api == Api.OLLAMA) {
      for (String t : texts) {
        ObjectNode body = JSON.createObjectNode().put("model", model).put("prompt", t);
        out.add(vector(post("/api/embeddings", body).get("embedding")));
      }
    } else {
      ObjectNode body = JSON.createObjectNode().put("model", model);
      texts.forEach(body.putArray("input")::add);
      JsonNode data = post("/v1/embeddings", body).get("data");
      if (data == null || !data.isArray() || data.size() != texts.size()) {
        throw new IllegalStateException("the embedding service answered " + (data == null ? 0 : data.size()) + " vectors for " + texts.size() + " texts");
      }
      float[][] ordered = new float[texts.size()][];
      for (int i = 0; i < data.size(); i++) {
        JsonNode item = data.get(i);
        int index = item.has("index") ? item.get("index").asInt() : i;
        if (index < 0 || index >= ordered.length) throw new IllegalStateException("the embedding service answered index " + index);
        ordered[index] = vector(item.get("embedding"));
      }
      out.addAll(List.of(ordered));
    }
    return out;
  }

  private JsonNode post(String path, JsonNode body) {
    String url = base.toString().replaceAll("/+$", "") + path;
    HttpRequest.Builder req =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    if (apiKey != null && !apiKey.isEmpty()) {
      req.header("Authorization", "Bearer " + apiKey);
    }
    try {
      HttpResponse<String> r = client.send(req.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        String text = r.body() == null ? "" : r.body();
        throw new IllegalStateException(
            "the embedding service at " + url + " answered " + r.statusCode() + ": " + text.substring(0, Math.min(200, text.length())));
      }
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new IllegalStateException("the embedding service at " + url + " is unreachable: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while calling the embedding service at " + url, e);
    }
  }

  private float[] vector(JsonNode node) {
    if (node == null || !node.isArray() || node.size() != dimensions) {
      throw new IllegalStateException(
          "the embedding service answered a vector of " + (node == null || !node.isArray() ? "no" : node.size())
              + " numbers; expected " + dimensions);
    }
    float[] v = new float[dimensions];
    for (int i = 0; i < dimensions; i++) v[i] = (float) node.get(i).asDouble();
    return Vectors.normalised(v);
  }
}
