package dev.statekeeper.access;

/** The answer to a check and why: which grant allowed it, or that none did. */
public record Decision(boolean allowed, String reason) {}
