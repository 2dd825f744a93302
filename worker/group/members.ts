/**
 * A consumer group's membership in the coordinator's SQLite: which topic it consumes, with which
 * assignor, the generation, and each member's session and partitions. Every change of members
 * bumps the generation and reassigns (an eager rebalance, computed by the coordinator itself).
 *
 * Simplification against Kafka (PROTOCOL.md GROUP-12): there is no revoke barrier, so during a
 * rebalance the old and the new owner of a partition may both process it briefly; commits from the
 * old generation are refused, so the committed position stays consistent (at-least-once).
 *
 * Rules: PROTOCOL.md GROUP-1, GROUP-3, GROUP-4, GROUP-6, GROUP-12, COMMIT-5.
 *
 * @example
 * const members = new Members(ctx.storage.sql);
 * members.join({ topic, topicId, partitions: 6, assignor: "range", memberId: null, sessionTimeoutMs: 45_000 }, Date.now());
 */
import { type AssignorName, EdgelogError, GROUP_MEMBERS_MAX } from "../../client/protocol/index.ts";
import { invariant } from "../result.ts";
import { type Assignment, assign } from "./assignors.ts";

/**
 * The group as a whole.
 *
 * @example
 * const { topicId, generation }: GroupState = members.state(); // null and 0 before the first join
 */
export interface GroupState {
  topic: string | null;
  topicId: string | null;
  partitions: number;
  assignor: AssignorName;
  generation: number;
}

/**
 * One member as described.
 *
 * @example
 * for (const m of members.list()) console.log(m.memberId, m.partitions, m.lastSeen + m.sessionTimeoutMs);
 */
export interface MemberInfo {
  memberId: string;
  partitions: number[];
  sessionTimeoutMs: number;
  lastSeen: number;
  viaSocket: boolean;
}

/**
 * A join request, validated by the Worker (topic exists, timeout in range).
 *
 * @example
 * const request: JoinRequest = { ...parseJoin(body), topicId: meta.topicId, partitions: meta.partitions, viaSocket: false };
 */
export interface JoinRequest {
  topic: string;
  topicId: string;
  partitions: number;
  assignor: AssignorName;
  memberId: string | null;
  sessionTimeoutMs: number;
  viaSocket?: boolean;
}

/**
 * What a member learns: its id, the generation and its partitions.
 *
 * @example
 * const { generation, partitions }: MemberAssignment = members.heartbeat("device-7", clock.now());
 */
export interface MemberAssignment {
  memberId: string;
  generation: number;
  partitions: number[];
}

type MemberRow = { member_id: string; partitions: string; session_timeout_ms: number; last_seen: number; via_socket: number };

/**
 * A group's membership in the coordinator's SQLite (its tables are created on construction):
 * joins, heartbeats, removals and expiry, each change of members a new generation.
 *
 * @example
 * const members = new Members(ctx.storage.sql);
 * const { memberId, generation } = members.join(request, clock.now());
 * members.validate(memberId, generation); // passes: a member of the current generation
 */
export class Members {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS group_state (
      id INTEGER PRIMARY KEY CHECK (id = 1), topic TEXT, topic_id TEXT, partitions INTEGER NOT NULL,
      assignor TEXT NOT NULL, generation INTEGER NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS members (
      member_id TEXT PRIMARY KEY, partitions TEXT NOT NULL, session_timeout_ms INTEGER NOT NULL,
      last_seen INTEGER NOT NULL, via_socket INTEGER NOT NULL) WITHOUT ROWID`);
  }

  state(): GroupState {
    const row = this.sql
      .exec<{ topic: string | null; topic_id: string | null; partitions: number; assignor: string; generation: number }>(
        "SELECT topic, topic_id, partitions, assignor, generation FROM group_state WHERE id = 1",
      )
      .toArray()[0];
    if (row === undefined) return { topic: null, topicId: null, partitions: 0, assignor: "range", generation: 0 };
    return {
      topic: row.topic,
      topicId: row.topic_id,
      partitions: row.partitions,
      assignor: row.assignor as AssignorName,
      generation: row.generation,
    };
  }

  list(): MemberInfo[] {
    return this.sql.exec<MemberRow>("SELECT * FROM members ORDER BY member_id").toArray().map(toMemberInfo);
  }

  /** One member, by its key (a point read: this runs once per socket on every rebalance). */
  get(memberId: string): MemberInfo | null {
    const row = this.sql.exec<MemberRow>("SELECT * FROM members WHERE member_id = ?", memberId).toArray()[0];
    return row ? toMemberInfo(row) : null;
  }

  /** Adds a member (or refreshes a returning one) and rebalances when the membership changed. */
  join(request: JoinRequest, now: number): MemberAssignment {
    const state = this.state();
    const members = this.list();
    if (members.length > 0 && (state.topicId !== request.topicId || state.assignor !== request.assignor)) {
      throw new EdgelogError("INCONSISTENT_GROUP", `the group's members consume topic "${state.topic}" with assignor "${state.assignor}"`);
    }
    const memberId = request.memberId ?? crypto.randomUUID();
    const existing = members.find((m) => m.memberId === memberId);
    if (existing === undefined && members.length >= GROUP_MEMBERS_MAX) {
      throw new EdgelogError("GROUP_MAX_SIZE_REACHED", `a group holds at most ${GROUP_MEMBERS_MAX} members`);
    }
    this.sql.exec(
      `INSERT INTO members (member_id, partitions, session_timeout_ms, last_seen, via_socket) VALUES (?, '[]', ?, ?, ?)
       ON CONFLICT (member_id) DO UPDATE SET session_timeout_ms = excluded.session_timeout_ms, last_seen = excluded.last_seen,
         via_socket = excluded.via_socket`,
      memberId,
      request.sessionTimeoutMs,
      now,
      request.viaSocket ? 1 : 0,
    );
    this.sql.exec(
      `INSERT INTO group_state (id, topic, topic_id, partitions, assignor, generation) VALUES (1, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET topic = excluded.topic, topic_id = excluded.topic_id, partitions = excluded.partitions,
         assignor = excluded.assignor`,
      request.topic,
      request.topicId,
      request.partitions,
      request.assignor,
      state.generation,
    );
    if (existing === undefined) this.rebalance();
    return this.assignmentOf(memberId);
  }

  /** Records a heartbeat; UNKNOWN_MEMBER_ID when the member was removed. */
  heartbeat(memberId: string, now: number): MemberAssignment {
    const cursor = this.sql.exec("UPDATE members SET last_seen = ? WHERE member_id = ?", now, memberId);
    if (cursor.rowsWritten === 0) throw unknownMember(memberId);
    return this.assignmentOf(memberId);
  }

  /** Removes members and rebalances; returns whether anyone was removed. */
  remove(memberIds: readonly string[]): boolean {
    let removed = 0;
    for (const id of memberIds) removed += this.sql.exec("DELETE FROM members WHERE member_id = ?", id).rowsWritten;
    if (removed > 0) this.rebalance();
    return removed > 0;
  }

  /** Records that a member was heard from at `at` (a socket member's ping), never moving back. */
  seen(memberId: string, at: number): void {
    this.sql.exec("UPDATE members SET last_seen = MAX(last_seen, ?) WHERE member_id = ?", at, memberId);
  }

  /** Members whose session ran out by `now`. */
  expired(now: number): string[] {
    return this.list()
      .filter((m) => m.lastSeen + m.sessionTimeoutMs <= now)
      .map((m) => m.memberId);
  }

  /** The earliest time a member's session can run out, or null with no members. */
  nextExpiry(): number | null {
    const row = this.sql.exec<{ due: number | null }>("SELECT MIN(last_seen + session_timeout_ms) AS due FROM members").one();
    return row.due;
  }

  /**
   * UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION unless `memberId` is a member of `generation`, checked
   * in that order (as Kafka, and PROTOCOL.md ERROR-6: what a request names exists before its state
   * is checked). An older generation is over (a rebalance happened since); a newer one was never
   * the group's.
   */
  validate(memberId: string, generation: number): void {
    if (this.get(memberId) === null) throw unknownMember(memberId);
    const current = this.state().generation;
    if (generation < current) {
      throw new EdgelogError("ILLEGAL_GENERATION", `generation ${generation} is over; the group is at generation ${current}`);
    }
    if (generation > current) {
      throw new EdgelogError(
        "ILLEGAL_GENERATION",
        `generation ${generation} is not the group's; the group is at generation ${current} (join again)`,
      );
    }
  }

  /** UNKNOWN_MEMBER_ID while the group has members: a commit must then carry memberId and generation. */
  refuseStandalone(group: string): void {
    const { n } = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM members").one();
    if (n > 0)
      throw new EdgelogError("UNKNOWN_MEMBER_ID", `group "${group}" has live members; a commit must carry memberId and generation`);
  }

  assignmentOf(memberId: string): MemberAssignment {
    const member = this.get(memberId);
    if (member === null) throw unknownMember(memberId);
    return { memberId, generation: this.state().generation, partitions: member.partitions };
  }

  /** Bumps the generation and reassigns every partition among the members. */
  private rebalance(): void {
    const state = this.state();
    const members = this.list();
    const previous: Assignment = new Map(members.map((m) => [m.memberId, m.partitions]));
    const next = assign(
      state.assignor,
      members.map((m) => m.memberId),
      state.partitions,
      previous,
    );
    for (const member of members) {
      this.sql.exec(
        "UPDATE members SET partitions = ? WHERE member_id = ?",
        JSON.stringify(next.get(member.memberId) ?? []),
        member.memberId,
      );
    }
    const owned = [...next.values()].reduce((n, list) => n + list.length, 0);
    invariant(members.length === 0 || owned === state.partitions, "every partition has one owner");
    this.sql.exec("UPDATE group_state SET generation = generation + 1 WHERE id = 1");
  }
}

function toMemberInfo(row: MemberRow): MemberInfo {
  return {
    memberId: row.member_id,
    partitions: JSON.parse(row.partitions) as number[],
    sessionTimeoutMs: row.session_timeout_ms,
    lastSeen: row.last_seen,
    viaSocket: row.via_socket === 1,
  };
}

function unknownMember(memberId: string): EdgelogError {
  return new EdgelogError("UNKNOWN_MEMBER_ID", `member "${memberId}" is not in the group (it left or timed out): join again`);
}
