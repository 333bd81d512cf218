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

  @Command(name = "create", description = "Make a key and print its secret (once).")
  static final class Create extends Configured {

    @Option(names = "--tenant", required = true, description = "Tenant the key belongs to.")
    String tenant;

    @Option(names = "--subject", required = true, description = "user:<id>, agent:<id> or service:<id>.")
    String subject;

    @Option(names = "--role", required = true, description = "root, admin, agent or reader.")
    String role;

    @Override
    public Integer call() {
      try (Statekeeper sk = Statekeeper.open(config())) {
        CreatedKey k = sk.keys().create(CLI, tenant, subject, Role.parse(role));
        PrintWriter out = out();
        out.println("id:     " + k.id());
        out.println("tenant: " + k.tenant() + "  subject: " + k.subject() + "  role: " + k.role().wireName());
        out.println("key:    " + k.key());
        out.println("(the key is shown only now; the store keeps its hash)");
        return 0;
      }
    }
  }

  @Command(name = "list", description = "List keys (never their secrets).")
  static final class List extends Configured {

    @Option(names = "--tenant", description = "Only this tenant.")
    String tenant;

    @Override
    public Integer call() {
      try (Statekeeper sk = Statekeeper.open(config())) {
        PrintWriter out = out();
        out.printf("%-20s %-20s %-28s %-7s %s%n", "ID", "TENANT", "SUBJECT", "ROLE", "STATE");
        for (ApiKey k : sk.keys().list(CLI, tenant)) {
          out.printf("%-20s %-20s %-28s %-7s %s%n", k.id(), k.tenant(), k.subject(), k.role().wireName(),
              k.revokedAt() == null ? "valid since " + k.createdAt() : "revoked " + k.revokedAt());
        }
        return 0;
      }
    }
  }

  @Command(name = "revoke", description = "Revoke a key by id.")
  static final class Revoke extends Configured {

    @Parameters(paramLabel = "ID", description = "The key's id (from 'keys list').")
    String id;

    @Override
    public Integer call() {
      try (Statekeeper sk = Statekeeper.open(config())) {
        ApiKey k = sk.keys().revoke(CLI, id);
        out().println("revoked " + k.id() + " (" + k.subject() + " in " + k.tenant() + ")");
        return 0;
      }
    }
  }
}
