package dev.statekeeper.access;

/** {@code subject} has {@code relation} on {@code resource}, e.g. ({@code memory:user:alice}, owner, {@code user:alice}). */
public record Grant(String resource, Relation relation, String subject) {}
