package dev.statekeeper.search;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Float vectors as stored (float32, little-endian, in a BLOB / bytea) and compared (dot product of
 * normalised vectors = cosine similarity). A plain loop: the JIT unrolls it, and at the sizes
 * measured so far the JDK Vector API (an incubator module needing {@code --add-modules}) is not
 * worth that cost.
 */
public final class Vectors {

  private Vectors() {}

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
   * The dot product of {@code a} with {@code a.length} floats of {@code data} from {@code from}.
   * Four accumulators, so the additions do not wait on one another (the JIT does not reorder a
   * float sum by itself); the result may differ from a one-by-one sum in the last bits.
   */
  public static float dot(float[] a, float[] data, int from) {
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
