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
    float s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
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
