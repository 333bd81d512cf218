package dev.statekeeper.access;

import dev.statekeeper.StatekeeperException.InvalidInput;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The spelling of resources and subjects, checked strictly so that two different strings never
 * mean the same thing. Resources: {@code memory:<namespace>}, {@code session:<id>}, {@code
 * task:<id>}, {@code document:<id>}, {@code queue:<name>}, {@code team:<name>}. Subjects: {@code
 * user:<id>}, {@code agent:<id>}, {@code service:<id>}, {@code team:<name>#member}, {@code *}.
 */
final class Names {

  private Names() {}

  static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+){0,7}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.@:-]{1,128}");
  private static final Pattern ID = Pattern.compile("[^\\p{Cntrl}\\s]{1,256}");
  private static final Pattern SUBJECT = Pattern.compile("(user|agent|service):[A-Za-z0-9_.@:-]{1,128}");
  private static final Pattern TEAM_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

  static String resource(String r) {
    if (r == null) throw invalidResource(null);
    int colon = r.indexOf(':');
    if (colon <= 0) throw invalidResource(r);
    String type = r.substring(0, colon);
    String rest = r.substring(colon + 1);
    boolean ok =
        switch (type) {
          case "memory" -> rest.length() <= 256 && NAMESPACE.matcher(rest).matches();
          case "session", "task", "document" -> ID.matcher(rest).matches();
          case "queue" -> NAME.matcher(rest).matches() && rest.length() <= 128;
          case "team" -> TEAM_NAME.matcher(rest).matches();
          default -> false;
        };
    if (!ok) throw invalidResource(r);
    return r;
  }

  static String type(String resource) {
    return resource.substring(0, resource.indexOf(':'));
  }

  static String subject(String s) {
    if (s != null && (s.equals("*") || SUBJECT.matcher(s).matches())) return s;
    if (s != null && s.startsWith("team:") && s.endsWith("#member")
        && TEAM_NAME.matcher(s.substring(5, s.length() - 7)).matches()) {
      return s;
    }
    throw new InvalidInput(
        "invalid_subject",
        "subject must be user:<id>, agent:<id>, service:<id>, team:<name>#member or *; got "
            + (s == null ? "nothing" : "'" + s + "'"));
  }

  /** A subject that can call (holds a key), as opposed to a team or everyone. */
  static String caller(String s) {
    if (s != null && SUBJECT.matcher(s).matches()) return s;
    throw new InvalidInput("invalid_subject", "checks are for user:, agent: or service: subjects; got " + (s == null ? "nothing" : "'" + s + "'"));
  }

  static void relationFits(String resource, Relation relation) {
    boolean team = type(resource).equals("team");
    if (team != (relation == Relation.MEMBER)) {
      throw new InvalidInput(
          "invalid_relation", team ? "teams take only the relation member" : "member is the relation of team:<name> only");
    }
  }

  /**
   * The resources whose grants apply to {@code resource}: itself, and for memory every whole
   * segment prefix of its namespace ({@code memory:user:alice} covers {@code
   * memory:user:alice:prefs}).
   */
  static List<String> withAncestors(String resource) {
    List<String> out = new ArrayList<>();
    out.add(resource);
    if (resource.startsWith("memory:")) {
      String ns = resource.substring("memory:".length());
      for (int i = ns.lastIndexOf(':'); i > 0; i = ns.lastIndexOf(':', i - 1)) {
        out.add("memory:" + ns.substring(0, i));
      }
    }
    return out;
  }

  private static InvalidInput invalidResource(String r) {
    return new InvalidInput(
        "invalid_resource",
        "resource must be memory:<namespace>, session:<id>, task:<id>, document:<id>, queue:<name> or team:<name>; got "
            + (r == null ? "nothing" : "'" + r + "'"));
  }
}
