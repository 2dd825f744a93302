/**
 * Validates group membership requests (HTTP bodies and group-socket messages) with stable codes.
 *
 * @example
 * const join = parseJoin({ topic: "orders", assignor: "sticky" });
 */
import {
  EdgelogError,
  MEMBER_ID_LENGTH_MAX,
  objectWithKeys,
  SESSION_TIMEOUT_MS_DEFAULT,
  SESSION_TIMEOUT_MS_MAX,
  SESSION_TIMEOUT_MS_MIN,
  topicName,
  wholeNumber,
} from "../../client/protocol/index.ts";
import { ASSIGNORS, type AssignorName } from "./assignors.ts";

/** A join before the topic is resolved. */
export interface JoinInput {
  topic: string;
  memberId: string | null;
  assignor: AssignorName;
  sessionTimeoutMs: number;
}

/** A member id: 1 to MEMBER_ID_LENGTH_MAX characters of the name alphabet plus ':'. */
export function memberIdParam(value: unknown): string {
  if (typeof value !== "string" || value.length === 0 || value.length > MEMBER_ID_LENGTH_MAX || !/^[A-Za-z0-9._:-]+$/.test(value)) {
    throw new EdgelogError("INVALID_REQUEST", `memberId must be 1 to ${MEMBER_ID_LENGTH_MAX} characters of [A-Za-z0-9._:-]`);
  }
  return value;
}

/** Validates `{topic, memberId?, assignor?, sessionTimeoutMs?}` (plus `extra` allowed keys). */
export function parseJoin(body: unknown, extra: readonly string[] = []): JoinInput {
  const join = objectWithKeys(body, "the join", ["topic", "memberId", "assignor", "sessionTimeoutMs", ...extra], "INVALID_REQUEST");
  const assignor = join.assignor ?? "range";
  if (!ASSIGNORS.includes(assignor as AssignorName)) {
    throw new EdgelogError("INVALID_REQUEST", `assignor must be one of ${ASSIGNORS.join(", ")}`);
  }
  return {
    topic: topicName(join.topic),
    memberId: join.memberId === undefined ? null : memberIdParam(join.memberId),
    assignor: assignor as AssignorName,
    sessionTimeoutMs:
      join.sessionTimeoutMs === undefined
        ? SESSION_TIMEOUT_MS_DEFAULT
        : wholeNumber(join.sessionTimeoutMs, "sessionTimeoutMs", SESSION_TIMEOUT_MS_MIN, SESSION_TIMEOUT_MS_MAX, "INVALID_REQUEST"),
  };
}
