package dev.statekeeper.search;

import dev.statekeeper.StatekeeperException.InvalidInput;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The words of a keyword query, for memory and documents alike: at most 32 distinct words of letters, digits and marks, in the order given; everything else
 * separates words, so no query is a syntax error in either store's full-text syntax.
 */
public final class SearchTerms {

  public static final int MAX_QUERY = 1_000;
  private static final int MAX_TERMS = 32;
  private static final int MAX_TERM = 64;
  private static final Pattern TERM = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N}\\p{M}]*");

  private SearchTerms() {}

  /** The words of {@code query}; 400 {@code invalid_query} when it is null, blank or too long. */
  public static List<String> of(String query) {
    if (query == null || query.isBlank()) {
      throw new InvalidInput("invalid_query", "query is required and may not be blank");
    }
    if (query.length() > MAX_QUERY) {
      throw new InvalidInput("invalid_query", "query may be at most " + MAX_QUERY + " characters; got " + query.length());
    }
    LinkedHashSet<String> terms = new LinkedHashSet<>();
    Matcher m = TERM.matcher(query);
    while (m.find() && terms.size() < MAX_TERMS) {
      String t = m.group().toLowerCase(Locale.ROOT);
      if (t.length() <= MAX_TERM) {
        terms.add(t);
      }
    }
    return new ArrayList<>(terms);
  }
}
