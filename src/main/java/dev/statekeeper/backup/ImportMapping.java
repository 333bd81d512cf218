package dev.statekeeper.backup;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where an orchestrator's state file keeps its records and what its fields are called. The
 * default reads the common shape ({@code {"tasks": [...]}} or a map of id → task, or a bare array
 * of tasks) with the usual field names; a mapping file overrides any of it:
 *
 * <pre>{@code
 * {"tasks": {"path": "state.jobs", "fields": {"id": "job_id", "type": "kind", "agent": "worker"}},
 *  "status_values": {"in_review": "claimed"},
 *  "priority_values": {"p0": "CRITICAL"}}
 * }</pre>
 */
record ImportMapping(String tasksPath, Map<String, List<String>> taskFields, Map<String, String> statusValues,
    Map<String, String> priorityValues, String sessionsPath, Map<String, List<String>> sessionFields, String memoryPath,
    Map<String, List<String>> memoryFields, String memoryNamespace) {

  static final Map<String, List<String>> DEFAULT_SESSION_FIELDS = Map.ofEntries(
      Map.entry("id", List.of("id", "session_id", "thread_id", "conversation_id")),
      Map.entry("agent", List.of("agent", "agent_id", "assistant")),
      Map.entry("user", List.of("user", "user_id")),
      Map.entry("state", List.of("state", "context", "variables")),
      Map.entry("status", List.of("status")),
      Map.entry("events", List.of("events", "messages", "history", "turns", "log")),
      Map.entry("created_at", List.of("created_at", "createdAt", "started_at", "timestamp")),
      // within one event
      Map.entry("event_type", List.of("type", "kind", "event", "role")),
      Map.entry("event_data", List.of("data", "content", "payload", "message", "text")));

  static final Map<String, List<String>> DEFAULT_MEMORY_FIELDS = Map.ofEntries(
      Map.entry("namespace", List.of("namespace", "ns", "scope", "collection")),
      Map.entry("key", List.of("key", "id", "name")),
      Map.entry("value", List.of("value", "data", "content")),
      Map.entry("type", List.of("type", "memory_type")),
      Map.entry("text", List.of("text", "summary", "description")),
      Map.entry("metadata", List.of("metadata", "meta")));

  /** Session statuses that mean the session is over; any other is active. */
  static final java.util.Set<String> ENDED_SESSION =
      java.util.Set.of("terminated", "closed", "ended", "done", "completed", "finished", "archived", "expired");

  static final Map<String, List<String>> DEFAULT_TASK_FIELDS = Map.ofEntries(
      Map.entry("id", List.of("id", "task_id", "uuid", "key")),
      Map.entry("type", List.of("type", "kind", "task_type", "name", "action")),
      Map.entry("status", List.of("status", "state")),
      Map.entry("priority", List.of("priority", "prio", "urgency")),
      Map.entry("agent", List.of("assigned_to", "assignee", "agent", "worker", "claimed_by", "owner")),
      Map.entry("payload", List.of("payload", "data", "input", "params", "args", "arguments")),
      Map.entry("result", List.of("result", "output")),
      Map.entry("error", List.of("error", "last_error", "failure")),
      Map.entry("queue", List.of("queue", "channel")),
      Map.entry("attempt", List.of("attempts", "attempt", "retries", "retry_count", "tries")),
      Map.entry("max_attempts", List.of("max_attempts", "max_tries")),
      Map.entry("created_at", List.of("created_at", "createdAt", "created", "timestamp")),
      Map.entry("deadline", List.of("deadline", "due", "due_at")));

  static final Map<String, String> DEFAULT_STATUS = statusDefaults();
  static final Map<String, String> DEFAULT_PRIORITY = priorityDefaults();

  static ImportMapping defaults() {
    return new ImportMapping("tasks", DEFAULT_TASK_FIELDS, DEFAULT_STATUS, DEFAULT_PRIORITY,
        "sessions", DEFAULT_SESSION_FIELDS, "memory", DEFAULT_MEMORY_FIELDS, "imported");
  }

  /** The default, changed by what {@code file} says. */
  static ImportMapping read(Path file) {
    JsonNode m;
    try {
      m = RowCodec.CANONICAL.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the mapping file " + file + ": " + e.getMessage());
    }
    if (m == null || !m.isObject()) {
      throw new IllegalArgumentException("the mapping file " + file + " must hold a JSON object");
    }
    List<String> known = List.of("tasks", "sessions", "memory", "status_values", "priority_values");
    for (var it = m.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name)) {
        throw new IllegalArgumentException("unknown entry '" + name + "' in the mapping file (known: " + String.join(", ", known) + ")");
      }
    }
    Map<String, String> status = new LinkedHashMap<>(DEFAULT_STATUS);
    m.path("status_values").fields().forEachRemaining(e -> status.put(norm(e.getKey()), e.getValue().asText().toLowerCase(Locale.ROOT)));
    Map<String, String> priority = new LinkedHashMap<>(DEFAULT_PRIORITY);
    m.path("priority_values").fields().forEachRemaining(e -> priority.put(norm(e.getKey()), e.getValue().asText().toUpperCase(Locale.ROOT)));
    JsonNode memory = m.path("memory");
    return new ImportMapping(
        path(m, "tasks"), fields(m, "tasks", DEFAULT_TASK_FIELDS), status, priority,
        path(m, "sessions"), fields(m, "sessions", DEFAULT_SESSION_FIELDS),
        path(m, "memory"), fields(m, "memory", DEFAULT_MEMORY_FIELDS),
        memory.has("namespace") ? memory.get("namespace").asText() : "imported");
  }

  private static String path(JsonNode m, String collection) {
    JsonNode c = m.path(collection);
    return c.has("path") ? c.get("path").asText() : collection;
  }

  private static Map<String, List<String>> fields(JsonNode m, String collection, Map<String, List<String>> defaults) {
    Map<String, List<String>> fields = new LinkedHashMap<>(defaults);
    m.path(collection).path("fields").fields().forEachRemaining(e -> {
      if (!defaults.containsKey(e.getKey())) {
        throw new IllegalArgumentException("unknown " + collection + " field '" + e.getKey() + "' in the mapping file (known: "
            + String.join(", ", new java.util.TreeSet<>(defaults.keySet())) + ")");
      }
      fields.put(e.getKey(), List.of(e.getValue().asText()));
    });
    return fields;
  }

  static String norm(String s) {
    return s.trim().toLowerCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
  }

  private static Map<String, String> statusDefaults() {
    Map<String, String> m = new LinkedHashMap<>();
    for (String s : List.of("pending", "queued", "new", "open", "todo", "waiting", "ready", "scheduled", "created")) m.put(s, "pending");
    for (String s : List.of("claimed", "assigned", "in_progress", "running", "active", "processing", "started", "working")) m.put(s, "claimed");
    for (String s : List.of("completed", "complete", "done", "success", "succeeded", "finished")) m.put(s, "completed");
    for (String s : List.of("failed", "failure", "error", "errored")) m.put(s, "failed");
    for (String s : List.of("cancelled", "canceled", "aborted", "skipped")) m.put(s, "cancelled");
    return Map.copyOf(m);
  }

  private static Map<String, String> priorityDefaults() {
    Map<String, String> m = new LinkedHashMap<>();
    for (String s : List.of("critical", "urgent", "blocker", "p0", "highest")) m.put(s, "CRITICAL");
    for (String s : List.of("high", "important", "p1")) m.put(s, "HIGH");
    for (String s : List.of("normal", "medium", "default", "p2")) m.put(s, "NORMAL");
    for (String s : List.of("low", "minor", "p3", "lowest")) m.put(s, "LOW");
    return Map.copyOf(m);
  }
}
