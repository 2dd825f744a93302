/**
 * Grants: what a token allows, in the spirit of Kafka's ACLs. A grant is `<action>:<pattern>`:
 * `read`, `write` and `admin` on topic name patterns, `group` on group name patterns; a pattern is
 * an exact name or a prefix ending in `*` (`orders.*`, `*`). Pure: the worker checks every route
 * and socket message with `allows`, and a client may use the same rule to know what its token can
 * do before it asks.
 * Rules: PROTOCOL.md AUTH-3, AUTH-4, AUTH-5.
 *
 * @example
 * const grants = parseScope("read:orders.* write:orders.eu group:billing");
 * allows(grants, "read", "orders.us"); // true
 * allows(grants, "write", "orders.us"); // false
 */

import { SCOPE_BYTES_MAX, SCOPE_GRANTS_MAX } from "./auth-limits.ts";
import { EdgelogError } from "./errors.ts";

/**
 * The actions a grant names, in the order PROTOCOL.md AUTH-3 lists them.
 *
 * @example
 * GRANT_ACTIONS.includes("admin"); // true
 */
export const GRANT_ACTIONS = ["read", "write", "admin", "group"] as const;

/**
 * An action: `read`, `write` and `admin` act on topics, `group` on consumer groups.
 *
 * @example
 * const action: GrantAction = "write"; // produce
 */
export type GrantAction = (typeof GRANT_ACTIONS)[number];

/**
 * One grant: an action on the names a pattern matches.
 *
 * @example
 * const grant: Grant = { action: "read", pattern: "orders.*" }; // "read:orders.*"
 */
export interface Grant {
  action: GrantAction;
  pattern: string;
}

/** A name's characters (NAME-1), and a pattern: a name, or 0 to 248 of them and `*`. */
const EXACT = /^[A-Za-z0-9._-]{1,249}$/;
const PREFIX = /^[A-Za-z0-9._-]{0,248}\*$/;

function refuse(message: string): never {
  throw new EdgelogError("UNAUTHENTICATED", `the token's scope is malformed: ${message} (PROTOCOL.md AUTH-3)`);
}

/**
 * Parses one grant, `<action>:<pattern>`; a malformed one makes the token invalid (UNAUTHENTICATED).
 *
 * @example
 * parseGrant("admin:*"); // { action: "admin", pattern: "*" }
 * parseGrant("delete:orders"); // throws UNAUTHENTICATED
 */
export function parseGrant(text: string): Grant {
  const colon = text.indexOf(":");
  const action = text.slice(0, colon);
  const pattern = text.slice(colon + 1);
  if (colon < 0 || !(GRANT_ACTIONS as readonly string[]).includes(action)) {
    refuse(`"${text.slice(0, 64)}" is not <action>:<pattern> with action read, write, admin or group`);
  }
  const exact = EXACT.test(pattern) && pattern !== "." && pattern !== "..";
  if (!exact && !PREFIX.test(pattern)) {
    refuse(`"${pattern.slice(0, 64)}" is neither a name nor a prefix ending in *`);
  }
  return { action: action as GrantAction, pattern };
}

/**
 * Parses a `scope` claim: grants separated by single spaces (RFC 8693's `scope`), at most
 * SCOPE_GRANTS_MAX grants in SCOPE_BYTES_MAX characters. An empty scope grants nothing.
 *
 * @example
 * parseScope("read:orders write:orders"); // two grants
 * parseScope(""); // []
 */
export function parseScope(scope: string): Grant[] {
  if (scope.length > SCOPE_BYTES_MAX) refuse(`it is longer than ${SCOPE_BYTES_MAX} characters`);
  if (scope === "") return [];
  const parts = scope.split(" ");
  if (parts.length > SCOPE_GRANTS_MAX) refuse(`it holds more than ${SCOPE_GRANTS_MAX} grants`);
  return parts.map(parseGrant);
}

/**
 * A grant as it is written in a scope.
 *
 * @example
 * formatGrant({ action: "group", pattern: "billing" }); // "group:billing"
 */
export function formatGrant(grant: Grant): string {
  return `${grant.action}:${grant.pattern}`;
}

/**
 * Whether a pattern matches a name: an exact pattern the same name, a prefix pattern every name
 * that starts with the text before its `*` (`*` alone matches every name).
 *
 * @example
 * patternMatches("orders.*", "orders.eu"); // true
 * patternMatches("orders.*", "orders"); // false
 */
export function patternMatches(pattern: string, name: string): boolean {
  return pattern.endsWith("*") ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}

/**
 * Whether holding `held` grants `wanted`: the same action, or `admin` for `read` and `write`.
 *
 * @example
 * actionImplies("admin", "write"); // true
 * actionImplies("admin", "group"); // false
 */
export function actionImplies(held: GrantAction, wanted: GrantAction): boolean {
  return held === wanted || (held === "admin" && (wanted === "read" || wanted === "write"));
}

/**
 * The rule: whether `grants` allow `action` on the topic or group `name` (AUTH-4).
 *
 * @example
 * allows(parseScope("admin:orders.*"), "read", "orders.eu"); // true: admin implies read
 * allows(parseScope("read:*"), "group", "billing"); // false: groups need a group grant
 */
export function allows(grants: readonly Grant[], action: GrantAction, name: string): boolean {
  return grants.some((grant) => actionImplies(grant.action, action) && patternMatches(grant.pattern, name));
}

/**
 * Whether `grants` allow `action` on some name at all (listing topics needs one read grant).
 *
 * @example
 * allowsAny(parseScope("write:orders"), "read"); // false
 */
export function allowsAny(grants: readonly Grant[], action: GrantAction): boolean {
  return grants.some((grant) => actionImplies(grant.action, action));
}
