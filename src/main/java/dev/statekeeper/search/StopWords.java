package dev.statekeeper.search;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * English function words ("what", "the", "does"), as in the Snowball list PostgreSQL's {@code
 * english} configuration uses. The keyword side of a hybrid search leaves them out: SQLite's FTS5
 * keeps them, and a question phrased in other words than its answer would otherwise pull in every
 * text that says "the", whose double presence in both rankings then outranks the real answer.
 */
public final class StopWords {

  private static final Set<String> WORDS =
      Set.of(
          "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself",
          "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself",
          "they", "them", "their", "theirs", "themselves", "what", "which", "who", "whom", "this", "that", "these",
          "those", "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had", "having", "do",
          "does", "did", "doing", "a", "an", "the", "and", "but", "if", "or", "because", "as", "until", "while",
          "of", "at", "by", "for", "with", "about", "against", "between", "into", "through", "during", "before",
          "after", "above", "below", "to", "from", "up", "down", "in", "out", "on", "off", "over", "under", "again",
          "further", "then", "once", "here", "there", "when", "where", "why", "how", "all", "any", "both", "each",
          "few", "more", "most", "other", "some", "such", "no", "nor", "not", "only", "own", "same", "so", "than",
          "too", "very", "s", "t", "can", "will", "just", "don", "should", "now");

  private StopWords() {}

  /** {@code terms} without stop words (compared in lower case). */
  public static List<String> without(List<String> terms) {
    return terms.stream().filter(t -> !WORDS.contains(t.toLowerCase(Locale.ROOT))).toList();
  }
}
