package dev.statekeeper.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.StatekeeperException.InvalidInput;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.stream.Collectors;

/**
 * JSON on the wire: snake_case fields, every field present (null when empty), times as RFC 3339
 * UTC. Reading is strict, because a typo ({@code "prority"}) silently ignored is worse than a
 * 400: unknown fields, duplicate keys, trailing data, and scalars of the wrong type ({@code "3"}
 * for a number, {@code 3.5} for an integer) are all rejected with a message naming the field.
 * Every string and field name of a body is checked as it is read ({@link Checked}): none may hold
 * what a store cannot keep (U+0000, a lone surrogate) and no number may exceed a double: a body
 * that could not be stored as sent is {@code invalid_json}, whichever field holds the problem (the
 * detail names it). Limits of meaning (nesting, sizes, types) are each field's own, checked by its
 * capability with that field's code ({@code StorableJson} for JSON values).
 */
final class Json {

  static final ObjectMapper MAPPER = build();


  private Json() {}

  private static ObjectMapper build() {
    SimpleModule times = new SimpleModule("rfc3339");
    times.addSerializer(Instant.class, new InstantSerializer());
    times.addDeserializer(Instant.class, new InstantDeserializer());
    ObjectMapper m =
        JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .addModule(times)
            .build();

    // ALLOW_COERCION_OF_SCALARS stops "3" becoming 3; this stops 3 becoming "3".
    for (CoercionInputShape shape :
        new CoercionInputShape[] {CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean}) {
      m.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
    }
    return m;
  }

  /** Parses {@code body} as {@code type}, turning every mapping failure into a 400 that names the field. */
  static <T> T read(byte[] body, Class<T> type) {
    try (JsonParser parser = new Checked(MAPPER.createParser(body))) {
      T value = MAPPER.readValue(parser, type);
      if (value == null) {
        throw new InvalidInput("invalid_json", "the body must be a JSON object, not null");
      }
      return value;
    } catch (JsonProcessingException e) {
      throw translate(e);
    } catch (IOException e) {
      throw new InvalidInput("invalid_json", "the body could not be read: " + e.getMessage());
    } catch (RuntimeException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof StatekeeperException se) throw se;
      }
      throw e;
    }
  }

  /** A 400 that names the field, for every way Jackson can refuse a body. */
  private static StatekeeperException translate(JsonProcessingException e) {
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof StatekeeperException se) return se; // a check of ours, wrapped by Jackson
    }
    if (e instanceof UnrecognizedPropertyException u) {
      String known =
          u.getKnownPropertyIds() == null
              ? ""
              : " (known: " + u.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", ")) + ")";
      String parent = u.getPath().size() > 1 ? where(u.getPath().subList(0, u.getPath().size() - 1)) : "";
      return new InvalidInput("unknown_field", "unknown field '" + u.getPropertyName() + "'" + parent + known);
    }
    if (e instanceof ValueInstantiationException v) {
      return new InvalidInput("invalid_field", "invalid value" + where(v) + ": " + v.getOriginalMessage());
    }
    if (e instanceof InvalidFormatException f) {
      return new InvalidInput(
          "invalid_field", "invalid value " + f.getValue() + where(f) + ": expected " + describe(f.getTargetType()));
    }
    if (e instanceof MismatchedInputException m) {
      if (m.getOriginalMessage() != null && m.getOriginalMessage().startsWith("Trailing token")) {
        return new InvalidInput("invalid_json", "the body has data after its JSON document" + at(m));
      }
      return new InvalidInput(
          "invalid_field",
          (m.getPath().isEmpty() ? "the body must be a JSON object" : "wrong type" + where(m) + ": expected " + describe(m.getTargetType())));
    }
    if (e instanceof JsonMappingException m) {
      return new InvalidInput("invalid_field", "invalid value" + where(m) + ": " + m.getOriginalMessage());
    }
    if (e instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException) {
      return new InvalidInput("invalid_json", "the body is beyond the parser's limits: " + e.getOriginalMessage());
    }
    String message = e.getOriginalMessage().replaceAll("\\s*\\(?start marker at \\[Source: [^]]*][^)]*\\)?", "");
    return new InvalidInput("invalid_json", "the body is not valid JSON: " + message + at(e));
  }

  /**
   * A parser that refuses, as it reads them, strings and field names no store can keep (U+0000, a
   * lone UTF-16 surrogate) and numbers beyond a double's range (1e400 read as Infinity): one check
   * for every field of every body, whatever it is bound to.
   */
  private static final class Checked extends com.fasterxml.jackson.core.util.JsonParserDelegate {
    Checked(JsonParser p) {
      super(p);
    }

    @Override
    public com.fasterxml.jackson.core.JsonToken nextToken() throws IOException {
      com.fasterxml.jackson.core.JsonToken t = delegate.nextToken();
      if (t == com.fasterxml.jackson.core.JsonToken.VALUE_STRING || t == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
        String problem = dev.statekeeper.store.StorableJson.problem(delegate.getText());
        if (problem != null) {
          throw new InvalidInput("invalid_json", "a string of the body" + field() + " " + problem + at());
        }
      } else if (t == com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_FLOAT && !Double.isFinite(delegate.getDoubleValue())) {
        throw new InvalidInput(
            "invalid_json", "a number of the body" + field() + " is beyond the range of a 64-bit float (about ±1.8e308)" + at());
      }
      return t;
    }

    private String field() {
      var ctx = delegate.getParsingContext();
      String name = ctx == null ? null : ctx.getCurrentName();
      return name == null ? "" : " (in field '" + name + "')";
    }

    private String at() {
      var loc = delegate.currentLocation();
      return loc == null || loc.getLineNr() < 0 ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
    }
  }

  static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a response could not be written as JSON, which indicates a bug", e);
    }
  }

  private static String at(JsonProcessingException e) {
    var loc = e.getLocation();
    return loc == null || loc.getLineNr() < 0 ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
  }

  private static String where(JsonMappingException e) {
    return where(e.getPath());
  }

  private static String where(java.util.List<JsonMappingException.Reference> refs) {
    if (refs.isEmpty()) {
      return "";
    }
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference r : refs) {
      if (r.getFieldName() != null) {
        if (!path.isEmpty()) path.append('.');
        path.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        path.append('[').append(r.getIndex()).append(']');
      }
    }
    return " in field '" + path + "'";
  }

  private static String describe(Class<?> type) {
    if (type == null) return "another type";
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) return "an integer";
    if (type == Boolean.class || type == boolean.class) return "true or false";
    if (type == String.class) return "a string";
    if (type == Instant.class) return "an RFC 3339 time such as 2026-01-31T12:00:00Z";
    if (java.util.List.class.isAssignableFrom(type)) return "an array";
    return "a " + type.getSimpleName();
  }

  private static final class InstantSerializer extends JsonSerializer<Instant> {
    @Override
    public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
      gen.writeString(DateTimeFormatter.ISO_INSTANT.format(value));
    }
  }

  /** Accepts RFC 3339 with any offset (normalized to UTC); rejects numbers and other shapes. */
  private static final class InstantDeserializer extends JsonDeserializer<Instant> {
    @Override
    public Instant deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      if (!p.hasToken(com.fasterxml.jackson.core.JsonToken.VALUE_STRING)) {
        return (Instant) ctx.handleUnexpectedToken(Instant.class, p);
      }
      String text = p.getText();
      try {
        return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
      } catch (DateTimeParseException e) {
        return (Instant) ctx.handleWeirdStringValue(Instant.class, text, "not an RFC 3339 time");
      }
    }
  }
}
