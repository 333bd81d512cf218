package dev.statekeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.statekeeper.cli.CliStore.Run;
import dev.statekeeper.support.StoreKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code statekeeper import-json} as a user runs it: exit codes, what it prints, what it leaves behind. */
class ImportJsonCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private static Run importJson(CliStore store, String... args) {
    List<String> all = new ArrayList<>(List.of("import-json"));
    all.addAll(List.of(args));
    return store.run(all);
  }

  private Path file(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content);
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void importJson_ofAMissingFile_printsOneLine_exits2_andCreatesNoStore(StoreKind kind) throws Exception {
    CliStore store = CliStore.of(kind, dir);

    Run r = importJson(store, dir.resolve("missing.json").toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().lines().toList()).containsExactly("statekeeper: cannot read " + dir.resolve("missing.json") + ": no such file");
    assertThat(r.out()).isEmpty();
    store.assertUntouched();
  }

  /** Files with nothing to import, and the reason given: an empty one, an HTML error page, JSON without any collection. */
  static Stream<Arguments> nothingToImport() {
    return Stream.of(StoreKind.values()).flatMap(kind -> Stream.of(
        Arguments.of(kind, "empty.json", "", "empty.json is empty (0 bytes)"),
        Arguments.of(kind, "state.json", "<html>502 Bad Gateway</html>\n",
            "state.json holds no JSON object or array: it starts with \"<html>502 Bad Gateway</html>\""),
        Arguments.of(kind, "config.json", "{\"port\": 8080, \"debug\": true}",
            "config.json holds JSON, but no tasks, sessions or memory (--mapping reads other shapes)")));
  }

  @ParameterizedTest(name = "[{index}] {0} {1}")
  @MethodSource("nothingToImport")
  void importJson_ofAFileWithNothingToImport_exits1WithTheReason_andCreatesNoStore(
      StoreKind kind, String name, String content, String reason) throws Exception {
    CliStore store = CliStore.of(kind, dir);

    Run r = importJson(store, file(name, content).toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.errLines()).containsExactly("statekeeper: nothing to import: " + reason);
    store.assertUntouched();
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void importJson_whereEveryRecordIsRejected_exits1_writesNothing_andKeepsNoCopy(StoreKind kind) throws Exception {
    CliStore store = CliStore.of(kind, dir);
    Path f = file("state.json", "{\"tasks\": [{\"id\": \"a\", \"type\": \"t\", \"status\": \"zombie\"}, {\"id\": \"b\"}]}");

    Run r = importJson(store, f.toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.errLines()).containsExactly(
        "statekeeper: nothing to import: none of the 2 records in state.json is whole and valid (0 cut off, 2 rejected or without an id)");
    assertThat(r.out()).contains("rejected:", "task a: unknown status 'zombie'");
    assertThat(store.count("tasks")).isZero();
    assertThat(store.dataDir().resolve("backups/imports")).doesNotExist();
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void importJson_endsWithOneSummaryLine_andPrintsTheFullReportOnlyWithJson(StoreKind kind) throws Exception {
    CliStore store = CliStore.of(kind, dir);
    String text = "{\"tasks\": [{\"id\": \"a\", \"type\": \"t\"}, {\"id\": \"b\", \"type\": \"t\", \"status\": \"zombie\"}],"
        + " \"memory\": {\"colour\": \"green\"}}\ngarbage";
    Path f = file("state.json", text);

    Run dry = importJson(store, f.toString(), "--dry-run", "--tenant", "acme");
    Run real = importJson(store, f.toString(), "--tenant", "acme");
    Run again = importJson(store, f.toString(), "--tenant", "acme", "--json");

    assertThat(dry.code()).isZero();
    assertThat(dry.outLines().get(dry.outLines().size() - 1)).isEqualTo(
        "Dry run: 1 task, 0 sessions and 1 memory entry would be imported from " + f + " into tenant 'acme' (1 rejected); nothing was written.");
    assertThat(dry.out()).doesNotContain("{").contains("repairs: 7 stray characters dropped");

    assertThat(real.code()).isZero();
    assertThat(real.outLines().get(real.outLines().size() - 1)).isEqualTo(
        "Imported 1 task, 0 sessions and 1 memory entry from " + f + " into tenant 'acme' (1 rejected).");
    assertThat(real.outLines()).anySatisfy(l -> assertThat(l).matches("tasks +2 +1 +1 +0 +0 +0 +1"));
    assertThat(real.out()).contains("task b: unknown status 'zombie'", "copy of the file: ");
    assertThat(store.count("tasks")).isEqualTo(1);

    assertThat(again.code()).isZero();
    JsonNode report = JSON.readTree(again.out()); // standard output is the report and nothing else
    assertThat(report.at("/tasks/already_present").asInt()).isEqualTo(1);
    assertThat(report.at("/tasks/rejected/0/reason").asText()).contains("zombie");
    assertThat(report.get("nothing_to_import").isNull()).isTrue();
    assertThat(again.errLines()).containsExactly(
        "Imported 0 tasks, 0 sessions and 0 memory entries from " + f + " into tenant 'acme' (2 already present, 1 rejected).");
  }
}
