/**
 * A group member's socket for the workerd tests (`GET /v1/groups/:group/ws` through the app): it
 * records every message in order and hands them out each once, waiting for the next frame or the
 * close as an event (bounded by a deadline), never by polling.
 *
 * @example
 * const sock = await GroupSocket.open("billing");
 * const joined = await sock.join("j1", { topic: "orders" });
 * const pushed = await sock.next("assignment", (m) => m.generation === joined.generation + 1);
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { type GroupServerMessage, PING, PONG } from "../../client/protocol/index.ts";
import { app } from "../../worker/index.ts";
import { UPGRADE_HEADERS } from "./socket.ts";
import { Wakeups } from "./wakeups.ts";

/** A group-socket message of one type. */
export type GroupMessage<T extends GroupServerMessage["type"]> = Extract<GroupServerMessage, { type: T }>;

/** How long a test waits for one message at most (a bound, not an assertion). */
const MESSAGE_WAIT_MS = 5_000;

export class GroupSocket {
  /** Every message received, in order (PONG included, as `{type: "pong"}`). */
  readonly received: GroupServerMessage[] = [];
  closed: { code: number; reason: string } | null = null;
  private readonly taken = new Set<number>();
  /** Waits in progress, woken by each frame and by the close. */
  private readonly wakeups = new Wakeups();

  constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (event) => {
      this.received.push(JSON.parse(event.data as string) as GroupServerMessage);
      this.poke();
    });
    ws.addEventListener("close", (event) => {
      this.closed = { code: event.code, reason: event.reason };
      this.poke();
    });
    ws.accept();
  }

  /** Opens a group's socket through the app and asserts the upgrade (101). */
  static async open(group: string): Promise<GroupSocket> {
    const res = await app.request(`http://x/v1/groups/${group}/ws`, { headers: UPGRADE_HEADERS }, env);
    expect(res.status).toBe(101);
    return new GroupSocket(res.webSocket!);
  }

  send(message: unknown): void {
    this.ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** The next message of `type` not handed out yet (and matching `where`), waiting a bounded time. */
  next<T extends GroupServerMessage["type"]>(type: T, where: (m: GroupMessage<T>) => boolean = () => true): Promise<GroupMessage<T>> {
    return this.until(`"${type}" message`, () => {
      const index = this.received.findIndex((m, i) => !this.taken.has(i) && m.type === type && where(m as GroupMessage<T>));
      if (index === -1) return undefined;
      this.taken.add(index);
      return this.received[index] as GroupMessage<T>;
    });
  }

  /** Joins and answers the `joined` reply. */
  async join(id: string, body: Record<string, unknown>): Promise<GroupMessage<"joined">> {
    this.send({ type: "join", id, ...body });
    return this.next("joined", (m) => m.id === id);
  }

  /** Sends PING and waits for the runtime's PONG. */
  async ping(): Promise<void> {
    this.send(PING);
    const pong = JSON.parse(PONG) as { type: string };
    await this.until("pong", () => {
      const index = this.received.findIndex((m, i) => !this.taken.has(i) && (m as { type: string }).type === pong.type);
      if (index === -1) return undefined;
      this.taken.add(index);
      return true;
    });
  }

  /** Messages of `type` not handed out yet. */
  pending(type: GroupServerMessage["type"]): GroupServerMessage[] {
    return this.received.filter((m, i) => !this.taken.has(i) && m.type === type);
  }

  /** Waits (bounded) for the socket to close and answers its code and reason. */
  async closing(): Promise<{ code: number; reason: string }> {
    return this.until("close", () => this.closed ?? undefined);
  }

  close(): void {
    if (this.closed === null) this.ws.close(1000, "done");
  }

  private poke(): void {
    this.wakeups.wake();
  }

  /** Waits until `pick` finds something, woken by each frame and the close; fails naming `what`. */
  private async until<R>(what: string, pick: () => R | undefined): Promise<R> {
    const found = await this.wakeups.until(pick, MESSAGE_WAIT_MS);
    if (found !== undefined) return found;
    throw new Error(`no ${what} in ${MESSAGE_WAIT_MS} ms; received ${JSON.stringify(this.received)}`);
  }
}
