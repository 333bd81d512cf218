package dev.statekeeper.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.statekeeper.search.VectorSlab;
import dev.statekeeper.search.Vectors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The contiguous per-tenant store of the vector index ({@link VectorSlab} with memory's filters) against a plain map doing the same. */
class VectorSlabTest {

  static float[] unit(Random r, int dims) {
    float[] v = new float[dims];
    double n = 0;
    for (int i = 0; i < dims; i++) {
      v[i] = (float) r.nextGaussian();
      n += v[i] * v[i];
    }
    for (int i = 0; i < dims; i++) v[i] /= (float) Math.sqrt(n);
    return v;
  }

  @Test
  void putsReplacementsAndRemovals_inAnyOrder_searchLikeAPlainMap() {
    Random r = new Random(7);
    int dims = 24;
    VectorSlab<VectorIndex.Item> slab = new VectorSlab<VectorIndex.Item>();
    Map<String, float[]> truth = new HashMap<>();
    Map<String, VectorIndex.Item> items = new HashMap<>();
    for (int step = 0; step < 20_000; step++) { // up to 3,000 keys: several runs of Slab.RUN
      String key = "k" + r.nextInt(3000);
      String ns = "ns" + (key.hashCode() & 3);
      if (r.nextInt(4) == 0) {
        slab.remove(key);
        truth.remove(key);
        items.remove(key);
      } else {
        float[] v = unit(r, dims);
        VectorIndex.Item item = new VectorIndex.Item(ns, key, step, MemoryType.SEMANTIC);
        slab.put(key, item, v);
        truth.put(key, v);
        items.put(key, item);
      }
      if (step % 1000 == 0) {
        float[] q = unit(r, dims);
        List<String> expected = new ArrayList<>(truth.keySet());
        expected.sort((a, b) -> Float.compare(Vectors.dot(q, truth.get(b)), Vectors.dot(q, truth.get(a))));
        List<VectorSlab.Hit<VectorIndex.Item>> got = slab.search(q, null, 10);
        assertThat(got).extracting(c -> c.item().key()).containsExactlyElementsOf(expected.subList(0, Math.min(10, expected.size())));
        assertThat(got).allSatisfy(c -> assertThat(c.item()).isSameAs(items.get(c.item().key())));
        assertThat(slab.size()).isEqualTo(truth.size());
      }
    }
    // filters: only ns1, whole segments
    float[] q = unit(r, dims);
    assertThat(slab.search(q, VectorIndex.filter(List.of("ns1"), null), 1000)).isNotEmpty()
        .allSatisfy(c -> assertThat(c.item().namespace()).isEqualTo("ns1"));
    assertThat(slab.search(q, VectorIndex.filter(List.of("ns"), null), 1000)).isEmpty();
    assertThat(slab.search(q, VectorIndex.filter(null, MemoryType.EPISODIC), 10)).isEmpty();
  }

  @Test
  void aVectorOfAnotherLength_isNotKept_andAQueryOfAnotherLengthFindsNothing() {
    Random r = new Random(1);
    VectorSlab<VectorIndex.Item> slab = new VectorSlab<VectorIndex.Item>();
    slab.put("a", new VectorIndex.Item("n", "a", 1, MemoryType.SEMANTIC), unit(r, 8));
    slab.put("b", new VectorIndex.Item("n", "b", 1, MemoryType.SEMANTIC), unit(r, 8));
    slab.put("a", new VectorIndex.Item("n", "a", 2, MemoryType.SEMANTIC), unit(r, 16)); // another model's: a is gone
    assertThat(slab.size()).isEqualTo(1);
    assertThat(slab.search(unit(r, 8), null, 10)).extracting(c -> c.item().key()).containsExactly("b");
    assertThat(slab.search(unit(r, 16), null, 10)).isEmpty();
  }
}
