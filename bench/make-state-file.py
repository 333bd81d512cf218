#!/usr/bin/env python3
"""Writes a JSON state file of about SIZE_MB megabytes, as an orchestrator keeps it
(json.dump, indent=2), for the import benchmark: bench/make-state-file.py out.json 100"""
import json, random, sys
out, size_mb = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 100
random.seed(1)
statuses = ["pending", "in_progress", "done", "failed", "cancelled"]
tasks, size, i = [], 0, 0
while size < size_mb * 1_000_000:
    t = {"id": f"task-{i}", "type": random.choice(["summarize", "crawl", "embed"]),
         "status": random.choice(statuses), "priority": random.choice(["low", "normal", "high", "urgent"]),
         "assigned_to": f"agent-{i % 17}", "attempts": i % 3,
         "payload": {"doc": f"docs/{i}.md", "notes": "x" * random.randint(100, 600)},
         "created_at": "2026-11-01T10:00:00Z"}
    tasks.append(t)
    size += len(json.dumps(t, indent=2)) + 6
    i += 1
with open(out, "w") as f:
    json.dump({"version": 3, "tasks": tasks}, f, indent=2)
print(f"{out}: {i} tasks")
