/**
 * LangGraph's own conformance suite for checkpointers, whole (put, putWrites, getTuple, list,
 * deleteThread), against the real server, and its opt-in getDeltaChannelHistory tests. Its CLI is broken in 1.1.1, so it runs as the package
 * README's "usage in an existing test suite": `validate(initializer)` in a vitest file.
 * Each checkpointer it asks for gets a prefix of its own (isolation, as the suite requires),
 * purged when it is destroyed.
 */

import { deltaChannelHistoryTests, validate, type CheckpointSaverTestInitializer } from "@langchain/langgraph-checkpoint-validation";
import { test } from "vitest";
import { StatekeeperSaver } from "../src/index.js";
import { HAVE_SERVER, type Tenant, newTenant, unique } from "./support.js";

let tenant: Tenant;

const initializer: CheckpointSaverTestInitializer<StatekeeperSaver> = {
  checkpointerName: "@statekeeper/langgraph StatekeeperSaver",
  async beforeAll() {
    tenant = await newTenant();
  },
  createCheckpointer() {
    return new StatekeeperSaver({ client: tenant.admin, prefix: unique("lgv") });
  },
  async destroyCheckpointer(saver) {
    await tenant.admin.memory.purgePrefix(saver.prefix);
  },
};

if (HAVE_SERVER) {
  validate(initializer);
  // Opt-in in the package (its own savers run it): getDeltaChannelHistory over our storage.
  deltaChannelHistoryTests(initializer);
} else {
  test.skip("the validation suite needs STATEKEEPER_URL and STATEKEEPER_KEY", () => {});
}
