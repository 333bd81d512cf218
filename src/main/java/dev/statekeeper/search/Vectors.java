package dev.statekeeper.search;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Float vectors as stored (float32, little-endian, in a BLOB / bytea) and compared (dot product of
 * normalised vectors = cosine similarity).
 *
 * <p>The dot product uses the JDK's Vector API ({@link SimdVectors}) when the JVM was started with
 * {@code --add-modules jdk.incubator.vector} ({@code ./statekeeper serve} and the test suite do),
 * and a plain four-accumulator loop otherwise — about four times slower on an AVX-512 machine, the
 * same results up to the last bits. The system property {@code statekeeper.simd=false} forces the
 * plain loop. {@link #implementation()} says which one runs (the {@code embeddings} health check
 * shows it).
 */
public final class Vectors {

  private static final Logger log = LoggerFactory.getLogger(Vectors.class);

  /** Whether {@link SimdVectors} is used; decided once, so the JIT folds the branch away. */
  private static final boolean SIMD = simdAvailable();

  private Vectors() {}

  private static boolean simdAvailable() {
    if (!Boolean.parseBoolean(System.getProperty("statekeeper.simd", "true"))) {
      return false;
    }
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return false;
    }
    try {
      float[] probe = {1, 2, 3};
      return SimdVectors.dot(probe, probe, 0) == 14f;
    } catch (LinkageError | RuntimeException e) {
      log.warn("the Vector API is present but failed ({}); vector search uses the plain loop", e.toString());
      return false;
    }
  }

  /** Which dot product runs: {@code "vector-api, 16 floats per step"} or {@code "scalar"}. */
  public static String implementation() {
    return SIMD ? "vector-api, " + SimdVectors.lanes() + " floats per step" : "scalar";
  }

  /** {@code v} scaled to length 1 (a copy); a zero vector stays zero. */
  public static float[] normalised(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    float[] out = v.clone();
    if (sum > 0) {
      float inv = (float) (1 / Math.sqrt(sum));
      for (int i = 0; i < out.length; i++) {
        out[i] *= inv;
      }
    }
    return out;
  }

  public static float dot(float[] a, float[] b) {
    return dot(a, b, 0);
  }

  /**
   * The dot product of {@code a} with {@code a.length} floats of {@code data} from {@code from}; by
   * the Vector API when available, else {@link #scalarDot}.
   */
  public static float dot(float[] a, float[] data, int from) {
    return SIMD ? SimdVectors.dot(a, data, from) : scalarDot(a, data, from);
  }

  /**
   * Scores a run of vectors stored one after another ({@code a.length} floats each): {@code out[i]}
   * = the dot product of {@code a} with vector {@code first + i} of {@code data}, for {@code i <
   * count}. Scanning in runs keeps the hot loop a small method of its own, which the JIT compiles
   * (and, for the Vector API, intrinsifies) whatever the caller around it looks like.
   */
  public static void dots(float[] a, float[] data, int first, int count, float[] out) {
    if (SIMD) {
      SimdVectors.dots(a, data, first, count, out);
    } else {
      int dims = a.length;
      for (int i = 0; i < count; i++) {
        out[i] = scalarDot(a, data, (first + i) * dims);
      }
    }
  }

  /**
   * The plain-loop dot product. Four accumulators, so the additions do not wait on one another
   * (the JIT does not reorder a float sum by itself); the result may differ from a one-by-one sum
   * in the last bits.
   */
  static float scalarDot(float[] a, float[] data, int from) {
    int n = a.length;
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += a[i] * data[from + i];
      s1 += a[i + 1] * data[from + i + 1];
      s2 += a[i + 2] * data[from + i + 2];
      s3 += a[i + 3] * data[from + i + 3];
    }
    float s = (s0 + s1) + (s2 + s3);
    for (; i < n; i++) {
      s += a[i] * data[from + i];
    }
    return s;
  }

  public static byte[] toBytes(float[] v) {
    ByteBuffer buf = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(v);
    return buf.array();
  }

  public static float[] fromBytes(byte[] bytes) {
    if (bytes.length % Float.BYTES != 0) {
      throw new IllegalArgumentException("a stored vector has " + bytes.length + " bytes, not a multiple of 4");
    }
    float[] v = new float[bytes.length / Float.BYTES];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    return v;
  }
}
