package dev.statekeeper.search;

import java.util.List;

/**
 * Turns texts into embedding vectors for semantic search. The default is {@link
 * #localMiniLm()}, a model that ships inside the jar; an HTTP provider (Ollama,
 * OpenAI-compatible) can implement this interface too.
 *
 * <p>Implementations must be safe to call from several threads at once.
 */
public interface Embedder {

  /** A name that changes when the vectors would (model and version), stored with each vector. */
  String model();

  /** The length of every vector {@link #embed} returns. */
  int dimensions();

  /**
   * One vector per text, in order, each normalised to length 1 (so cosine similarity is a dot
   * product). Throws when the model or provider fails; callers retry later.
   */
  List<float[]> embed(List<String> texts);

  /**
   * The vector of one search query. When the model or provider fails this throws {@link
   * dev.statekeeper.StatekeeperException.StoreUnavailable} (503): semantic search is unavailable
   * until it recovers, while keyword search goes on.
   */
  default float[] embedQuery(String query) {
    try {
      return embed(List.of(query)).get(0);
    } catch (RuntimeException e) {
      throw new dev.statekeeper.StatekeeperException.StoreUnavailable(
          "semantic search is unavailable: the embedding model (" + model() + ") failed: " + e, e);
    }
  }

  /**
   * An Ollama server ({@code POST <base>/api/embeddings}), e.g. {@code
   * ollama(URI.create("http://127.0.0.1:11434"), "nomic-embed-text", 768)}.
   */
  static Embedder ollama(java.net.URI base, String model, int dimensions) {
    return new HttpEmbedder(HttpEmbedder.Api.OLLAMA, base, model, dimensions, null, java.time.Duration.ofSeconds(30));
  }

  /** An OpenAI-compatible server ({@code POST <base>/v1/embeddings}); {@code apiKey} may be null. */
  static Embedder openAiCompatible(java.net.URI base, String model, int dimensions, String apiKey) {
    return new HttpEmbedder(HttpEmbedder.Api.OPENAI, base, model, dimensions, apiKey, java.time.Duration.ofSeconds(30));
  }

  /** The embedder a configuration names (its {@code embedding-*} settings). */
  static Embedder of(EmbeddingSettings e) {
    return switch (e.provider()) {
      case OLLAMA -> ollama(java.net.URI.create(e.url()), e.model(), e.dimensions());
      case OPENAI -> openAiCompatible(java.net.URI.create(e.url()), e.model(), e.dimensions(), e.apiKey());
      case LOCAL -> localMiniLm();
    };
  }

  /** all-MiniLM-L6-v2, quantized, 384 dimensions, from langchain4j's embeddings module; loaded on first use. */
  static Embedder localMiniLm() {
    return new LocalMiniLmEmbedder();
  }
}
