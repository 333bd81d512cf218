package dev.statekeeper.ops;

/**
 * One alert rule as configured: its name (also the {@code alertname} label), severity ({@code
 * critical} or {@code warning}), what it watches and its threshold. The same rules ship for
 * Prometheus in {@code docs/prometheus-alerts.yml}.
 */
public record AlertRule(String name, String severity, String description, String threshold) {}
