#!/usr/bin/env node
// Checkpoint put and latest-checkpoint getTuple latency, p50/p99, with 10 and with 1,000
// checkpoints in one thread: StatekeeperSaver over HTTP against a running server, and
// LangGraph's MemorySaver (in process) for scale.
//
//   npm run build
//   STATEKEEPER_URL=http://127.0.0.1:7070 STATEKEEPER_KEY=<root key> node bench/checkpoints.mjs [samples]
//
// It makes a tenant of its own (an admin key through the root key) and purges what it wrote at
// the end. Per size n (10, then 1,000): the thread is filled to n checkpoints, then `samples`
// (default 200) getTuple calls of the latest checkpoint are timed, then `samples` puts, each a
// child of the latest (so the thread goes from n to n + samples). A warm-up thread runs first.
// Each checkpoint is a chained step of a small chat-like state: a message list that grows by
// one short message per step (capped at 20), a counter, and the usual metadata.

import { performance } from "node:perf_hooks";
import { Client } from "@statekeeper/client";
import { MemorySaver, emptyCheckpoint, uuid6 } from "@langchain/langgraph-checkpoint";
import { StatekeeperSaver } from "../dist/src/index.js";

const url = process.env.STATEKEEPER_URL;
const rootKey = process.env.STATEKEEPER_KEY;
if (!url || !rootKey) {
  console.error("set STATEKEEPER_URL and STATEKEEPER_KEY (a root key)");
  process.exit(2);
}
const samples = Number(process.argv[2] ?? 200);
const SIZES = [10, 1000];

function percentile(sorted, p) {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99), n: s.length };
}

/** A thread that puts chained checkpoints, as the Pregel loop does. */
class Thread {
  constructor(saver, id) {
    this.saver = saver;
    this.config = { configurable: { thread_id: id, checkpoint_ns: "" } };
    this.step = -1;
    this.messages = [];
  }

  async put() {
    this.step += 1;
    this.messages = [...this.messages, { role: this.step % 2 ? "ai" : "human", content: `message number ${this.step} of the bench` }].slice(-20);
    const checkpoint = {
      ...emptyCheckpoint(),
      id: uuid6(-3),
      channel_values: { messages: this.messages, counter: this.step },
      channel_versions: { messages: this.step + 1, counter: this.step + 1 },
      versions_seen: { agent: { messages: this.step } },
    };
    const metadata = { source: this.step === 0 ? "input" : "loop", step: this.step, parents: {} };
    this.config = await this.saver.put(this.config, checkpoint, metadata, { messages: this.step + 1, counter: this.step + 1 });
  }

  latest() {
    return this.saver.getTuple({ configurable: { thread_id: this.config.configurable.thread_id, checkpoint_ns: "" } });
  }
}

async function time(n, f) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f();
    out.push(performance.now() - t0);
  }
  return out;
}

async function run(name, saver) {
  const warm = new Thread(saver, `warm-${uuid6(-3)}`);
  for (let i = 0; i < 300; i++) await warm.put();
  await time(300, () => warm.latest());

  const thread = new Thread(saver, `bench-${uuid6(-3)}`);
  const rows = [];
  for (const size of SIZES) {
    while (thread.step + 1 < size) await thread.put();
    const tuple = await thread.latest();
    if (tuple?.checkpoint.channel_values.counter !== size - 1) throw new Error(`${name}: the latest is not checkpoint ${size}`);
    const get = stats(await time(samples, () => thread.latest()));
    const put = stats(await time(samples, () => thread.put()));
    rows.push({ saver: name, size, put, get });
  }
  return rows;
}

const root = new Client({ url, apiKey: rootKey });
const tenant = `bench-${Date.now()}`;
const admin = new Client({ url, apiKey: (await root.keys.create(tenant, "user:bench", "admin")).key });
const prefix = "lgbench";
const store = (await admin.ops.summary().catch(() => null))?.store ?? "?";

const rows = [
  ...(await run("StatekeeperSaver (HTTP)", new StatekeeperSaver({ client: admin, prefix }))),
  ...(await run("MemorySaver (in process)", new MemorySaver())),
];
await admin.memory.purgePrefix(prefix);

const f = (x) => x.toFixed(x < 1 ? 3 : 2).padStart(8);
console.log(`server ${url} (store: ${store}), ${samples} samples per figure, Node ${process.version}`);
console.log("saver                      checkpoints   put p50   put p99   getTuple(latest) p50   p99   (ms)");
for (const r of rows) {
  console.log(
    `${r.saver.padEnd(26)} ${String(r.size).padStart(11)} ${f(r.put.p50)}  ${f(r.put.p99)}  ${f(r.get.p50)}           ${f(r.get.p99)}`,
  );
}
