package dev.statekeeper.backup;

import dev.statekeeper.store.Schema.Table;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.statekeeper.store.Schema.Column;
import dev.statekeeper.store.Dialect;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Base64;

/**
 * Columns to and from their portable JSON form. The form is canonical (object keys sorted,
 * numbers as written, times in ISO-8601 UTC) so that the same data backs up to the same bytes
 * from either store.
 */
final class RowCodec {

  static final ObjectMapper CANONICAL =
      JsonMapper.builder()
          .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED)
          .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .build();

  private RowCodec() {}

  static void writeValue(JsonGenerator g, ResultSet rs, Column col, Dialect d) throws SQLException, IOException {
    String name = col.name();
    g.writeFieldName(name);
    switch (col.type()) {
      case TEXT -> {
        String v = rs.getString(name);
        if (v == null) g.writeNull(); else g.writeString(v);
      }
      case INTEGER -> {
        long v = rs.getLong(name);
        if (rs.wasNull()) g.writeNull(); else g.writeNumber(v);
      }
      case TIME -> {
        Instant t = d.getInstant(rs, name);
        if (t == null) g.writeNull(); else g.writeString(DateTimeFormatter.ISO_INSTANT.format(t));
      }
      case JSON -> {
        String v = rs.getString(name);
        if (v == null) g.writeNull(); else g.writeTree(CANONICAL.readTree(v));
      }
      case BYTES -> {
        byte[] v = rs.getBytes(name);
        if (v == null) g.writeNull(); else g.writeString(Base64.getEncoder().encodeToString(v));
      }
    }
  }

  static void bind(PreparedStatement ps, int index, JsonNode value, Column col, Dialect d) throws SQLException {
    boolean missing = value == null || value.isNull();
    switch (col.type()) {
      case TEXT -> {
        if (missing) ps.setNull(index, Types.VARCHAR); else ps.setString(index, value.asText());
      }
      case INTEGER -> {
        if (missing) ps.setNull(index, Types.BIGINT); else ps.setLong(index, value.asLong());
      }
      case TIME -> d.setInstant(ps, index, missing ? null : Instant.parse(value.asText()));
      case JSON -> {
        if (missing) {
          ps.setNull(index, Types.VARCHAR);
        } else {
          try {
            ps.setString(index, CANONICAL.writeValueAsString(value));
          } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a JSON value could not be written, which indicates a bug", e);
          }
        }
      }
      case BYTES -> {
        if (missing) ps.setNull(index, Types.BINARY); else ps.setBytes(index, Base64.getDecoder().decode(value.asText()));
      }
    }
  }


}
