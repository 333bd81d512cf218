/**
 * The server under test, as for the client's tests: STATEKEEPER_URL with a root key in
 * STATEKEEPER_KEY. Each suite makes a tenant of its own (and an admin key in it), so runs never
 * see each other's rows. Without the variables the server tests are skipped, unless
 * STATEKEEPER_TEST_REQUIRE_SERVICES=1 or CI is set: then they fail.
 */

import { randomUUID } from "node:crypto";
import { Client } from "@statekeeper/client";

export const SERVER_URL = (process.env.STATEKEEPER_URL ?? "").trim();
export const ROOT_KEY = (process.env.STATEKEEPER_KEY ?? "").trim();
export const HAVE_SERVER = Boolean(SERVER_URL && ROOT_KEY);

if (!HAVE_SERVER && (process.env.STATEKEEPER_TEST_REQUIRE_SERVICES === "1" || process.env.CI)) {
  throw new Error("STATEKEEPER_URL and STATEKEEPER_KEY (a root key) name no server; STATEKEEPER_TEST_REQUIRE_SERVICES/CI is set, so this fails");
}

export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().replace(/-/g, "").slice(0, 10)}`;
}

/** Counts the requests a client sends (method and path), for the one-request claims. */
export class CountingClient extends Client {
  readonly requests: string[] = [];

  override async call<T>(method: string, path: string, options: Parameters<Client["call"]>[2] = {}) {
    const q = options.query
      ? Object.entries(options.query).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => `${k}=${v}`).join("&")
      : "";
    this.requests.push(`${method} ${path}${q ? "?" + q : ""}`);
    return super.call<T>(method, path, options);
  }

  reset(): string[] {
    return this.requests.splice(0, this.requests.length);
  }
}

export interface Tenant {
  tenant: string;
  /** An admin key of the tenant. */
  admin: CountingClient;
  adminKey: string;
  /** A new key of the tenant. */
  key(subject: string, role?: "admin" | "agent" | "reader"): Promise<CountingClient>;
}

export async function newTenant(): Promise<Tenant> {
  const root = new Client({ url: SERVER_URL, apiKey: ROOT_KEY });
  const tenant = unique("lg");
  const made = await root.keys.create(tenant, "user:admin", "admin");
  const admin = new CountingClient({ url: SERVER_URL, apiKey: made.key });
  return {
    tenant,
    admin,
    adminKey: made.key,
    async key(subject, role = "agent") {
      const k = await admin.keys.create(tenant, subject, role);
      return new CountingClient({ url: SERVER_URL, apiKey: k.key });
    },
  };
}
