package dev.statekeeper.bench;

import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** A run's figures: a terminal summary, a JSON file with every figure, a self-contained HTML page. */
final class BenchReport {

  private static final double[] PERCENTILES = {50, 90, 95, 99, 99.9};

  private BenchReport() {}

  static Map<String, Object> figures(Map<String, OpStats> stats, Bench.Options o, Duration duration) {
    Map<String, Object> all = new LinkedHashMap<>();
    Map<String, Object> options = new LinkedHashMap<>();
    options.put("rate", o.rate());
    options.put("duration_seconds", duration.toSeconds());
    options.put("tasks", o.tasks());
    options.put("threads", o.threads());
    options.put("consumers", o.consumers());
    options.put("claim_batch", o.claimBatch());
    all.put("options", options);
    Map<String, Object> ops = new LinkedHashMap<>();
    for (OpStats s : stats.values()) {
      Histogram total = s.total();
      if (total.getTotalCount() == 0 && s.statuses().isEmpty()) continue;
      Map<String, Object> op = describe(total, s.series().isEmpty() ? 0 : s.series().get(s.series().size() - 1).second());
      op.put("statuses", s.statuses());
      Map<String, Object> phases = new LinkedHashMap<>();
      s.phases().forEach((phase, h) -> {
        if (h.getTotalCount() > 0) phases.put(phase, describe(h, s.series().stream().filter(p -> p.phase().equals(phase)).count()));
      });
      op.put("phases", phases);
      ops.put(s.name, op);
    }
    all.put("operations", ops);
    return all;
  }

  private static Map<String, Object> describe(Histogram h, double seconds) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", h.getTotalCount());
    m.put("per_second", seconds > 0 ? Math.round(h.getTotalCount() / seconds * 10) / 10.0 : null);
    for (double p : PERCENTILES) {
      m.put("p" + (p == 99.9 ? "99_9" : String.valueOf((int) p)) + "_ms", round(OpStats.ms(h, p)));
    }
    m.put("max_ms", round(h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0));
    return m;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  @SuppressWarnings("unchecked")
  static void printSummary(Bench.Result r, PrintStream out) {
    if (out == null) return;
    out.printf(Locale.ROOT, "%n%-22s %9s %9s %9s %9s %9s %9s %9s %9s  %s%n",
        "operation", "count", "per s", "p50 ms", "p90 ms", "p95 ms", "p99 ms", "p99.9 ms", "max ms", "answers");
    Map<String, Object> ops = (Map<String, Object>) r.figures().get("operations");
    ops.forEach((name, v) -> {
      Map<String, Object> m = (Map<String, Object>) v;
      out.printf(Locale.ROOT, "%-22s %9s %9s %9s %9s %9s %9s %9s %9s  %s%n", name, m.get("count"), m.get("per_second"),
          m.get("p50_ms"), m.get("p90_ms"), m.get("p95_ms"), m.get("p99_ms"), m.get("p99_9_ms"), m.get("max_ms"), m.get("statuses"));
    });
    if (r.knee() != null) out.println("knee: " + r.knee());
    out.println();
    for (Invariants.Check c : r.invariants()) {
      out.printf("%s  %-52s %s%n", c.pass() ? "PASS" : "FAIL", c.name(), c.detail());
    }
    out.println(r.passed() ? "all invariants held" : "INVARIANTS FAILED");
  }

  static void writeJson(Bench.Result r, Path file) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("scenario", r.scenario());
    doc.put("target", r.target());
    doc.putAll(r.figures());
    doc.put("knee", r.knee());
    doc.put("invariants", r.invariants());
    doc.put("passed", r.passed());
    try {
      BenchClient.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), doc);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** One HTML file, no scripts or downloads: latency over time and percentile plots as inline SVG. */
  static void writeHtml(Bench.Result r, Path file) {
    StringBuilder h = new StringBuilder();
    h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>statekeeper bench ").append(esc(r.scenario()))
        .append("</title><style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}"
            + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f4f4f4}.pass{color:#070}.fail{color:#b00}"
            + "svg{background:#fafafa;border:1px solid #ddd;margin:6px 0}</style></head><body>");
    h.append("<h1>statekeeper bench: ").append(esc(r.scenario())).append("</h1><p>target ").append(esc(r.target()))
        .append(r.knee() == null ? "" : "<br>knee: " + esc(r.knee())).append("</p><h2>Invariants</h2><ul>");
    for (Invariants.Check c : r.invariants()) {
      h.append("<li class=\"").append(c.pass() ? "pass\">PASS " : "fail\">FAIL ").append(esc(c.name())).append(": ").append(esc(c.detail())).append("</li>");
    }
    h.append("</ul><h2>Operations</h2>");
    for (OpStats s : r.stats().values()) {
      Histogram total = s.total();
      if (total.getTotalCount() == 0) continue;
      h.append("<h3>").append(esc(s.name)).append("</h3><table><tr><th>count</th>");
      for (double p : PERCENTILES) h.append("<th>p").append(p == 99.9 ? "99.9" : String.valueOf((int) p)).append(" ms</th>");
      h.append("<th>max ms</th><th>answers</th></tr><tr><td>").append(total.getTotalCount()).append("</td>");
      for (double p : PERCENTILES) h.append(String.format(Locale.ROOT, "<td>%.2f</td>", OpStats.ms(total, p)));
      h.append(String.format(Locale.ROOT, "<td>%.2f</td><td>%s</td></tr></table>", total.getMaxValue() / 1000.0, esc(s.statuses().toString())));
      h.append(overTime(s.series())).append(percentiles(total));
    }
    h.append("</body></html>\n");
    try {
      Files.writeString(file, h);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static String overTime(List<OpStats.Point> series) {
    if (series.isEmpty()) return "";
    double maxT = series.get(series.size() - 1).second();
    double maxY = Math.max(1, series.stream().mapToDouble(OpStats.Point::p99Ms).max().orElse(1));
    StringBuilder p50 = new StringBuilder();
    StringBuilder p99 = new StringBuilder();
    for (OpStats.Point pt : series) {
      if (pt.count() == 0) continue;
      double x = 50 + 700 * pt.second() / Math.max(1, maxT);
      p50.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, 210 - 190 * pt.p50Ms() / maxY));
      p99.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, 210 - 190 * pt.p99Ms() / maxY));
    }
    return String.format(Locale.ROOT,
        "<svg width=\"780\" height=\"240\"><text x=\"50\" y=\"14\">latency over time (ms): p50 blue, p99 red; max %.1f ms over %.0f s</text>"
            + "<line x1=\"50\" y1=\"210\" x2=\"750\" y2=\"210\" stroke=\"#999\"/><line x1=\"50\" y1=\"20\" x2=\"50\" y2=\"210\" stroke=\"#999\"/>"
            + "<polyline fill=\"none\" stroke=\"#36c\" points=\"%s\"/><polyline fill=\"none\" stroke=\"#c33\" points=\"%s\"/></svg>",
        maxY, maxT, p50, p99);
  }

  private static String percentiles(Histogram h) {
    double[] ps = {0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100};
    double maxY = Math.max(0.001, h.getMaxValue() / 1000.0);
    StringBuilder pts = new StringBuilder();
    StringBuilder labels = new StringBuilder();
    for (int i = 0; i < ps.length; i++) {
      double v = (ps[i] == 100 ? h.getMaxValue() : h.getValueAtPercentile(ps[i])) / 1000.0;
      double x = 50 + 700.0 * i / (ps.length - 1);
      pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, 210 - 190 * v / maxY));
      labels.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"228\" font-size=\"10\">%s</text>", x - 10, ps[i] == 100 ? "max" : ps[i]));
    }
    return String.format(Locale.ROOT,
        "<svg width=\"780\" height=\"240\"><text x=\"50\" y=\"14\">latency by percentile (ms, up to %.1f)</text>"
            + "<line x1=\"50\" y1=\"210\" x2=\"750\" y2=\"210\" stroke=\"#999\"/><polyline fill=\"none\" stroke=\"#393\" points=\"%s\"/>%s</svg>",
        maxY, pts, labels);
  }

  private static String esc(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
