package dev.statekeeper.search;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The dot product with the JDK's Vector API ({@code jdk.incubator.vector}): as many floats per
 * instruction as the CPU's widest registers hold (16 with AVX-512, 8 with AVX2), two fused
 * multiply-add accumulators. Only {@link Vectors} touches this class, and only when the module was
 * added to the JVM ({@code --add-modules jdk.incubator.vector}, as {@code ./statekeeper serve}
 * does); without it this class is never loaded.
 *
 * <p>Measured on the 2-core test machine (AVX-512), 100,000 × 384 floats: 14 ms per scan, against
 * 57 ms for the four-accumulator scalar loop (docs/BENCHMARKS.md).
 */
final class SimdVectors {

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

  private SimdVectors() {}

  static int lanes() {
    return SPECIES.length();
  }

  /** {@code out[i]} = the dot product of {@code a} with vector {@code first + i} of {@code data}, for i < count. */
  static void dots(float[] a, float[] data, int first, int count, float[] out) {
    int dims = a.length;
    for (int i = 0; i < count; i++) {
      out[i] = dot(a, data, (first + i) * dims);
    }
  }

  static float dot(float[] a, float[] data, int from) {
    int n = a.length;
    int step = SPECIES.length();
    FloatVector acc0 = FloatVector.zero(SPECIES);
    FloatVector acc1 = FloatVector.zero(SPECIES);
    int i = 0;
    for (; i + 2 * step <= n; i += 2 * step) {
      acc0 = FloatVector.fromArray(SPECIES, a, i).fma(FloatVector.fromArray(SPECIES, data, from + i), acc0);
      acc1 = FloatVector.fromArray(SPECIES, a, i + step).fma(FloatVector.fromArray(SPECIES, data, from + i + step), acc1);
    }
    for (; i + step <= n; i += step) {
      acc0 = FloatVector.fromArray(SPECIES, a, i).fma(FloatVector.fromArray(SPECIES, data, from + i), acc0);
    }
    float s = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      s += a[i] * data[from + i];
    }
    return s;
  }
}
