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

  /** all-MiniLM-L6-v2, quantized, 384 dimensions, from langchain4j's embeddings module; loaded on first use. */
  static Embedder localMiniLm() {
    return new LocalMiniLmEmbedder();
  }
}
