// Builds the client this package depends on ("@statekeeper/client": "file:.."), so that
// `npm run build` here works from a fresh clone: `npm ci` there when its node_modules is
// missing, then its `npm run build` (tsc, a few seconds).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const client = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
if (!existsSync(join(client, "node_modules"))) execFileSync(npm, ["ci"], { cwd: client, stdio: "inherit" });
execFileSync(npm, ["run", "build"], { cwd: client, stdio: "inherit" });
