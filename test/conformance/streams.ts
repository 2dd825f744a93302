/**
 * What the runner needs from a transport (workerd's SELF.fetch, or Node's http and ws), and the
 * two readers it builds on it: a socket's frames in arrival order, and an answer's body read as
 * it streams (SSE blocks split at blank lines). Every wait is bounded.
 *
 * @example
 * const mailbox = new Mailbox();
 * const opened = await transport.upgrade("/v1/groups/g/ws", {}, mailbox.events());
 * const frame = await mailbox.next(5_000);
 */
import type { Json } from "./types.ts";

/** An HTTP request as the runner sends it. */
export interface WireRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Uint8Array | null;
  /** Send the body, then hold the request open: its end never comes. */
  hold?: boolean;
}

/** An HTTP answer whose body is read in chunks (null at its end). */
export interface WireAnswer {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  read(): Promise<Uint8Array | null>;
  cancel(): Promise<void>;
}

/** An open WebSocket. */
export interface WireSocket {
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
}

/** What a socket reports to its mailbox. */
export interface SocketEvents {
  frame(data: string | Uint8Array): void;
  closed(code: number, reason: string): void;
}

/** A transport to one server. */
export interface Transport {
  request(request: WireRequest): Promise<WireAnswer>;
  /** An upgrade: the open socket, or the refusal's HTTP answer. */
  upgrade(path: string, headers: Record<string, string>, events: SocketEvents): Promise<{ socket: WireSocket } | { answer: WireAnswer }>;
  /**
   * The fixtures this transport can arrange and the abilities it has (cases that use or need others
   * are skipped). One ability is named: "declared-length", sending a Content-Length larger than the
   * body and getting the server's answer (a proxy that waits for the whole body, as wrangler dev's
   * does, makes that impossible); another, "held-body", sending a body and then holding the request
   * open (WireRequest.hold) until the server answers; a third, "ordered-frames", frames sent back
   * to back reaching the server in that order (a TCP socket does; the workerd runner's in-isolate
   * sockets do not always: 6 of 40 pipelined triples were reordered there); a fourth,
   * "bare-upgrade", getting the server's own answer to an `Upgrade: websocket` that is no
   * handshake (wrangler dev's proxy answers it with a plain-text 400 of its own).
   */
  supports: ReadonlySet<string>;
  /** Arranges a fixture; what it answers is bound as variables for later steps (a token). */
  fixture(name: string, args: Record<string, Json>): Promise<Record<string, Json> | undefined>;
}

/** A frame as received. */
export interface Frame {
  text: string | null;
  binary: Uint8Array | null;
}

/** Resolves after `ms`, or sooner when `wake` is called; the timer is always cleared. */
function pause(ms: number, wakers: Set<() => void>): Promise<void> {
  return new Promise((resolve) => {
    const wake = () => {
      if (timer !== undefined) clearTimeout(timer);
      wakers.delete(wake);
      resolve();
    };
    const timer = setTimeout(wake, Math.max(0, ms));
    wakers.add(wake);
  });
}

/**
 * A socket's received frames in order, and its close.
 *
 * @example
 * const mailbox = new Mailbox();
 * await transport.upgrade(path, {}, mailbox.events());
 * (await mailbox.next(5_000)).text; // '{"type":"hello",...}'
 */
export class Mailbox {
  private readonly queue: Frame[] = [];
  private readonly wakers = new Set<() => void>();
  closeEvent: { code: number; reason: string } | null = null;

  /** The callbacks a transport calls. */
  events(): SocketEvents {
    return {
      frame: (data) => {
        this.queue.push(typeof data === "string" ? { text: data, binary: null } : { text: null, binary: data });
        this.poke();
      },
      closed: (code, reason) => {
        this.closeEvent = { code, reason };
        this.poke();
      },
    };
  }

  private poke(): void {
    for (const wake of [...this.wakers]) wake();
  }

  /** The next frame, waiting up to `withinMs`; throws naming what is queued when none comes. */
  async next(withinMs: number): Promise<Frame> {
    const deadline = Date.now() + withinMs;
    for (let turn = 0; turn < 100_000; turn++) {
      const frame = this.queue.shift();
      if (frame !== undefined) return frame;
      if (this.closeEvent !== null)
        throw new Error(`the socket closed (${this.closeEvent.code} ${this.closeEvent.reason}) before a frame came`);
      const left = deadline - Date.now();
      if (left <= 0) break;
      await pause(left, this.wakers);
    }
    throw new Error(`no frame within ${withinMs} ms`);
  }

  /** Waits up to `withinMs` for the close; frames still queued are an error (they were not expected). */
  async closed(withinMs: number): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + withinMs;
    for (let turn = 0; turn < 100_000 && this.closeEvent === null; turn++) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      await pause(left, this.wakers);
    }
    if (this.closeEvent === null) throw new Error(`the socket did not close within ${withinMs} ms`);
    const unread = this.queue.map((f) => f.text ?? "<binary>");
    if (unread.length > 0) throw new Error(`frames came before the close and were not expected: ${unread.join(" | ").slice(0, 300)}`);
    return this.closeEvent;
  }
}

/** One SSE block, parsed as the SSE spec assembles fields (`data` lines joined with "\n"). */
export interface SseBlock {
  raw: string;
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
  comment?: string;
}

/**
 * Parses one block (the text between blank lines).
 *
 * @example
 * parseBlock("id: 3\nevent: record\ndata: {}"); // { raw, id: "3", event: "record", data: "{}" }
 */
export function parseBlock(raw: string): SseBlock {
  const block: SseBlock = { raw };
  const data: string[] = [];
  for (const line of raw.split("\n")) {
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "") block.comment = value;
    else if (field === "data") data.push(value);
    else if (field === "id" || field === "event" || field === "retry") block[field] = value;
  }
  if (data.length > 0) block.data = data.join("\n");
  return block;
}

/**
 * An answer's body read as it streams: whole text, or SSE blocks.
 *
 * @example
 * const reader = new BodyReader(answer);
 * const block = await reader.block(5_000); // { raw: "retry: 1000", retry: "1000" }
 */
export class BodyReader {
  private readonly answer: WireAnswer;
  private readonly decoder = new TextDecoder();
  private buffer = "";
  private pending: Promise<Uint8Array | null> | null = null;
  done = false;

  constructor(answer: WireAnswer) {
    this.answer = answer;
  }

  /** Reads one more chunk into the buffer within `withinMs`; false when the time ran out. */
  private async pull(withinMs: number): Promise<boolean> {
    this.pending ??= this.answer.read();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), Math.max(0, withinMs));
    });
    const chunk = await Promise.race([this.pending, timeout]);
    if (timer !== undefined) clearTimeout(timer);
    if (chunk === "timeout") return false;
    this.pending = null;
    if (chunk === null) {
      this.done = true;
      this.buffer += this.decoder.decode();
    } else this.buffer += this.decoder.decode(chunk, { stream: true });
    return true;
  }

  /** The whole body as text (bounded by `withinMs` in all). */
  async text(withinMs: number): Promise<string> {
    const deadline = Date.now() + withinMs;
    while (!this.done) {
      if (!(await this.pull(deadline - Date.now()))) throw new Error(`the body did not end within ${withinMs} ms`);
    }
    const text = this.buffer;
    this.buffer = "";
    return text;
  }

  /** The next SSE block, waiting up to `withinMs`. */
  async block(withinMs: number): Promise<SseBlock> {
    const deadline = Date.now() + withinMs;
    for (let turn = 0; turn < 100_000; turn++) {
      const end = this.buffer.indexOf("\n\n");
      if (end !== -1) {
        const raw = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        return parseBlock(raw);
      }
      if (this.done)
        throw new Error(`the stream ended${this.buffer === "" ? "" : ` with an unfinished block ${JSON.stringify(this.buffer)}`}`);
      if (!(await this.pull(deadline - Date.now()))) break;
    }
    throw new Error(
      `no complete block within ${withinMs} ms${this.buffer === "" ? "" : `; have ${JSON.stringify(this.buffer.slice(0, 200))}`}`,
    );
  }

  /** Waits for the end; anything more in the body is an error. */
  async ended(withinMs: number): Promise<void> {
    const rest = await this.text(withinMs);
    if (rest !== "") throw new Error(`more came before the end: ${JSON.stringify(rest.slice(0, 200))}`);
  }

  /** Stops reading (the client goes away). */
  async cancel(): Promise<void> {
    this.done = true;
    await this.answer.cancel().catch(() => undefined);
  }
}
