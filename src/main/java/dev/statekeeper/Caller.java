package dev.statekeeper;

import java.util.Objects;

/**
 * Who is acting: the tenant whose rows an operation may touch, the subject recorded in audit
 * trails ({@code user:alice}, {@code agent:worker-1}) and the role of the key.
 *
 * <p>The HTTP layer builds one from the API key of each request; embedded users build one
 * directly, e.g. {@code Caller.admin("acme")}.
 */
public record Caller(String tenant, String subject, Role role) {

  public Caller {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(role, "role");
  }

  /** An administrator of {@code tenant}, for in-process use. */
  public static Caller admin(String tenant) {
    return new Caller(tenant, "system:embedded", Role.ADMIN);
  }

  /** The same identity acting in another tenant (only root keys may do this over HTTP). */
  public Caller inTenant(String otherTenant) {
    return new Caller(otherTenant, subject, role);
  }
}
