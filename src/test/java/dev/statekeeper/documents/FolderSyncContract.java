package dev.statekeeper.documents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.support.StoreKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --sync-dir}: files created, edited, deleted and renamed while it runs; bad files reported. */
abstract class FolderSyncContract {

  static final Duration SOON = Duration.ofSeconds(15);

  abstract StoreKind kind();

  static boolean exists(Documents docs, Caller c, String id) {
    try {
      docs.get(c, id);
      return true;
    } catch (StatekeeperException.NotFound e) {
      return false;
    }
  }

  @Test
  void filesCreatedEditedDeletedAndRenamed_arePickedUpWithinSeconds_andBadFilesAreReported(@TempDir Path tmp) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("notes"));
    Files.createDirectories(dir.resolve("guides"));
    Files.writeString(dir.resolve("guides/tea.md"), "# Tea\nBrew green tea at 80 degrees.");
    Files.writeString(dir.resolve("ignored.pdf"), "not text we index");
    Caller me = new Caller("f-" + UUID.randomUUID(), "service:folder-sync", Role.ADMIN);
    var config = kind().config(tmp.resolve("data"));
    try (Statekeeper sk = Statekeeper.open(config);
        FolderSync sync = FolderSync.start(sk.documents(), dir, me, Duration.ofMillis(100))) {
      Documents docs = sk.documents();
      await().atMost(SOON).until(() -> exists(docs, me, "guides/tea.md"));
      Document tea = docs.get(me, "guides/tea.md");
      assertThat(tea.source()).isEqualTo("file:guides/tea.md");
      assertThat(tea.title()).isEqualTo("tea.md");
      assertThat(exists(docs, me, "ignored.pdf")).isFalse();

      Files.writeString(dir.resolve("coffee.txt"), "Espresso needs fine grounds.");
      await().atMost(SOON).until(() -> exists(docs, me, "coffee.txt"));

      Files.writeString(dir.resolve("guides/tea.md"), "# Tea\nOolong is half oxidised.");
      await().atMost(SOON).until(() -> docs.get(me, "guides/tea.md").text().contains("Oolong"));
      assertThat(docs.search(me, new DocumentSearch("oxidised", "keyword", null, null))).extracting(DocumentHit::documentId).containsExactly("guides/tea.md");

      Files.move(dir.resolve("coffee.txt"), dir.resolve("guides/coffee.txt"));
      await().atMost(SOON).until(() -> exists(docs, me, "guides/coffee.txt") && !exists(docs, me, "coffee.txt"));

      Files.delete(dir.resolve("guides/coffee.txt"));
      await().atMost(SOON).until(() -> !exists(docs, me, "guides/coffee.txt"));

      Files.write(dir.resolve("latin1.txt"), new byte[] {(byte) 0xE9, (byte) 0xFF, 0x41});
      Files.writeString(dir.resolve("with space.md"), "a file name that is not a valid id");
      Files.writeString(dir.resolve("empty.md"), "   ");
      await().atMost(SOON).until(() -> sync.errors().keySet().containsAll(java.util.List.of("latin1.txt", "with space.md", "empty.md")));
      assertThat(sync.errors().get("latin1.txt")).contains("UTF-8");
      assertThat(exists(docs, me, "guides/tea.md")).as("the sync goes on").isTrue();

      Files.delete(dir.resolve("latin1.txt"));
      await().atMost(SOON).until(() -> !sync.errors().containsKey("latin1.txt"));
    }

    // a restart: unchanged files are not written again; a file removed while it was down goes
    Files.delete(dir.resolve("empty.md"));
    Files.writeString(dir.resolve("later.md"), "Written while the server was down.");
    try (Statekeeper sk = Statekeeper.open(config);
        FolderSync sync = FolderSync.start(sk.documents(), dir, me, Duration.ofMillis(100))) {
      Documents docs = sk.documents();
      await().atMost(SOON).until(() -> exists(docs, me, "later.md"));
      await().atMost(SOON).until(() -> sync.lastScan() != null);
      assertThat(docs.get(me, "guides/tea.md").version()).isEqualTo(2);
    }
  }
}
