/**
 * A small assistant as a LangGraph StateGraph with Statekeeper as its checkpointer and its
 * long-term memory:
 *
 *   recall ──▶ respond ──▶ remember? ──▶ approve (interrupt: a person says yes/no) ──▶ save
 *                               └──────────────────────────────────────────────────▶ END
 *
 * - `recall` searches the user's memories in the store (`["users", <user>, "memories"]`);
 * - `respond` answers from them (no model: a rule, so the example runs anywhere);
 * - a message starting "remember:" goes to `approve`, which pauses the run with `interrupt()`;
 *   the run is resumed later, from its checkpoint, with `Command({ resume: "yes" })`;
 * - `save` writes the memory to the store.
 *
 * Run it against a server (an admin key; the last step purges the thread):
 *
 *   STATEKEEPER_URL=http://127.0.0.1:7070 STATEKEEPER_KEY=<admin key> node dist/examples/assistant.js
 */

import { randomUUID } from "node:crypto";
import { Annotation, Command, END, START, StateGraph, interrupt, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { Client } from "@statekeeper/client";
import { StatekeeperSaver, StatekeeperStore } from "../src/index.js";

export const State = Annotation.Root({
  messages: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  recalled: Annotation<string[]>({ reducer: (_, b) => b, default: () => [] }),
  pending: Annotation<string | null>({ reducer: (_, b) => b, default: () => null }),
});

function userOf(config: LangGraphRunnableConfig): string {
  const user = config.configurable?.user_id;
  if (typeof user !== "string") throw new Error("configurable.user_id is required");
  return user;
}

export function buildGraph(options: { checkpointer: StatekeeperSaver; store: StatekeeperStore }) {
  return new StateGraph(State)
    .addNode("recall", async (state, config) => {
      const last = state.messages[state.messages.length - 1] ?? "";
      const hits = await config.store!.search(["users", userOf(config), "memories"], { limit: 5 });
      const recalled = hits.map((h) => String(h.value.text));
      return { recalled: last ? recalled : [] };
    })
    .addNode("respond", async (state) => {
      const last = (state.messages[state.messages.length - 1] ?? "").replace(/^user:\s*/, "");
      if (last.startsWith("remember:")) {
        const fact = last.slice("remember:".length).trim();
        return { messages: [`ai: shall I remember "${fact}"?`], pending: fact };
      }
      if (state.recalled.length > 0) return { messages: [`ai: I know that ${state.recalled.join("; ")}`] };
      return { messages: ["ai: I know nothing about you yet"] };
    })
    .addNode("approve", async (state) => {
      const answer = interrupt({ question: `remember "${state.pending}"?` });
      return answer === "yes" ? {} : { pending: null, messages: ["ai: forgotten"] };
    })
    .addNode("save", async (state, config) => {
      if (state.pending === null) return {};
      await config.store!.put(["users", userOf(config), "memories"], randomUUID(), { text: state.pending });
      return { pending: null, messages: ["ai: remembered"] };
    })
    .addEdge(START, "recall")
    .addEdge("recall", "respond")
    .addConditionalEdges("respond", (state) => (state.pending ? "approve" : END), ["approve", END])
    .addEdge("approve", "save")
    .addEdge("save", END)
    .compile({ checkpointer: options.checkpointer, store: options.store });
}

/** The walk-through the test runs too: returns what happened, step by step. */
export async function runExample(client: Client, prefixes: { saver: string; store: string }, log: (line: string) => void = () => {}) {
  const thread = `chat-${randomUUID()}`;
  const user = `user-${randomUUID().slice(0, 8)}`;
  const config = { configurable: { thread_id: thread, user_id: user } };
  const store = new StatekeeperStore({ client, prefix: prefixes.store });

  // Process 1: a turn that asks to remember something pauses at approve.
  let graph = buildGraph({ checkpointer: new StatekeeperSaver({ client, prefix: prefixes.saver }), store });
  const first = await graph.invoke({ messages: ["user: remember: I like green tea"] }, config);
  const paused = await graph.getState(config);
  log(`paused before ${paused.next.join(",")} asking ${JSON.stringify(paused.tasks[0]?.interrupts[0]?.value)}`);

  // Process 2 (a fresh saver, nothing cached): resume from the checkpoint.
  graph = buildGraph({ checkpointer: new StatekeeperSaver({ client, prefix: prefixes.saver }), store });
  const resumed = await graph.invoke(new Command({ resume: "yes" }), config);
  log(`resumed: ${resumed.messages.slice(-1)[0]}`);

  // Another turn reads the memory back through recall.
  const second = await graph.invoke({ messages: ["user: what do I like?"] }, config);
  log(`second turn: ${second.messages.slice(-1)[0]}`);

  const memories = await store.search(["users", user, "memories"]);
  const history = [];
  for await (const snapshot of graph.getStateHistory(config)) history.push(snapshot);
  log(`memories: ${JSON.stringify(memories.map((m) => m.value))}; ${history.length} checkpoints in the thread`);
  return { thread, user, first, paused, resumed, second, memories, history, graph, config };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.env.STATEKEEPER_URL ?? "http://127.0.0.1:7070";
  const client = new Client({ url, apiKey: process.env.STATEKEEPER_KEY });
  const result = await runExample(client, { saver: "lg", store: "lgstore" }, (line) => console.log(line));
  await new StatekeeperSaver({ client, prefix: "lg" }).deleteThread(result.thread);
  console.log(`thread ${result.thread} purged`);
}
