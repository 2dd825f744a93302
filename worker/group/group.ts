/**
 * The Group Durable Object: one consumer group's coordinator. It keeps membership and the
 * generation (members.ts), assigns partitions (assignors.ts), expires silent members with its
 * alarm (on its injected clock), pushes assignments to members connected by WebSocket (the
 * socket layer keeps each socket's member in its attachment), and vets every commit before it
 * reaches the partitions: a member's by its generation, a standalone one by the group being empty.
 * The class only hands runtime events to those.
 *
 * Rules: PROTOCOL.md GROUP-4, GROUP-10, GSOCKET-4, GSOCKET-6, GSOCKET-7, COMMIT-4, COMMIT-5, CLOSE-4, AUTH-9, AUTH-12.
 *
 * @example
 * const group = groupStub(env, "billing");
 * const { memberId, generation, partitions } = unwrap(await group.join(input, "billing"));
 */
import { DurableObject } from "cloudflare:workers";
import type { CommitMember, OffsetCommit } from "../../client/protocol/index.ts";
import { CLOSE_SESSION_EXPIRED, EdgelogError, type GroupServerMessage, type JoinInput } from "../../client/protocol/index.ts";
import { type Clock, type Clocked, systemClock } from "../clock.ts";
import type { Env } from "../env.ts";
import { errorJson } from "../error-response.ts";
import { partitionStub, registryStub } from "../object-names.ts";
import { capture, captureAsync, type Result, unwrap } from "../result.ts";
import { SocketAuth } from "../sockets/socket-auth.ts";
import { SocketLayer } from "../sockets/socket-layer.ts";
import { isWebSocketUpgrade, upgradeRequired } from "../sockets/socket-upgrade.ts";
import { GroupIndex } from "./group-index.ts";
import { handleGroupSocketMessage } from "./group-messages.ts";
import { type GroupState, type MemberAssignment, type MemberInfo, Members } from "./members.ts";

/**
 * A group socket's state in its attachment: the group it is for (its grants are checked on it)
 * and the member it carries, if any.
 *
 * @example
 * group.sockets.save(ws, { group: "billing", memberId: null } satisfies MemberSocket); // the socket carries no member now
 */
export interface MemberSocket {
  group: string;
  memberId: string | null;
}

/**
 * The header the Worker names the group in when it forwards a socket upgrade (the object is
 * named by the group but does not know the name).
 *
 * @example
 * headers.set(GROUP_NAME_HEADER, group);
 */
export const GROUP_NAME_HEADER = "x-edgelog-group";

/**
 * The version of a group socket's attachment state (MemberSocket).
 *
 * @example
 * new SocketLayer(ctx, { version: GROUP_SOCKET_VERSION, initial: () => ({ group: "", memberId: null }), label: "group" });
 */
export const GROUP_SOCKET_VERSION = 2;

/**
 * The Group Durable Object, one per consumer group (named by it): membership, assignments and
 * the vetting of commits, as this module's header says. Its RPC methods answer a Result.
 *
 * @example
 * const coordinator = groupStub(env, "billing");
 * const { memberId } = unwrap(await coordinator.join(parseJoin({ topic: "orders" }), "billing"));
 * unwrap(await coordinator.heartbeat(memberId));
 */
export class Group extends DurableObject<Env> implements Clocked {
  /** Where time comes from (a test sets another on the live object). */
  clock: Clock = systemClock;
  readonly members: Members;
  readonly sockets: SocketLayer<MemberSocket, GroupServerMessage>;
  /** Socket authentication (the first message, re-auth, expiry), on the alarm shared with session expiry. */
  readonly auth: SocketAuth;
  /** The (group, topic) pairs noted in the registry's group list (GROUP-14). */
  private readonly index: GroupIndex;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.members = new Members(ctx.storage.sql);
    this.index = new GroupIndex(ctx.storage.sql, () => registryStub(env));
    this.sockets = new SocketLayer(ctx, { version: GROUP_SOCKET_VERSION, initial: () => ({ group: "", memberId: null }), label: "group" });
    this.auth = new SocketAuth(this.sockets, { env, clock: () => this.clock, schedule: (dueMs) => this.scheduleAlarm(dueMs) });
  }

  /** Makes a socket carry `memberId` (or none). */
  setMember(ws: WebSocket, memberId: string | null): void {
    this.sockets.save(ws, { ...this.sockets.stateOf(ws), memberId });
  }

  /** Joins (or rejoins) a member of group `group` over HTTP; the topic is resolved in the registry. */
  async join(input: JoinInput, group: string): Promise<Result<MemberAssignment>> {
    return captureAsync(() => this.admit(input, null, group));
  }

  /**
   * Joins (or rejoins) the member a socket carries: the socket gets `joined` (with request id
   * `id`) before any assignment, and the other socket members get `assignment` if the join
   * rebalanced (the joiner learns its partitions from `joined`). Throws EdgelogError.
   */
  async joinSocket(ws: WebSocket, id: string, input: JoinInput): Promise<void> {
    await this.admit(input, { ws, id }, this.sockets.stateOf(ws).group);
  }

  /** A join: a new member bumps the generation and rebalances; an existing one refreshes its session. */
  private async admit(input: JoinInput, via: { ws: WebSocket; id: string } | null, group: string): Promise<MemberAssignment> {
    const meta = await registryStub(this.env).get(input.topic);
    if (meta === null || meta.state !== "ready") throw new EdgelogError("UNKNOWN_TOPIC", `topic "${input.topic}" does not exist`);
    await this.index.note(group, input.topic);
    const before = this.members.state().generation;
    const request = { ...input, topicId: meta.topicId, partitions: meta.partitions, viaSocket: via !== null };
    const assignment = this.members.join(request, this.clock.now());
    if (via !== null) {
      this.bind(via.ws, assignment.memberId);
      this.sockets.send(via.ws, { type: "joined", id: via.id, ...assignment });
    }
    if (assignment.generation !== before) this.pushAssignments(via?.ws ?? null);
    await this.scheduleAlarm();
    return assignment;
  }

  /**
   * Makes `ws` the one socket of `memberId`: another socket that carried the member (a client
   * that reconnected before its old socket closed) lets go of it, so that socket's close does not
   * remove a member that lives on.
   */
  private bind(ws: WebSocket, memberId: string): void {
    for (const other of this.sockets.all()) {
      if (other !== ws && this.socketMember(other) === memberId) this.setMember(other, null);
    }
    this.setMember(ws, memberId);
  }

  heartbeat(memberId: string): Result<MemberAssignment> {
    return capture(() => this.members.heartbeat(memberId, this.clock.now()));
  }

  leave(memberId: string): Result<null> {
    return capture(() => {
      if (!this.members.remove([memberId])) this.members.assignmentOf(memberId);
      this.pushAssignments();
      return null;
    });
  }

  describe(): { state: GroupState; members: MemberInfo[] } {
    return { state: this.members.state(), members: this.members.list() };
  }

  /**
   * Vets a commit the caller sends to the partitions itself, in one call: a member's (with its
   * generation) must be of the current generation (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID); a
   * standalone one (`member` null) is refused while the group has members (UNKNOWN_MEMBER_ID, as
   * Kafka refuses one to a non-empty group). Answers the topic incarnation the group consumes.
   * Also answers which of the commit's `topics` the group list lacks (GROUP-14): the caller
   * calls `note` with them once the commit succeeded (never, once all are noted).
   */
  vet(group: string, member: CommitMember | null, topics: readonly string[] = []): Result<{ topicId: string | null; unnoted: string[] }> {
    return capture(() => {
      if (member === null) this.members.refuseStandalone(group);
      else this.members.validate(member.memberId, member.generation);
      return { topicId: this.members.state().topicId, unnoted: this.index.unnoted(topics) };
    });
  }

  /** Notes a committed group's topics in the registry's group list (GROUP-14), after `vet` named them. */
  async note(group: string, topics: readonly string[]): Promise<null> {
    for (const topic of topics) await this.index.note(group, topic);
    return null;
  }

  /** Commits a member's offsets after checking its generation; partitions fence older ones too. */
  async commit(request: { group: string; member: CommitMember; offsets: OffsetCommit[] }): Promise<Result<null>> {
    const { group, offsets } = request;
    const { memberId, generation } = request.member;
    return captureAsync(async () => {
      this.members.validate(memberId, generation);
      const { topic, topicId, partitions } = this.members.state();
      // Every entry is checked before any is sent, so a bad one commits nothing (as a standalone
      // commit), and a partition past the topic's is UNKNOWN_PARTITION, not an uncreated object's answer.
      if (topicId === null) throw new EdgelogError("INCONSISTENT_GROUP", "the group consumes no topic");
      for (const entry of offsets) {
        if (entry.topic !== topic) {
          throw new EdgelogError("INCONSISTENT_GROUP", `the group consumes topic "${topic}", not "${entry.topic}"`);
        }
        if (entry.partition >= partitions) {
          throw new EdgelogError("UNKNOWN_PARTITION", `topic "${topic}" has partitions 0 to ${partitions - 1}, not ${entry.partition}`);
        }
      }
      const results = await Promise.all(
        offsets.map((entry) => {
          return partitionStub(this.env, topicId, entry.partition).commit(topicId, group, entry.offset, entry.metadata ?? null, generation);
        }),
      );
      for (const result of results) unwrap(result);
      return null;
    });
  }

  override async fetch(request: Request): Promise<Response> {
    if (!isWebSocketUpgrade(request)) return upgradeRequired();
    const group = request.headers.get(GROUP_NAME_HEADER);
    if (group === null) return errorJson("INVALID_REQUEST", `a group socket is forwarded with ${GROUP_NAME_HEADER}`);
    const { socket, response } = this.sockets.accept(await this.auth.initial());
    this.sockets.save(socket, { group, memberId: null });
    return response;
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    await this.sockets.receive(ws, message, (text) => handleGroupSocketMessage(this, ws, text));
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.release(ws);
    this.sockets.closed(ws, code, reason);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.release(ws);
    this.sockets.errored(ws);
  }

  /** Session expiry and the sockets' authentication: removes silent members, rebalances, closes what is due. */
  override async alarm(): Promise<void> {
    const now = this.clock.now();
    this.auth.fire(now);
    this.recordPings();
    const expired = this.members.expired(now);
    if (expired.length > 0) {
      for (const ws of this.sockets.all()) {
        if (!expired.includes(this.socketMember(ws) ?? "")) continue;
        this.setMember(ws, null);
        this.sockets.close(ws, CLOSE_SESSION_EXPIRED, "session timed out");
      }
      this.members.remove(expired);
      this.pushAssignments();
    }
    await this.scheduleAlarm();
  }

  /** The member a socket carries, or null. */
  socketMember(ws: WebSocket): string | null {
    return this.sockets.stateOf(ws).memberId;
  }

  /** Pushes every socket member but `except` its current assignment (after any rebalance). */
  pushAssignments(except: WebSocket | null = null): void {
    const { generation } = this.members.state();
    for (const ws of this.sockets.all()) {
      if (ws === except) continue;
      const memberId = this.socketMember(ws);
      const member = memberId === null ? null : this.members.get(memberId);
      if (member !== null)
        this.sockets.send(ws, { type: "assignment", memberId: member.memberId, generation, partitions: member.partitions });
    }
  }

  /** A socket went away: the member it carried leaves the group, which rebalances. */
  private release(ws: WebSocket): void {
    const memberId = this.socketMember(ws);
    if (memberId !== null && this.members.remove([memberId])) this.pushAssignments();
  }

  /**
   * Stores each socket member's last ping (answered by the runtime, unseen by the object) as its
   * last_seen. Both the expiry check and the next alarm's time read last_seen: counting pings in
   * the check alone left the next alarm at the stale session end, so it re-fired at once forever.
   * The runtime stamps a ping on its own clock; `clock.at` places it on the object's clock.
   */
  private recordPings(): void {
    for (const ws of this.sockets.all()) {
      const memberId = this.socketMember(ws);
      const ping = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? null;
      if (memberId !== null && ping !== null) this.members.seen(memberId, this.clock.at(ping));
    }
  }

  /**
   * Sets the alarm for the earliest of the next session expiry, the sockets' authentication and
   * `alsoMs` (a socket's deadline before the socket is accepted).
   */
  private async scheduleAlarm(alsoMs: number | null = null): Promise<void> {
    const dues = [this.members.nextExpiry(), this.auth.nextDue(), alsoMs].filter((due) => due !== null);
    if (dues.length === 0) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.max(Math.min(...dues), this.clock.now() + 1));
  }
}
