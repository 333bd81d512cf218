/**
 * Statekeeper namespace segments and keys are 1–128 (keys) characters of `A-Z a-z 0-9 _ . -`;
 * LangGraph thread ids, checkpoint namespaces, task ids and store labels are any strings. This
 * is the reversible mapping between them:
 *
 * - `A-Z a-z 0-9 _ -` stand for themselves;
 * - every other character, `.` included, is written as `.XX` per byte of its UTF-8 form
 *   (upper-case hex): `"a:b"` → `"a.3Ab"`, `"é"` → `".C3.A9"`;
 * - the empty string (the root `checkpoint_ns`) is `"_"`, so `"_"` itself is `".5F"`.
 *
 * An encoded segment is never empty and never dots only (the server refuses both), and strings
 * made of the kept characters only (uuids, `thread-1`, `user_42`) read as themselves and keep
 * their order, so uuid6 checkpoint ids sort by time as keys.
 */

const KEPT = /^[A-Za-z0-9_-]$/;
const HEX = /^[0-9A-F]{2}$/;
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

export function encodeSegment(s: string): string {
  if (s === "") return "_";
  if (s === "_") return ".5F";
  let out = "";
  for (const ch of s) {
    if (KEPT.test(ch)) {
      out += ch;
    } else {
      for (const b of utf8.encode(ch)) out += "." + b.toString(16).toUpperCase().padStart(2, "0");
    }
  }
  return out;
}

export function decodeSegment(s: string): string {
  if (s === "_") return "";
  if (!s.includes(".")) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === ".") {
      const hex = s.slice(i + 1, i + 3);
      if (!HEX.test(hex)) throw new Error(`not an encoded segment: ${JSON.stringify(s)}`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(c.charCodeAt(0));
    }
  }
  return strictUtf8.decode(new Uint8Array(bytes));
}

/** Statekeeper's limits on a namespace: 1–8 segments joined by `:`, at most 256 characters. */
export const MAX_NAMESPACE_SEGMENTS = 8;
export const MAX_NAMESPACE_LENGTH = 256;
export const MAX_KEY_LENGTH = 128;

/** Throws a readable error before the server answers 400 for a namespace that is too long. */
export function checkNamespace(namespace: string, what: string): string {
  const segments = namespace.split(":").length;
  if (segments > MAX_NAMESPACE_SEGMENTS || namespace.length > MAX_NAMESPACE_LENGTH) {
    throw new RangeError(
      `${what} maps to the Statekeeper namespace ${JSON.stringify(namespace)} (${segments} segments, ` +
        `${namespace.length} characters); at most ${MAX_NAMESPACE_SEGMENTS} segments and ${MAX_NAMESPACE_LENGTH} characters fit`,
    );
  }
  return namespace;
}

export function checkKey(key: string, what: string): string {
  if (key.length > MAX_KEY_LENGTH) {
    throw new RangeError(`${what} maps to a Statekeeper key of ${key.length} characters; at most ${MAX_KEY_LENGTH} fit`);
  }
  return key;
}

/** Checks a configured prefix: 1–8 segments of the server's alphabet, not dots only. */
export function checkPrefix(prefix: string): string {
  if (!/^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+){0,7}$/.test(prefix) || prefix.split(":").some((s) => /^\.+$/.test(s))) {
    throw new RangeError(`prefix must be 1-8 segments of A-Z a-z 0-9 _ . - joined by ':', got ${JSON.stringify(prefix)}`);
  }
  return prefix;
}
