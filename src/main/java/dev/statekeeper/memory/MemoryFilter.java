package dev.statekeeper.memory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.StatekeeperException.InvalidInput;
import dev.statekeeper.store.JsonColumns;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A filter over the fields of entries' {@code metadata} and {@code value}: listings and search
 * keep the entries for which every condition holds. As JSON:
 *
 * <pre>{"metadata": {"source": "loop", "step": {"$gte": 2}}, "value": {"kind": {"$in": ["a", "b"]}}}</pre>
 *
 * <p>Inside {@code metadata} and {@code value}, each name is a field, or a path to a nested field
 * with dots ({@code "run.attempt"}); its value is a scalar to equal, or an object of operators
 * ({@code $eq $ne $gt $gte $lt $lte $in}) that must all hold. Scalars are strings, numbers,
 * booleans and null; {@code $gt}…{@code $lte} take a number or a string and compare only with
 * fields of the same kind (numbers by value, strings by their UTF-8 bytes), so {@code "10"} is
 * never greater than {@code 9}. {@code $ne} also holds when the field is missing. The same
 * filter means the same on both stores; each store's SQL is in its {@link MemorySql}.
 */
public record MemoryFilter(List<Condition> conditions) {

  public static final int MAX_CONDITIONS = 20;
  public static final int MAX_PATH_SEGMENTS = 8;
  public static final int MAX_IN_VALUES = 100;
  public static final int MAX_JSON_BYTES = 8_192;

  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** The column a condition looks into. */
  public enum Field {
    METADATA("metadata"),
    VALUE("value");

    final String column;

    Field(String column) {
      this.column = column;
    }
  }

  public enum Op {
    EQ("$eq"), NE("$ne"), GT("$gt"), GTE("$gte"), LT("$lt"), LTE("$lte"), IN("$in");

    final String wire;

    Op(String wire) {
      this.wire = wire;
    }

    /** The SQL comparison of a range operator. */
    String sql() {
      return switch (this) {
        case GT -> ">";
        case GTE -> ">=";
        case LT -> "<";
        case LTE -> "<=";
        default -> throw new IllegalStateException(this + " is not a range operator");
      };
    }
  }

  /**
   * One condition: the field at {@code path} of {@code field} compared by {@code op} with {@code
   * operands} (one, or several for {@code $in}; each a scalar).
   */
  public record Condition(Field field, List<String> path, Op op, List<JsonNode> operands) {
    public Condition {
      path = List.copyOf(path);
      operands = List.copyOf(operands);
    }
  }

  public static final MemoryFilter NONE = new MemoryFilter(List.of());

  public MemoryFilter {
    conditions = List.copyOf(conditions);
  }

  public boolean isEmpty() {
    return conditions.isEmpty();
  }

  /** A filter given as JSON text (a query parameter); null or empty: none. */
  public static MemoryFilter parse(String json) {
    if (json == null || json.isBlank()) {
      return NONE;
    }
    if (json.length() > MAX_JSON_BYTES) {
      throw invalid("filter may be at most " + MAX_JSON_BYTES + " characters; got " + json.length());
    }
    JsonNode node;
    try {
      node = JsonColumns.mapper().readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw invalid("filter is not valid JSON: " + e.getOriginalMessage());
    }
    return parse(node);
  }

  /** A filter given as JSON (a body field); null: none. */
  public static MemoryFilter parse(JsonNode filter) {
    if (filter == null || filter.isNull() || filter.isMissingNode()) {
      return NONE;
    }
    if (!filter.isObject()) {
      throw invalid("filter must be an object like {\"metadata\": {\"field\": value}}; got " + kind(filter));
    }
    if (JsonColumns.write(filter).length() > MAX_JSON_BYTES) {
      throw invalid("filter may be at most " + MAX_JSON_BYTES + " characters as JSON");
    }
    List<Condition> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = filter.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      Field field = switch (f.getKey()) {
        case "metadata" -> Field.METADATA;
        case "value" -> Field.VALUE;
        default -> throw invalid("filter looks into \"metadata\" and \"value\"; got \"" + f.getKey() + "\"");
      };
      if (!f.getValue().isObject()) {
        throw invalid("filter." + f.getKey() + " must be an object of fields; got " + kind(f.getValue()));
      }
      for (Iterator<Map.Entry<String, JsonNode>> fs = f.getValue().fields(); fs.hasNext(); ) {
        Map.Entry<String, JsonNode> c = fs.next();
        conditions(field, f.getKey() + "." + c.getKey(), path(c.getKey()), c.getValue(), out);
      }
    }
    if (out.size() > MAX_CONDITIONS) {
      throw invalid("a filter may hold at most " + MAX_CONDITIONS + " conditions; got " + out.size());
    }
    return new MemoryFilter(out);
  }

  private static void conditions(Field field, String where, List<String> path, JsonNode spec, List<Condition> out) {
    if (!spec.isObject()) {
      out.add(new Condition(field, path, Op.EQ, List.of(scalar(where, spec))));
      return;
    }
    if (spec.isEmpty()) {
      throw invalid(where + " has no operator; use a scalar or {\"$op\": value}");
    }
    for (Iterator<Map.Entry<String, JsonNode>> ops = spec.fields(); ops.hasNext(); ) {
      Map.Entry<String, JsonNode> o = ops.next();
      Op op = null;
      for (Op candidate : Op.values()) {
        if (candidate.wire.equals(o.getKey())) op = candidate;
      }
      if (op == null) {
        throw invalid(where + ": unknown operator \"" + o.getKey()
            + "\" (operators: $eq $ne $gt $gte $lt $lte $in; a nested field is a dotted name, \"a.b\")");
      }
      JsonNode v = o.getValue();
      switch (op) {
        case EQ, NE -> out.add(new Condition(field, path, op, List.of(scalar(where + "." + op.wire, v))));
        case GT, GTE, LT, LTE -> {
          if (!v.isNumber() && !v.isTextual()) {
            throw invalid(where + "." + op.wire + " compares with a number or a string; got " + kind(v));
          }
          out.add(new Condition(field, path, op, List.of(scalar(where + "." + op.wire, v))));
        }
        case IN -> {
          if (!v.isArray() || v.isEmpty() || v.size() > MAX_IN_VALUES) {
            throw invalid(where + ".$in takes an array of 1 to " + MAX_IN_VALUES + " scalars");
          }
          List<JsonNode> values = new ArrayList<>();
          for (JsonNode x : v) values.add(scalar(where + ".$in", x));
          out.add(new Condition(field, path, op, values));
        }
      }
    }
  }

  private static JsonNode scalar(String where, JsonNode v) {
    if (v.isContainerNode()) {
      throw invalid(where + " compares with a string, number, boolean or null; got " + kind(v));
    }
    if (v.isNumber() && !Double.isFinite(v.doubleValue())) {
      throw invalid(where + ": numbers must be finite");
    }
    return v;
  }

  private static List<String> path(String dotted) {
    String[] parts = dotted.split("\\.", -1);
    if (parts.length > MAX_PATH_SEGMENTS) {
      throw invalid("a filter field has at most " + MAX_PATH_SEGMENTS + " dotted segments; got \"" + dotted + "\"");
    }
    for (String p : parts) {
      if (!SEGMENT.matcher(p).matches()) {
        throw invalid("filter field \"" + dotted
            + "\": each dotted segment is 1-64 of A-Z a-z 0-9 _ - (the names of metadata and value fields)");
      }
    }
    return List.of(parts);
  }

  private static String kind(JsonNode v) {
    return v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static InvalidInput invalid(String message) {
    return new InvalidInput("invalid_filter", message);
  }
}
