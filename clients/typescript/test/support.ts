/**
 * What the tests share: the server under test (STATEKEEPER_URL, with a root key in
 * STATEKEEPER_KEY) and a tenant of their own per suite, made through /v1/keys, so runs never
 * see each other's rows. Without the variables the server tests skip, unless
 * STATEKEEPER_TEST_REQUIRE_SERVICES=1 or CI is set: then they fail.
 */

import { randomUUID } from "node:crypto";
import { Client } from "../src/index.js";

export const SERVER_URL = (process.env.STATEKEEPER_URL ?? "").trim();
export const ROOT_KEY = (process.env.STATEKEEPER_KEY ?? "").trim();

const missing = "STATEKEEPER_URL and STATEKEEPER_KEY (a root key) name no server";
if ((!SERVER_URL || !ROOT_KEY) && (process.env.STATEKEEPER_TEST_REQUIRE_SERVICES === "1" || process.env.CI)) {
  throw new Error(missing + "; STATEKEEPER_TEST_REQUIRE_SERVICES/CI is set, so this fails");
}

/** For `describe(name, { skip }, …)`: a reason to skip when no server is named, else false. */
export const skip: string | false = SERVER_URL && ROOT_KEY ? false : missing + "; skipping the tests against a server";

export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().replace(/-/g, "").slice(0, 10)}`;
}

export interface Tenant {
  tenant: string;
  root: Client;
  /** A client with an admin key of the tenant (subject user:admin). */
  admin: Client;
  /** A client with a new key of the tenant. */
  key(subject: string, role?: "admin" | "agent" | "reader"): Promise<Client>;
}

export async function newTenant(): Promise<Tenant> {
  const root = new Client({ url: SERVER_URL, apiKey: ROOT_KEY });
  const tenant = unique("ts");
  const made = await root.keys.create(tenant, "user:admin", "admin");
  const admin = new Client({ url: SERVER_URL, apiKey: made.key });
  return {
    tenant,
    root,
    admin,
    async key(subject, role = "agent") {
      const k = await admin.keys.create(tenant, subject, role);
      return new Client({ url: SERVER_URL, apiKey: k.key });
    },
  };
}

/** Polls `condition` until it resolves truthy (and returns that); fails after `timeoutMs`. */
export async function waitFor<T>(condition: () => T | Promise<T>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Rejects unless `promise` rejects with an instance of `cls`; resolves to that error. */
export async function rejection<E>(promise: Promise<unknown>, cls: new (...args: never[]) => E): Promise<E> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof cls) return e;
    throw new Error(`expected ${cls.name}, got ${String(e)}`, { cause: e });
  }
  throw new Error(`expected ${cls.name}, but it resolved`);
}
