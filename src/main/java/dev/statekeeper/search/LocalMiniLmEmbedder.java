package dev.statekeeper.search;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * all-MiniLM-L6-v2 (quantized, ONNX) running in process. The model (~23 MB inside the jar) loads
 * on the first call (about 0.6 s), so a server that never searches semantically never pays for it.
 * Texts are embedded on the calling thread ({@code Runnable::run} as the model's executor): the
 * background worker is one thread, and a query embeds one short text.
 *
 * <p>Concurrency: {@code lock} guards the one-time load; the model itself is thread-safe.
 */
final class LocalMiniLmEmbedder implements Embedder {

  static final int DIMENSIONS = 384;

  private final ReentrantLock lock = new ReentrantLock();
  private volatile AllMiniLmL6V2QuantizedEmbeddingModel model;

  @Override
  public String model() {
    return "all-minilm-l6-v2-q";
  }

  @Override
  public int dimensions() {
    return DIMENSIONS;
  }

  @Override
  public List<float[]> embed(List<String> texts) {
    if (texts.isEmpty()) {
      return List.of();
    }
    List<TextSegment> segments = new ArrayList<>(texts.size());
    for (String t : texts) {
      segments.add(TextSegment.from(t.isBlank() ? "." : t));
    }
    List<Embedding> out = loaded().embedAll(segments).content();
    List<float[]> vectors = new ArrayList<>(out.size());
    for (Embedding e : out) {
      vectors.add(Vectors.normalised(e.vector()));
    }
    return vectors;
  }

  private AllMiniLmL6V2QuantizedEmbeddingModel loaded() {
    AllMiniLmL6V2QuantizedEmbeddingModel m = model;
    if (m == null) {
      lock.lock();
      try {
        if (model == null) {
          model = new AllMiniLmL6V2QuantizedEmbeddingModel(Runnable::run);
        }
        m = model;
      } finally {
        lock.unlock();
      }
    }
    return m;
  }
}
