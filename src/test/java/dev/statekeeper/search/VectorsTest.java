package dev.statekeeper.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class VectorsTest {

  @Test
  void theTestJvmRunsTheVectorApi_asServeDoes() {
    // surefire adds jdk.incubator.vector (pom.xml), like ./statekeeper serve; without it every
    // search in the suite would silently exercise only the plain loop
    assertThat(Vectors.implementation()).startsWith("vector-api, ");
  }

  @Test
  void simdAndScalarDotAgree_atEveryLengthAndOffset() {
    SplittableRandom rnd = new SplittableRandom(42);
    // lengths around the lane counts (4, 8, 16 floats) and the model's 384
    for (int n : new int[] {0, 1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 47, 383, 384, 385, 1000}) {
      float[] a = random(rnd, n);
      float[] data = random(rnd, n * 3 + 5);
      for (int from : new int[] {0, 1, 5, n, 2 * n + 5}) {
        double exact = 0;
        for (int i = 0; i < n; i++) exact += (double) a[i] * data[from + i];
        double tolerance = 1e-5 * (1 + n);
        assertThat((double) SimdVectors.dot(a, data, from)).as("simd n=%d from=%d", n, from).isCloseTo(exact, within(tolerance));
        assertThat((double) Vectors.scalarDot(a, data, from)).as("scalar n=%d from=%d", n, from).isCloseTo(exact, within(tolerance));
        assertThat((double) Vectors.dot(a, data, from)).isCloseTo(exact, within(tolerance));
      }
    }
  }

  @Test
  void dotsScoresARunOfStoredVectors_likeOneDotEach() {
    SplittableRandom rnd = new SplittableRandom(7);
    int dims = 384;
    float[] q = random(rnd, dims);
    float[] data = random(rnd, dims * 50);
    float[] out = new float[20];
    Vectors.dots(q, data, 25, 20, out);
    for (int i = 0; i < 20; i++) {
      assertThat(out[i]).isCloseTo(Vectors.scalarDot(q, data, (25 + i) * dims), within(1e-3f));
    }
    float[] past = new float[30];
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Vectors.dots(q, data, 25, 30, past))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void aDotPastTheEndOfTheDataFails_ratherThanReadingGarbage() {
    float[] a = new float[16];
    float[] data = new float[20];
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> SimdVectors.dot(a, data, 8))
        .isInstanceOf(IndexOutOfBoundsException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Vectors.scalarDot(a, data, 8))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void normalisedVectorsDotToCosine() {
    float[] v = Vectors.normalised(new float[] {3, 4});
    assertThat(v[0]).isCloseTo(0.6f, within(1e-6f));
    assertThat(Vectors.dot(v, v)).isCloseTo(1f, within(1e-6f));
    assertThat(Vectors.normalised(new float[] {0, 0})).containsExactly(0f, 0f);
  }

  @Test
  void bytesRoundTrip_andAWrongLengthIsRefused() {
    float[] v = {1.5f, -2.25f, Float.MIN_VALUE, 0f};
    assertThat(Vectors.fromBytes(Vectors.toBytes(v))).containsExactly(v);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Vectors.fromBytes(new byte[5]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static float[] random(SplittableRandom rnd, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextDouble() * 2 - 1);
    return v;
  }
}
