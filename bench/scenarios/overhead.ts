/**
 * Where an edgelog request's time goes (profiling, edgelog only). Serial round trips that stop
 * at successive layers, each compared with the full produce:
 * - `worker-only`: a route the Worker answers itself (404), no Durable Object: the HTTP stack,
 *   wrangler's proxy (under wrangler dev) and the Worker's router;
 * - `object-read`: an offsets lookup, Worker -> partition object RPC -> SQLite read, no write;
 * - `ws-ping`: a socket ping answered by the runtime's auto-response, no object code at all:
 *   the WebSocket path (and the proxy's share of it).
 * A serial produce adds the SQLite write and the output gate's wait for storage.
 *
 * @example
 * const sample = await overheadRun(baseUrl, "bench-topic", "worker-only", profile.overhead);
 * sample.metrics.ms; // mean ms per round trip
 */
import WebSocket from "ws";
import { HttpClient } from "../http-client.ts";
import type { Bounds } from "../profiles.ts";
import type { RunSample } from "../result.ts";
import { perSecond } from "../stats.ts";

/** The probes, from the shallowest layer down. */
export const OVERHEAD_PROBES = ["worker-only", "object-read", "ws-ping"] as const;
export type OverheadProbe = (typeof OVERHEAD_PROBES)[number];

/** How long a socket may take to open or answer a ping, in ms. */
const PING_TIMEOUT_MS = 10_000;

/** Round trips done and the ms they took (connection setup excluded where it can be). */
interface Loop {
  done: number;
  elapsedMs: number;
}

async function httpLoop(url: string, bounds: Bounds, okStatus: number): Promise<Loop> {
  const http = new HttpClient(1);
  const start = performance.now();
  const deadline = start + bounds.secondsMax * 1000;
  let done = 0;
  try {
    while (done < bounds.eventsMax && performance.now() < deadline) {
      const answer = await http.request("GET", url);
      if (answer.status !== okStatus) throw new Error(`GET ${url} answered ${answer.status}, expected ${okStatus}`);
      done++;
    }
  } finally {
    http.close();
  }
  return { done, elapsedMs: performance.now() - start };
}

async function pingLoop(socketUrl: string, bounds: Bounds): Promise<Loop> {
  const ws = new WebSocket(socketUrl, { perMessageDeflate: false });
  const next = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer on ${socketUrl} within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
      ws.once("message", (data) => {
        clearTimeout(timer);
        resolve(data.toString());
      });
    });
  let done = 0;
  let start = performance.now();
  try {
    await next(); // hello: the socket is open, timing starts
    start = performance.now();
    const deadline = start + bounds.secondsMax * 1000;
    while (done < bounds.eventsMax && performance.now() < deadline) {
      const answer = next();
      ws.send('{"type":"ping"}');
      if ((await answer) !== '{"type":"pong"}') throw new Error("the partition socket did not answer pong");
      done++;
    }
  } finally {
    ws.terminate();
  }
  return { done, elapsedMs: performance.now() - start };
}

/**
 * One run of a probe against edgelog at `baseUrl` (topic `topic` must exist, with partition 0):
 * answers round trips per second and the mean ms per round trip.
 *
 * @example
 * await overheadRun("http://127.0.0.1:8787", "bench-overhead", "ws-ping", { eventsMax: 500, secondsMax: 1 });
 */
export async function overheadRun(baseUrl: string, topic: string, probe: OverheadProbe, bounds: Bounds): Promise<RunSample> {
  let loop: Loop;
  if (probe === "worker-only") loop = await httpLoop(`${baseUrl}/v1/bench-no-such-route`, bounds, 404);
  else if (probe === "object-read")
    loop = await httpLoop(`${baseUrl}/v1/topics/${topic}/partitions/0/offsets?timestamp=latest`, bounds, 200);
  else loop = await pingLoop(`${baseUrl.replace(/^http/, "ws")}/v1/topics/${topic}/partitions/0/ws`, bounds);
  const { done, elapsedMs } = loop;
  return { metrics: { rate: perSecond(done, elapsedMs), ms: done > 0 ? elapsedMs / done : Number.NaN }, counts: { requests: done } };
}
