package dev.statekeeper.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Every answer the HTTP tests get, checked against {@code openapi.json}: the operation that the
 * method and path name must document the status, and a JSON body must match the schema of its
 * media type. {@link TestClient} calls {@link #check} on every answer, so the description cannot
 * drift from what the server sends without a test failing.
 *
 * <p>Not checked: paths no operation matches (the tests of unknown routes), and bodies that are
 * not JSON ({@code /metrics}, the dashboard). Schemas are compiled once per response and cached.
 */
final class OpenApiAnswers {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNode DOCUMENT = load();
  private static final List<Operation> OPERATIONS = operations(DOCUMENT);
  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
  private static final Map<String, Schema> SCHEMAS = new ConcurrentHashMap<>();

  private OpenApiAnswers() {}

  /** One operation of the description: its method, a pattern of its path, and its node. */
  record Operation(String method, String template, Pattern path, int variables, JsonNode node) {}

  static JsonNode document() {
    return DOCUMENT;
  }

  /**
   * Fails when the description does not allow this answer: an undocumented status for the
   * operation, or a JSON body that its schema refuses.
   */
  static void check(String method, String pathAndQuery, int status, String contentType, String body) {
    String path = URI.create("http://h" + pathAndQuery).getRawPath();
    Operation op = find(method, path);
    if (op == null) {
      return; // no such route: 404 not_found / 405 tests
    }
    JsonNode responses = op.node().path("responses");
    String key = responses.has(String.valueOf(status)) ? String.valueOf(status) : responses.has("default") ? "default" : null;
    if (key == null) {
      throw new AssertionError(
          "openapi.json: " + method + " " + op.template() + " does not document status " + status + " (answer: " + body + ")");
    }
    JsonNode response = resolve(responses.get(key));
    String mediaType = contentType == null ? null : contentType.split(";")[0].trim();
    if (mediaType == null || !mediaType.endsWith("json") || body == null || body.isEmpty()) {
      return;
    }
    JsonNode media = response.path("content").path(mediaType);
    if (media.isMissingNode()) {
      throw new AssertionError("openapi.json: " + method + " " + op.template() + " " + key + " does not document "
          + mediaType + " (answer: " + body + ")");
    }
    Schema schema = SCHEMAS.computeIfAbsent(method + " " + op.template() + " " + key + " " + mediaType,
        k -> compile(media.path("schema")));
    JsonNode value;
    try {
      value = JSON.readTree(body);
    } catch (IOException e) {
      throw new AssertionError("a " + mediaType + " answer that is not JSON: " + body, e);
    }
    List<com.networknt.schema.Error> errors = schema.validate(value);
    if (!errors.isEmpty()) {
      throw new AssertionError("openapi.json: the " + status + " answer to " + method + " " + pathAndQuery
          + " does not match the schema of " + op.template() + " " + key + ": " + errors + "\nanswer: " + abbreviate(body));
    }
  }

  /** The operation for {@code method} and a raw {@code path}: literal segments win over variables. */
  static Operation find(String method, String path) {
    for (Operation op : OPERATIONS) {
      if (op.method().equalsIgnoreCase(method) && op.path().matcher(path).matches()) {
        return op;
      }
    }
    return null;
  }

  static List<Operation> operations() {
    return OPERATIONS;
  }

  /** A schema of the description as a document of its own: its {@code #/components/…} refs resolve. */
  private static Schema compile(JsonNode schema) {
    ObjectNode wrapper = JSON.createObjectNode();
    wrapper.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    wrapper.set("components", DOCUMENT.get("components"));
    wrapper.set("allOf", JSON.createArrayNode().add(schema));
    return REGISTRY.getSchema(wrapper);
  }

  /** Follows a {@code $ref} within the document ({@code #/components/responses/…}). */
  private static JsonNode resolve(JsonNode node) {
    JsonNode n = node;
    while (n.has("$ref")) {
      String ref = n.get("$ref").asText();
      if (!ref.startsWith("#/")) throw new AssertionError("openapi.json: a $ref outside the document: " + ref);
      n = DOCUMENT.at(ref.substring(1));
      if (n.isMissingNode()) throw new AssertionError("openapi.json: a $ref to nothing: " + ref);
    }
    return n;
  }

  private static List<Operation> operations(JsonNode doc) {
    List<Operation> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext(); ) {
      Map.Entry<String, JsonNode> p = paths.next();
      String template = p.getKey();
      // a document id may hold '/'; every other variable is one segment
      String regex = Pattern.quote(template)
          .replace("{id}", template.startsWith("/v1/documents/") ? "\\E.+\\Q" : "\\E[^/]+\\Q")
          .replaceAll("\\{[a-z_]+\\}", "\\\\E[^/]+\\\\Q");
      int variables = template.split("\\{", -1).length - 1;
      for (Iterator<Map.Entry<String, JsonNode>> ops = p.getValue().fields(); ops.hasNext(); ) {
        Map.Entry<String, JsonNode> o = ops.next();
        if (List.of("get", "put", "post", "delete", "patch").contains(o.getKey())) {
          out.add(new Operation(o.getKey().toUpperCase(java.util.Locale.ROOT), template, Pattern.compile(regex), variables,
              o.getValue()));
        }
      }
    }
    out.sort(Comparator.comparingInt(Operation::variables));
    return List.copyOf(out);
  }

  private static JsonNode load() {
    try (InputStream in = OpenApiAnswers.class.getResourceAsStream(OpsRoutes.OPENAPI)) {
      if (in == null) throw new IllegalStateException("openapi.json is not on the classpath");
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String abbreviate(String body) {
    return body.length() > 2000 ? body.substring(0, 2000) + "…" : body;
  }
}
