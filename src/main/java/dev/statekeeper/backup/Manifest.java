package dev.statekeeper.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * {@code manifest.json} of a backup: what it holds and how to check it.
 *
 * @param schemaVersion the Flyway version of the store it was taken from
 */
public record Manifest(
    String format,
    int formatVersion,
    Instant createdAt,
    String store,
    String schemaVersion,
    List<TableFile> tables) {

  public static final String FILE = "manifest.json";
  public static final String FORMAT = "statekeeper-backup";
  public static final int FORMAT_VERSION = 1;

  /** One table's JSON Lines file. */
  public record TableFile(String name, String file, long rows, long bytes, String sha256, List<String> columns) {}

  static final ObjectMapper MAPPER =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT);

  static {
    MAPPER.registerModule(
        new com.fasterxml.jackson.databind.module.SimpleModule()
            .addSerializer(Instant.class, new com.fasterxml.jackson.databind.ser.std.ToStringSerializer(Instant.class))
            .addDeserializer(Instant.class, new com.fasterxml.jackson.databind.JsonDeserializer<Instant>() {
              @Override
              public Instant deserialize(com.fasterxml.jackson.core.JsonParser p, com.fasterxml.jackson.databind.DeserializationContext c)
                  throws IOException {
                return Instant.parse(p.getText());
              }
            }));
  }

  void write(Path dir) throws IOException {
    MAPPER.writeValue(dir.resolve(FILE).toFile(), this);
  }

  public static Manifest read(Path dir) throws IOException {
    return MAPPER.readValue(dir.resolve(FILE).toFile(), Manifest.class);
  }

  long totalRows() {
    return tables.stream().mapToLong(TableFile::rows).sum();
  }

  long totalBytes() {
    return tables.stream().mapToLong(TableFile::bytes).sum();
  }
}
