/**
 * The V8 heap of edgelog's isolate in a running workerd, read through Miniflare's inspector (the
 * Chrome DevTools protocol) as a heap snapshot: only what is reachable, and without compiled code
 * (which V8 adds as functions get hot). The heap's used size (`Runtime.getHeapUsage`), even after
 * `HeapProfiler.collectGarbage`, swung by ~3 MiB between readings here, so it cannot tell 1 KiB
 * per socket from 10. The Worker and its Durable Objects share the isolate that Miniflare names
 * `core:user:`.
 *
 * @example
 * const miniflare = new Miniflare({ ...options, inspectorPort: 0 });
 * const bytes = await isolateHeapReachableBytes(await miniflare.getInspectorURL());
 */
import WebSocket from "ws";
import { withTimeout } from "./waits.ts";

/** How long the inspector may take to answer, in ms. */
const INSPECTOR_ANSWER_MS_MAX = 30_000;
/** Miniflare's name for the isolate of the user's Worker, in the inspector's target titles. */
const USER_ISOLATE_TITLE = "core:user:";

/** One target in the inspector's `/json` list. */
interface InspectorTarget {
  title?: string;
  webSocketDebuggerUrl: string;
}

/** The part of a heap snapshot this reads (the DevTools heap snapshot format). */
interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
}

/** Node types that are compiled code or V8's own bookkeeping of it, left out of the sum. */
const CODE_NODE_TYPES: ReadonlySet<string> = new Set(["code"]);

/** Takes a heap snapshot on `ws` (V8 collects garbage first) and answers it parsed. */
async function takeSnapshot(ws: WebSocket): Promise<HeapSnapshot> {
  const chunks: string[] = [];
  const done = new Promise<void>((resolve, reject) => {
    ws.on("message", (data) => {
      const message = JSON.parse(data.toString()) as {
        id?: number;
        method?: string;
        params?: { chunk: string };
        error?: { message: string };
      };
      if (message.method === "HeapProfiler.addHeapSnapshotChunk") chunks.push(message.params!.chunk);
      if (message.error !== undefined) reject(new Error(`inspector: ${message.error.message}`));
      if (message.id === 1) resolve();
    });
  });
  ws.send(JSON.stringify({ id: 1, method: "HeapProfiler.takeHeapSnapshot", params: { reportProgress: false } }));
  await withTimeout(done, INSPECTOR_ANSWER_MS_MAX, "the heap snapshot");
  return JSON.parse(chunks.join("")) as HeapSnapshot;
}

/**
 * The bytes reachable in the `core:user:` isolate's heap, compiled code left out (a heap snapshot's
 * self sizes, summed).
 *
 * @example
 * const before = await isolateHeapReachableBytes(inspectorUrl);
 */
export async function isolateHeapReachableBytes(inspectorUrl: URL): Promise<number> {
  const list = (await (await fetch(new URL("/json", inspectorUrl.href.replace(/^ws/, "http")))).json()) as InspectorTarget[];
  const target = list.find((t) => t.title?.includes(USER_ISOLATE_TITLE));
  if (target === undefined) throw new Error(`no ${USER_ISOLATE_TITLE} isolate among ${list.map((t) => t.title).join(", ")}`);
  const ws = new WebSocket(target.webSocketDebuggerUrl, { maxPayload: 1 << 30 });
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        ws.once("open", () => resolve());
        ws.once("error", reject);
      }),
      INSPECTOR_ANSWER_MS_MAX,
      "the inspector's socket to open",
    );
    const { snapshot, nodes } = await takeSnapshot(ws);
    const fields = snapshot.meta.node_fields;
    const types = snapshot.meta.node_types[0];
    const typeAt = fields.indexOf("type");
    const sizeAt = fields.indexOf("self_size");
    let bytes = 0;
    for (let i = 0; i < nodes.length; i += fields.length) {
      if (!CODE_NODE_TYPES.has(types[nodes[i + typeAt]!]!)) bytes += nodes[i + sizeAt]!;
    }
    return bytes;
  } finally {
    ws.close();
  }
}
