package dev.statekeeper.documents;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits text into overlapping chunks of whole words. The contract asks for chunks of at most
 * ~256 tokens; English averages about 1.3 word-piece tokens per word, so a chunk is at most
 * {@link #WORDS} words, and each chunk repeats the last {@link #OVERLAP} words of the one before,
 * so a sentence cut at a boundary is still whole in one of them. Whitespace inside a chunk is
 * kept as written.
 */
final class Chunker {

  static final int WORDS = 190;
  static final int OVERLAP = 40;

  private Chunker() {}

  static List<String> chunks(String text) {
    return chunks(text, WORDS, OVERLAP);
  }

  static List<String> chunks(String text, int words, int overlap) {
    // word boundaries: [start, end) of each run of non-whitespace
    List<int[]> spans = new ArrayList<>();
    int i = 0;
    int n = text.length();
    while (i < n) {
      while (i < n && Character.isWhitespace(text.charAt(i))) i++;
      int start = i;
      while (i < n && !Character.isWhitespace(text.charAt(i))) i++;
      if (i > start) spans.add(new int[] {start, i});
    }
    List<String> out = new ArrayList<>();
    if (spans.isEmpty()) {
      return out;
    }
    int step = words - overlap;
    for (int first = 0; ; first += step) {
      int last = Math.min(spans.size(), first + words) - 1;
      out.add(text.substring(spans.get(first)[0], spans.get(last)[1]));
      if (last == spans.size() - 1) {
        return out;
      }
    }
  }
}
