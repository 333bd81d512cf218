/**
 * A real StateGraph with the saver and the store: runs, pauses on interrupt(), is resumed from
 * its checkpoint by a fresh saver, reads its memory back, and its history is the saver's list.
 */

import { beforeAll, describe, expect, test } from "vitest";
import { Annotation, END, MemorySaver, START, StateGraph } from "@langchain/langgraph";
import { runExample } from "../examples/assistant.js";
import { StatekeeperSaver } from "../src/index.js";
import { HAVE_SERVER, type Tenant, newTenant, unique } from "./support.js";

describe.skipIf(!HAVE_SERVER)("a StateGraph on Statekeeper", () => {
  let t: Tenant;
  beforeAll(async () => {
    t = await newTenant();
  });

  test("runs, pauses on interrupt, resumes from the checkpoint in a fresh saver, reads memory", async () => {
    const prefixes = { saver: unique("g"), store: unique("gs") };
    const lines: string[] = [];
    const r = await runExample(t.admin, prefixes, (l) => lines.push(l));

    expect(r.first.messages).toEqual(["user: remember: I like green tea", 'ai: shall I remember "I like green tea"?']);
    expect(r.paused.next).toEqual(["approve"]);
    expect(r.paused.tasks[0]!.interrupts[0]!.value).toEqual({ question: 'remember "I like green tea"?' });
    expect(r.resumed.messages.slice(-1)).toEqual(["ai: remembered"]);
    expect(r.second.messages.slice(-1)).toEqual(["ai: I know that I like green tea"]);
    expect(r.memories.map((m) => m.value)).toEqual([{ text: "I like green tea" }]);
    expect(r.memories[0]!.namespace).toEqual(["users", r.user, "memories"]);

    // the history is the thread's checkpoints, newest first, each step one checkpoint
    const steps = r.history.map((s) => s.metadata?.step);
    expect(steps).toEqual([...steps].sort((a, b) => (b ?? 0) - (a ?? 0)));
    expect(r.history.length).toBeGreaterThanOrEqual(8);
    const saver = new StatekeeperSaver({ client: t.admin, prefix: prefixes.saver });
    const tuples = [];
    for await (const x of saver.list({ configurable: { thread_id: r.thread } })) tuples.push(x);
    expect(tuples.map((x) => x.checkpoint.id)).toEqual(r.history.map((s) => s.config.configurable!.checkpoint_id));
    expect(lines[0]).toMatch(/^paused before approve/);

    // the checkpoints are entries of the thread's namespace, newest last
    const entries = await t.admin.memory.list({ namespace: saver.checkpointNamespace(r.thread, ""), order: "desc", limit: 1 });
    expect(entries.items[0]!.key).toBe(r.history[0]!.config.configurable!.checkpoint_id);

    // time travel: the state at the paused checkpoint, replayed in yet another saver
    const pausedAt = r.history.find((s) => s.next.includes("approve"))!;
    const again = await r.graph.getState(pausedAt.config);
    expect(again.values.pending).toBe("I like green tea");

    await saver.deleteThread(r.thread);
    expect(await saver.getTuple({ configurable: { thread_id: r.thread } })).toBeUndefined();
  });

  test("the same graph gives the same states on Statekeeper and on MemorySaver", async () => {
    const S = Annotation.Root({ n: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }), log: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }) });
    const build = (checkpointer: StatekeeperSaver | MemorySaver) =>
      new StateGraph(S)
        .addNode("a", () => ({ n: 1, log: ["a"] }))
        .addNode("b", () => ({ n: 10, log: ["b"] }))
        .addNode("c", () => ({ n: 100, log: ["c"] }))
        .addEdge(START, "a")
        .addEdge("a", "b")
        .addEdge("a", "c")
        .addEdge("b", END)
        .addEdge("c", END)
        .compile({ checkpointer });
    const config = { configurable: { thread_id: "same" } };
    const sk = build(new StatekeeperSaver({ client: t.admin, prefix: unique("same") }));
    const mem = build(new MemorySaver());
    for (const g of [sk, mem]) {
      await g.invoke({ n: 0 }, config);
      await g.invoke({ n: 1000 }, config);
    }
    expect((await sk.getState(config)).values).toEqual((await mem.getState(config)).values);
    const shape = async (g: typeof sk) => {
      const out = [];
      for await (const s of g.getStateHistory(config)) out.push([s.metadata?.source, s.metadata?.step, s.next, s.values]);
      return out;
    };
    expect(await shape(sk)).toEqual(await shape(mem));
  });
});
