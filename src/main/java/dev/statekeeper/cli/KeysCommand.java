package dev.statekeeper.cli;

import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.keys.ApiKey;
import dev.statekeeper.keys.CreatedKey;
import dev.statekeeper.keys.Keys;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = {
      "Manage API keys directly in the store, as root (for example to replace a lost root key).",
      "On SQLite, stop the server first; with a running server use POST/GET/DELETE /v1/keys."
    },
    subcommands = {KeysCommand.Create.class, KeysCommand.List.class, KeysCommand.Revoke.class})
final class KeysCommand implements Runnable {

  @Spec CommandSpec spec;

  private static final Caller CLI = new Caller(Keys.DEFAULT_TENANT, "service:cli", Role.ROOT);

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** A subcommand: opens the store its settings name, acts on the keys as root, prints, exits 0. */
  abstract static class OnKeys extends Configured {

    @Override
    public final Integer call() {
      try (Statekeeper sk = Statekeeper.open(config())) {
        run(sk.keys(), out());
        return 0;
      }
    }

    abstract void run(Keys keys, PrintWriter out);
  }

  @Command(name = "create", description = "Make a key and print its secret (once).")
  static final class Create extends OnKeys {

    @Option(names = "--tenant", required = true, description = "Tenant the key belongs to.")
    String tenant;

    @Option(names = "--subject", required = true, description = "user:<id>, agent:<id> or service:<id>.")
    String subject;

    @Option(names = "--role", required = true, description = "root, admin, agent or reader.")
    String role;

    @Override
    void run(Keys keys, PrintWriter out) {
      CreatedKey k = keys.create(CLI, tenant, subject, Role.parse(role));
      out.println("id:     " + k.id());
      out.println("tenant: " + k.tenant() + "  subject: " + k.subject() + "  role: " + k.role().wireName());
      out.println("key:    " + k.key());
      out.println("(the key is shown only now; the store keeps its hash)");
    }
  }

  @Command(name = "list", description = "List keys (never their secrets).")
  static final class List extends OnKeys {

    @Option(names = "--tenant", description = "Only this tenant.")
    String tenant;

    @Override
    void run(Keys keys, PrintWriter out) {
      out.printf("%-20s %-20s %-28s %-7s %s%n", "ID", "TENANT", "SUBJECT", "ROLE", "STATE");
      for (ApiKey k : keys.list(CLI, tenant)) {
        out.printf("%-20s %-20s %-28s %-7s %s%n", k.id(), k.tenant(), k.subject(), k.role().wireName(),
            k.revokedAt() == null ? "valid since " + k.createdAt() : "revoked " + k.revokedAt());
      }
    }
  }

  @Command(name = "revoke", description = "Revoke a key by id.")
  static final class Revoke extends OnKeys {

    @Parameters(paramLabel = "ID", description = "The key's id (from 'keys list').")
    String id;

    @Override
    void run(Keys keys, PrintWriter out) {
      ApiKey k = keys.revoke(CLI, id);
      out.println("revoked " + k.id() + " (" + k.subject() + " in " + k.tenant() + ")");
    }
  }
}
