package dev.statekeeper.search;

import dev.statekeeper.config.Setting;
import dev.statekeeper.config.Settings;
import java.util.List;

/**
 * Where the embeddings of semantic search come from: {@code local} (the model inside the jar,
 * the default), or an HTTP provider — {@code ollama} ({@code POST <url>/api/embeddings}) or
 * {@code openai} (any OpenAI-compatible {@code POST <url>/v1/embeddings}) — with its model and
 * the length of its vectors. Changing it re-embeds every entry in the background.
 *
 * @param apiKey sent as a bearer token to an {@code openai} provider; never logged
 */
public record EmbeddingSettings(Provider provider, String url, String model, int dimensions, String apiKey) {

  /** Where embeddings come from. */
  public enum Provider {
    LOCAL,
    OLLAMA,
    OPENAI
  }

  public static final EmbeddingSettings LOCAL = new EmbeddingSettings(Provider.LOCAL, null, null, 0, null);

  public static final Setting<Provider> EMBEDDING_PROVIDER = Setting.choice("embedding-provider", Provider.class, Provider.LOCAL,
      "Where semantic search's embeddings come from: local (the model in the jar), ollama or openai (an OpenAI-compatible server).");
  public static final Setting<String> EMBEDDING_URL = Setting.text("embedding-url", "URL", null,
      "The HTTP provider's base URL, e.g. http://127.0.0.1:11434.")
      .mustBe(u -> u.startsWith("http://") || u.startsWith("https://"), "an http:// or https:// URL");
  public static final Setting<String> EMBEDDING_MODEL = Setting.text("embedding-model", "NAME", null,
      "The HTTP provider's model, e.g. nomic-embed-text.");
  public static final Setting<Integer> EMBEDDING_DIMENSIONS = Setting.integer("embedding-dimensions", 0, 0, 8192,
      "The length of the HTTP provider's vectors, e.g. 768.");
  public static final Setting<String> EMBEDDING_API_KEY = Setting.text("embedding-api-key", "KEY", null,
      "Bearer token for an openai provider (better from the environment: STATEKEEPER_EMBEDDING_API_KEY). Never logged.").secret();

  public static final List<Setting<?>> ALL =
      List.of(EMBEDDING_PROVIDER, EMBEDDING_URL, EMBEDDING_MODEL, EMBEDDING_DIMENSIONS, EMBEDDING_API_KEY);

  public EmbeddingSettings {
    switch (provider) {
      case LOCAL -> {
        if (url != null || model != null || dimensions != 0) {
          throw new IllegalArgumentException("embedding-url, embedding-model and embedding-dimensions are for an HTTP"
              + " provider; set embedding-provider to ollama or openai (it is local)");
        }
      }
      case OLLAMA, OPENAI -> {
        String name = provider.name().toLowerCase(java.util.Locale.ROOT);
        if (url == null) {
          throw new IllegalArgumentException("embedding-provider " + name + " needs embedding-url, like http://127.0.0.1:11434");
        }
        if (model == null) {
          throw new IllegalArgumentException("embedding-provider " + name + " needs embedding-model, like nomic-embed-text");
        }
        if (dimensions < 1) {
          throw new IllegalArgumentException("embedding-provider " + name + " needs embedding-dimensions, the length of its"
              + " vectors (1 to 8192, e.g. 768); got " + dimensions);
        }
      }
    }
  }

  public static EmbeddingSettings from(Settings s) {
    return new EmbeddingSettings(s.get(EMBEDDING_PROVIDER), s.get(EMBEDDING_URL), s.get(EMBEDDING_MODEL),
        s.get(EMBEDDING_DIMENSIONS), s.get(EMBEDDING_API_KEY));
  }

  @Override
  public String toString() {
    return provider == Provider.LOCAL ? "local" : provider.name().toLowerCase(java.util.Locale.ROOT) + " " + url + " " + model
        + " (" + dimensions + " dimensions" + (apiKey == null ? "" : ", api key ***") + ")";
  }
}
