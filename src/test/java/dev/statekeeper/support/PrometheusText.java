package dev.statekeeper.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A parsed Prometheus text exposition, for assertions on {@code /metrics}. */
public final class PrometheusText {

  private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})?\\s+(\\S+)");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** One sample: a name, its labels and its value. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples;

  private PrometheusText(List<Sample> samples) {
    this.samples = samples;
  }

  public static PrometheusText parse(String text) {
    List<Sample> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) continue;
      Matcher m = LINE.matcher(line);
      if (!m.find()) continue;
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find()) labels.put(l.group(1), l.group(2));
      }
      String v = m.group(3);
      double value = v.equals("+Inf") ? Double.POSITIVE_INFINITY : v.equals("-Inf") ? Double.NEGATIVE_INFINITY : Double.parseDouble(v);
      out.add(new Sample(m.group(1), labels, value));
    }
    return new PrometheusText(out);
  }

  public List<Sample> samples(String name, Map<String, String> where) {
    return samples.stream()
        .filter(s -> s.name().equals(name) && where.entrySet().stream().allMatch(e -> e.getValue().equals(s.labels().get(e.getKey()))))
        .toList();
  }

  /** The value of the one sample matching; fails when none or several match. */
  public double value(String name, Map<String, String> where) {
    List<Sample> s = samples(name, where);
    if (s.size() != 1) {
      throw new AssertionError(s.size() + " samples of " + name + " match " + where + ": " + s);
    }
    return s.get(0).value();
  }

  /** The sum over every sample matching (NaN counts as 0). */
  public double sum(String name, Map<String, String> where) {
    return samples(name, where).stream().mapToDouble(Sample::value).filter(v -> !Double.isNaN(v)).sum();
  }

  public boolean has(String name) {
    return samples.stream().anyMatch(s -> s.name().equals(name));
  }
}
