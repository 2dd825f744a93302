/**
 * Validates a group offset commit (`PUT /v1/groups/:group/offsets`).
 * Rules: PROTOCOL.md COMMIT-2, COMMIT-5.
 *
 * @example
 * parseCommitRequest({ offsets: [{ topic: "orders", partition: 0, offset: 42 }] });
 */
import { objectWithKeys, offsetNumber, partitionNumber, utf8Length, wholeNumber } from "./checks.ts";
import { EdgelogError } from "./errors.ts";
import { COMMIT_METADATA_BYTES_MAX, COMMIT_OFFSETS_MAX } from "./limits.ts";
import { memberId as parseMemberId, topicName } from "./names.ts";
import type { OffsetCommit } from "./wire.ts";

const COMMIT_FIELDS = ["topic", "partition", "offset", "metadata"] as const;

/** Validates one commit entry; `where` names it in messages. */
function parseCommit(input: unknown, where: string): OffsetCommit {
  const entry = objectWithKeys(input, where, COMMIT_FIELDS, "INVALID_REQUEST");
  const commit: OffsetCommit = {
    topic: topicName(entry.topic),
    partition: partitionNumber(entry.partition, `${where}.partition`),
    offset: offsetNumber(entry.offset, `${where}.offset`),
  };
  if (entry.metadata !== undefined) commit.metadata = parseCommitMetadata(entry.metadata, `${where}.metadata`);
  return commit;
}

/**
 * A commit's metadata string: at most COMMIT_METADATA_BYTES_MAX bytes of UTF-8, or INVALID_REQUEST
 * naming `where`.
 *
 * @example
 * parseCommitMetadata("batch-7", "offsets[0].metadata"); // "batch-7"
 * parseCommitMetadata(7, "metadata"); // throws INVALID_REQUEST
 */
export function parseCommitMetadata(value: unknown, where: string): string {
  if (typeof value !== "string" || utf8Length(value) > COMMIT_METADATA_BYTES_MAX) {
    throw new EdgelogError("INVALID_REQUEST", `${where} must be a string of at most ${COMMIT_METADATA_BYTES_MAX} bytes`);
  }
  return value;
}

/**
 * Validates a commit body: 1 to COMMIT_OFFSETS_MAX entries, each partition named once.
 *
 * @example
 * parseCommitRequest(await request.json()).offsets;
 */
export function parseCommitRequest(body: unknown): { offsets: OffsetCommit[]; member: CommitMember | null } {
  const request = objectWithKeys(body, "the body", ["offsets", "memberId", "generation"], "INVALID_REQUEST");
  const list = request.offsets;
  if (!Array.isArray(list) || list.length === 0 || list.length > COMMIT_OFFSETS_MAX) {
    throw new EdgelogError("INVALID_REQUEST", `offsets must be an array of 1 to ${COMMIT_OFFSETS_MAX} entries`);
  }
  const seen = new Set<string>();
  const offsets = list.map((entry, i) => {
    const commit = parseCommit(entry, `offsets[${i}]`);
    const id = `${commit.topic}/${commit.partition}`;
    if (seen.has(id)) throw new EdgelogError("INVALID_REQUEST", `offsets names ${id} twice`);
    seen.add(id);
    return commit;
  });
  return { offsets, member: parseCommitMember(request.memberId, request.generation) };
}

/**
 * A group member's identity on a commit (HTTP body or socket message).
 *
 * @example
 * parseCommitRequest({ offsets, memberId: "device-7", generation: 3 }).member; // { memberId: "device-7", generation: 3 }
 */
export interface CommitMember {
  memberId: string;
  generation: number;
}

/**
 * A member's identity on a commit: both fields or neither (a standalone consumer's commit), or
 * INVALID_REQUEST.
 *
 * @example
 * parseCommitMember(body.memberId, body.generation); // null for a standalone commit
 */
export function parseCommitMember(memberId: unknown, generation: unknown): CommitMember | null {
  if (memberId === undefined && generation === undefined) return null;
  if (memberId === undefined || generation === undefined) {
    throw new EdgelogError("INVALID_REQUEST", "a member's commit carries both memberId and generation");
  }
  return {
    memberId: parseMemberId(memberId),
    generation: wholeNumber(generation, "generation", 0, Number.MAX_SAFE_INTEGER, "INVALID_REQUEST"),
  };
}
