/**
 * The bench's floor objects (issue 12, "Floors and fair peers"): the least a SQLite-backed Durable
 * Object can do for a durable ack over a hibernating socket, run on the same engine and the same
 * kind of state directory as edgelog, so edgelog's figures can be read as a ratio to them.
 *
 * - `FloorSerial`, floor (a): ONE INSERT of the message text per message, then a one-byte answer.
 *   The answer leaves through the output gate, so it is sent only once the INSERT is durable
 *   (workerd's local SQLite commits with one fsync per acknowledged write), as edgelog's acks are.
 * - `FloorBatch`, floor (b): `JSON.parse` of the frame (edgelog's `produce` frame shape), ONE
 *   INSERT of the frame text as it came, then a short ack naming the frame's id and its count.
 *
 * The Worker routes `/serial/<name>` and `/batch/<name>` (a WebSocket upgrade) to the object
 * named `<name>` of that class; anything else is 404 `NOT_FOUND`, a frame that is not a produce
 * frame is answered `{"type":"error","code":"INVALID_MESSAGE"}` (never an exception).
 *
 * @example
 * // bench/floors/floor-system.ts bundles this file with esbuild and starts it on Miniflare:
 * // new Miniflare({ modules: true, scriptPath, durableObjects: FLOOR_DURABLE_OBJECTS, ... })
 * // ws://127.0.0.1:PORT/serial/run-1 then: send '{"type":"produce","id":"p0","records":[...]}' -> "k"
 */
import { DurableObject } from "cloudflare:workers";

/**
 * The floors' bindings.
 *
 * @example
 * const stub = env.FLOOR_SERIAL.get(env.FLOOR_SERIAL.idFromName("run-1"));
 */
export interface FloorEnv {
  FLOOR_SERIAL: DurableObjectNamespace<FloorSerial>;
  FLOOR_BATCH: DurableObjectNamespace<FloorBatch>;
}

/** A log name in a route: what the bench's log names are made of, bounded. */
const NAME_PATTERN = /^\/(serial|batch)\/([a-z0-9-]{1,200})$/;

/** A floor's table: one row per message (serial) or per frame (batch). */
const CREATE_TABLE = "CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, count INTEGER NOT NULL, body TEXT NOT NULL)";

/** The serial floor's answer: one byte. */
const SERIAL_ANSWER = "k";

/** A frame the batch floor could not read. */
const INVALID_FRAME = '{"type":"error","code":"INVALID_MESSAGE"}';

/** Accepts a WebSocket upgrade on `ctx` as a hibernating socket, or refuses the request. */
function acceptSocket(ctx: DurableObjectState, request: Request): Response {
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return Response.json({ code: "UPGRADE_REQUIRED", message: "a WebSocket upgrade is expected" }, { status: 426 });
  }
  const pair = new WebSocketPair();
  ctx.acceptWebSocket(pair[1]);
  return new Response(null, { status: 101, webSocket: pair[0] });
}

/**
 * Floor (a): one INSERT per message, a one-byte answer.
 *
 * @example
 * // ws.send(frameText) -> "k" once the row is durable
 */
export class FloorSerial extends DurableObject<FloorEnv> {
  constructor(ctx: DurableObjectState, env: FloorEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(CREATE_TABLE);
  }

  override fetch(request: Request): Response {
    return acceptSocket(this.ctx, request);
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    const body = typeof message === "string" ? message : new TextDecoder().decode(message);
    this.ctx.storage.sql.exec("INSERT INTO events (count, body) VALUES (1, ?)", body);
    ws.send(SERIAL_ANSWER);
  }
}

/** The id and record count of a produce frame, or null when it is not one. */
function readFrame(text: string): { id: string; count: number } | null {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof frame !== "object" || frame === null) return null;
  const { id, records } = frame as { id?: unknown; records?: unknown };
  if (typeof id !== "string" || !Array.isArray(records) || records.length === 0) return null;
  return { id, count: records.length };
}

/**
 * Floor (b): JSON.parse the frame, one INSERT of its text as it came, a short ack.
 *
 * @example
 * // ws.send('{"type":"produce","id":"p0","records":[{"value":1}]}') -> '{"type":"ack","id":"p0","count":1}'
 */
export class FloorBatch extends DurableObject<FloorEnv> {
  constructor(ctx: DurableObjectState, env: FloorEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(CREATE_TABLE);
  }

  override fetch(request: Request): Response {
    return acceptSocket(this.ctx, request);
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    const text = typeof message === "string" ? message : new TextDecoder().decode(message);
    const frame = readFrame(text);
    if (frame === null) {
      ws.send(INVALID_FRAME);
      return;
    }
    this.ctx.storage.sql.exec("INSERT INTO events (count, body) VALUES (?, ?)", frame.count, text);
    // The id is a JSON string already checked above: stringify gives it back escaped.
    ws.send(`{"type":"ack","id":${JSON.stringify(frame.id)},"count":${frame.count}}`);
  }
}

export default {
  fetch(request: Request, env: FloorEnv): Response | Promise<Response> {
    const match = NAME_PATTERN.exec(new URL(request.url).pathname);
    if (match === null) return Response.json({ code: "NOT_FOUND", message: "use /serial/<name> or /batch/<name>" }, { status: 404 });
    const [, kind, name] = match as unknown as [string, "serial" | "batch", string];
    const namespace = kind === "serial" ? env.FLOOR_SERIAL : env.FLOOR_BATCH;
    return namespace.get(namespace.idFromName(name)).fetch(request);
  },
} satisfies ExportedHandler<FloorEnv>;
