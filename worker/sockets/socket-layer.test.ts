import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import {
  CLOSE_POLICY_VIOLATION,
  EdgelogError,
  PING,
  PONG,
  SOCKET_MESSAGE_BYTES_MAX,
  SOCKET_PENDING_CHARACTERS_MAX,
  SOCKET_PENDING_FRAMES_MAX,
} from "../../client/protocol/index.ts";
import { UPGRADE_HEADERS } from "../../test/worker/socket.ts";
import { app } from "../index.ts";
import { groupStub } from "../object-names.ts";
import { type SocketAttachment, SocketLayer } from "./socket-layer.ts";

type State = { memberId: string | null };

/** A socket that keeps what is done to it; `gone` makes send and close throw, as a closed one does. */
class FakeSocket {
  attachment: unknown = null;
  sent: string[] = [];
  closes: [number, string][] = [];
  gone = false;
  serializeAttachment(value: unknown): void {
    this.attachment = structuredClone(value);
  }
  deserializeAttachment(): unknown {
    return structuredClone(this.attachment);
  }
  send(text: string): void {
    if (this.gone) throw new TypeError("WebSocket is closed");
    this.sent.push(text);
  }
  close(code: number, reason: string): void {
    if (this.gone) throw new TypeError("WebSocket is closed");
    this.closes.push([code, reason]);
  }
}

/** A layer over a fake object state that counts auto-responses set and sockets accepted. */
function layer() {
  const sockets: WebSocket[] = [];
  const pairs: WebSocketRequestResponsePair[] = [];
  const ctx = {
    setWebSocketAutoResponse: (pair: WebSocketRequestResponsePair) => pairs.push(pair),
    acceptWebSocket: (ws: WebSocket) => sockets.push(ws),
    getWebSockets: () => sockets,
  } as unknown as DurableObjectState;
  const options = { version: 1, initial: (): State => ({ memberId: null }), label: "test" };
  return { sockets: new SocketLayer<State, { type: "joined" }>(ctx, options), pairs, ctx, options };
}

const fake = () => new FakeSocket() as FakeSocket & WebSocket;

describe("SocketLayer", () => {
  it("answers PING with PONG in the runtime (the auto-response)", () => {
    const { pairs } = layer();
    expect(pairs.map((p) => [p.request, p.response])).toEqual([[PING, PONG]]);
  });

  it("writes state and authentication through to a versioned attachment and reads it once per life", () => {
    const { sockets, ctx, options } = layer();
    const ws = fake();
    sockets.save(ws, { memberId: "m1" });
    sockets.saveAuth(ws, { phase: "open" });
    expect(ws.attachment).toEqual({ v: 1, state: { memberId: "m1" }, auth: { phase: "open" } } satisfies SocketAttachment<State>);
    // Cached: a change made behind the layer's back is not read again in this life.
    ws.attachment = { v: 1, state: { memberId: "elsewhere" }, auth: { phase: "waiting", deadlineAt: 5 } };
    expect(sockets.stateOf(ws)).toEqual({ memberId: "m1" });
    // A new life (a new layer) reads the attachment; one of another version starts afresh, and
    // closed: its authentication cannot be read, so it is refused rather than trusted.
    const next = new SocketLayer<State, never>(ctx, options);
    expect([next.stateOf(ws), next.authOf(ws)]).toEqual([{ memberId: "elsewhere" }, { phase: "waiting", deadlineAt: 5 }]);
    ws.attachment = { v: 2, state: { memberId: "future" } };
    const later = new SocketLayer<State, never>(ctx, options);
    expect([later.stateOf(ws), later.authOf(ws)]).toEqual([{ memberId: null }, { phase: "closed" }]);
  });

  it("sends and closes without throwing when the socket is gone, and never sends a reserved code", () => {
    const { sockets } = layer();
    const ws = fake();
    sockets.send(ws, { type: "joined" });
    sockets.send(ws, "raw");
    for (const code of [1000, 1005, 1006, 1015, 4408]) sockets.close(ws, code, "bye");
    expect(ws.sent).toEqual(['{"type":"joined"}', "raw"]);
    expect(ws.closes.map(([code]) => code)).toEqual([1000, 1000, 1000, 1000, 4408]);
    ws.gone = true;
    expect(() => sockets.send(ws, "late")).not.toThrow();
    expect(() => sockets.closed(ws, 1005, "")).not.toThrow();
  });

  it("answers a refused frame with an error naming its id, and anything else as INTERNAL", async () => {
    const { sockets } = layer();
    const ws = fake();
    await sockets.receive(ws, '{"type":"x","id":"r1"}', () => {
      throw new EdgelogError("INVALID_REQUEST", "no");
    });
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      await sockets.receive(ws, '{"type":"x","id":"r2"}', async () => {
        throw new Error("a bug");
      });
      expect(logged).toHaveBeenCalledWith("edgelog: a test socket message failed", new Error("a bug"));
    } finally {
      logged.mockRestore();
    }
    await sockets.receive(ws, new ArrayBuffer(2), () => undefined);
    expect(ws.sent.map((text) => JSON.parse(text))).toEqual([
      { type: "error", id: "r1", code: "INVALID_REQUEST", message: "no" },
      { type: "error", id: "r2", code: "INTERNAL", message: "an unexpected error occurred; it has been logged" },
      { type: "error", id: null, code: "INVALID_REQUEST", message: "frames are JSON text, not binary" },
    ]);
  });

  it("handles a socket's frames in arrival order behind a handler that waits (SOCKET-15)", async () => {
    const { sockets } = layer();
    const ws = fake();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = sockets.receive(ws, "a", async (text) => {
      await gate;
      order.push(text);
    });
    const second = sockets.receive(ws, "b", (text) => void order.push(text));
    await Promise.resolve();
    expect(order).toEqual([]);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(["a", "b"]);
  });

  it("closes 1008 when more frames wait than SOCKET_PENDING_FRAMES_MAX, and takes frames again once answered (SOCKET-19)", async () => {
    const { sockets } = layer();
    const ws = fake();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let handled = 0;
    const handle = async () => {
      await gate;
      handled++;
    };
    const runs = Array.from({ length: SOCKET_PENDING_FRAMES_MAX }, () => sockets.receive(ws, "{}", handle));
    expect(ws.closes).toEqual([]);
    await sockets.receive(ws, "{}", handle); // the 1,025th not yet answered: refused, never handled
    expect(ws.closes).toEqual([[CLOSE_POLICY_VIOLATION, expect.stringContaining("waiting")]]);
    release();
    await Promise.all(runs);
    expect(handled).toBe(SOCKET_PENDING_FRAMES_MAX);
    await sockets.receive(ws, "{}", handle);
    expect(handled).toBe(SOCKET_PENDING_FRAMES_MAX + 1);
  });

  it("closes 1008 when the frames waiting pass SOCKET_PENDING_CHARACTERS_MAX, a largest frame taken alone (SOCKET-19)", async () => {
    expect(SOCKET_PENDING_CHARACTERS_MAX).toBeGreaterThanOrEqual(SOCKET_MESSAGE_BYTES_MAX);
    const { sockets } = layer();
    const ws = fake();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const big = "x".repeat(SOCKET_MESSAGE_BYTES_MAX);
    const handle = async () => {
      await gate;
    };
    const runs = [sockets.receive(ws, big, handle), sockets.receive(ws, big, handle)];
    expect(ws.closes).toEqual([]);
    await sockets.receive(ws, "{}", handle);
    expect(ws.closes).toEqual([[CLOSE_POLICY_VIOLATION, expect.stringContaining("characters")]]);
    release();
    await Promise.all(runs);
  });

  it("is what a real object's socket carries: {v: 2, state, auth} in its attachment", async () => {
    const group = `layer-${crypto.randomUUID()}`;
    const res = await app.request(`http://x/v1/groups/${group}/ws`, { headers: UPGRADE_HEADERS }, env);
    expect(res.status).toBe(101);
    res.webSocket!.accept();
    try {
      const attachments = await runInDurableObject(groupStub(env, group), (_, state) =>
        state.getWebSockets().map((ws) => ws.deserializeAttachment()),
      );
      // Auth is off in this project: the socket is open from the start.
      expect(attachments).toEqual([{ v: 2, state: { group, memberId: null }, auth: { phase: "open" } }]);
    } finally {
      res.webSocket!.close(1000, "done");
    }
  });
});
