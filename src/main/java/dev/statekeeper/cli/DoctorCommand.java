package dev.statekeeper.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.ops.Doctor;
import dev.statekeeper.ops.DoctorCheck;
import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "doctor",
    header = "Check this machine, the settings and the store before a launch.",
    description = {
      "Check this machine, the settings and the store before a launch (read-only; nothing is started or migrated). Takes the same settings as serve. Exit code 1 when a check fails, 0 otherwise (warnings included)."
    })
final class DoctorCommand extends Configured {

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  private final List<String> args;

  DoctorCommand(List<String> args) {
    this.args = args;
  }

  @Override
  public Integer call() throws Exception {
    StatekeeperConfig config = null;
    String error = null;
    try {
      config = config();
    } catch (IllegalArgumentException | StatekeeperException.InvalidInput e) {
      error = e.getMessage();
    }
    List<DoctorCheck> checks = Doctor.run(config, error, args);
    DoctorCheck.Status overall = Doctor.overall(checks);
    Map<DoctorCheck.Status, Integer> counts = new EnumMap<>(DoctorCheck.Status.class);
    for (DoctorCheck.Status s : DoctorCheck.Status.values()) counts.put(s, 0);
    checks.forEach(c -> counts.merge(c.status(), 1, Integer::sum));
    PrintWriter out = out();
    if (json) {
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("status", lower(overall));
      Map<String, Object> summary = new LinkedHashMap<>();
      counts.forEach((s, n) -> summary.put(lower(s), n));
      report.put("summary", summary);
      report.put("checks", checks.stream().map(DoctorCommand::asMap).toList());
      out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
    } else {
      for (DoctorCheck c : checks) {
        out.printf(Locale.ROOT, "%-4s  %-26s %s%n", c.status(), c.name(), c.message());
        if (c.fix() != null) {
          out.printf(Locale.ROOT, "      %-26s fix: %s%n", "", c.fix());
        }
      }
      out.printf(Locale.ROOT, "%n%d checks: %d pass, %d warn, %d fail, %d skipped — %s%n", checks.size(),
          counts.get(DoctorCheck.Status.PASS), counts.get(DoctorCheck.Status.WARN), counts.get(DoctorCheck.Status.FAIL),
          counts.get(DoctorCheck.Status.SKIP),
          overall == DoctorCheck.Status.FAIL ? "fix the failures before starting" : "ready to start");
    }
    out.flush();
    return overall == DoctorCheck.Status.FAIL ? 1 : 0;
  }

  private static Map<String, Object> asMap(DoctorCheck c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", c.name());
    m.put("status", lower(c.status()));
    m.put("message", c.message());
    m.put("fix", c.fix());
    return m;
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
