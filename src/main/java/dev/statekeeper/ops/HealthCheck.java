package dev.statekeeper.ops;

/**
 * One check of {@code /health}: the database, the pool, the disk, a cache, a background loop.
 * A check should answer within a second or two; {@link HealthChecks} gives up after {@link
 * HealthChecks#TIMEOUT} and reports it DOWN. Throwing counts as DOWN, with the message as reason.
 */
@FunctionalInterface
public interface HealthCheck {
  Health check() throws Exception;
}
