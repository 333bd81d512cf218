package dev.statekeeper.tasks;

/** A created task, or ({@code created == false}) the one an earlier request with the same idempotency key made. */
public record CreateResult(Task task, boolean created) {}
