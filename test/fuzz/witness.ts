/**
 * The witness of a fuzz run: a topic with records (keyed, unicode, headers, CreateTime, an
 * idempotent producer's batches), a group with two members and their committed offsets, a
 * standalone group's commits, and a partition socket subscribed to it. Its names start with `zz-`,
 * which no generated name can (fuzz-names.ts guardName), unless an auth-on run makes them
 * reachable on purpose. A snapshot is the exact text of every read of it, the topic list without
 * the fuzzer's own topics (names starting with `fz`), and the answer to a retry of the idempotent
 * producer's last batch; two snapshots must be equal byte for byte.
 *
 * @example
 * const witness = await arrangeWitness(baseUrl, auth, "r1");
 * const before = await snapshotWitness(witness);
 * // ... fuzz ...
 * expect(await snapshotWitness(witness)).toBe(before);
 */
import { PING } from "../../client/protocol/index.ts";
import type { FuzzAuth } from "./auth-mode.ts";
import { FuzzSocket } from "./fuzz-wire.ts";

/**
 * A witness arranged on a server.
 *
 * @example
 * const { topic, group } = await arrangeWitness(baseUrl, auth, "r1"); // "zz-witness-r1", "zz-witness-group-r1"
 */
export interface Witness {
  baseUrl: string;
  auth: FuzzAuth;
  topic: string;
  group: string;
  standaloneGroup: string;
  members: string[];
  /** The idempotent producer's last batch, retried by each snapshot. */
  lastBatch: string;
  /** Subscribed to partition 0 from the start: after catch-up it must receive nothing. */
  watcher: FuzzSocket;
}

const PARTITIONS = 3;
/** Longer than any round of fuzzing (the members are heard from again between rounds). */
const SESSION_TIMEOUT_MS = 300_000;
const WAIT_MS = 10_000;

/** One request as the witness's principal: its status and exact body text. */
async function call(
  witness: Pick<Witness, "baseUrl" | "auth">,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { ...witness.auth.headers("witness") };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${witness.baseUrl}${path}`, { method, headers, body, signal: AbortSignal.timeout(WAIT_MS) });
  return { status: response.status, text: await response.text() };
}

/** The same, failing unless the status is 2xx. */
async function must(witness: Pick<Witness, "baseUrl" | "auth">, method: string, path: string, body?: unknown): Promise<string> {
  const answer = await call(witness, method, path, body === undefined ? undefined : JSON.stringify(body));
  if (answer.status < 200 || answer.status >= 300) throw new Error(`witness: ${method} ${path} answered ${answer.status}: ${answer.text}`);
  return answer.text;
}

/** The witness's records: every shape the fuzzer might disturb. */
const RECORDS = [
  { key: "a", value: { n: 0, text: "héllo → 世界 🚀" }, headers: { h: "1" }, timestamp: 1_000 },
  { key: null, value: "two", timestamp: 2_000 },
  { key: "é", value: [3, null, true, 1.5], timestamp: 3_000 },
  { value: null, headers: { "content-type": "application/json" }, timestamp: 4_000 },
];

/** Opens the watcher: partition 0 from the start, until it is live. */
async function openWatcher(witness: Pick<Witness, "baseUrl" | "auth">, topic: string): Promise<FuzzSocket> {
  const socket = await FuzzSocket.open(`${witness.baseUrl}/v1/topics/${topic}/partitions/0/ws`, {});
  const authFrame = witness.auth.authFrame("witness");
  if (authFrame !== null) socket.send(authFrame);
  if ((await socket.until((f) => f.message?.type === "hello", WAIT_MS)) === null)
    throw new Error("witness: the watcher closed before hello");
  socket.send(JSON.stringify({ type: "subscribe", id: "watch", from: "earliest" }));
  if ((await socket.until((f) => f.message?.type === "live", WAIT_MS)) === null) throw new Error("witness: the watcher closed before live");
  return socket;
}

/**
 * Creates the witness (names carry `run`, so runs on one server never meet).
 *
 * @example
 * const witness = await arrangeWitness("http://127.0.0.1:8787", fuzzAuth("off"), "r1");
 */
export async function arrangeWitness(baseUrl: string, auth: FuzzAuth, run: string): Promise<Witness> {
  const at = { baseUrl, auth };
  const topic = `zz-witness-${run}`;
  const group = `zz-witness-group-${run}`;
  const standaloneGroup = `zz-witness-standalone-${run}`;
  await must(at, "PUT", `/v1/topics/${topic}`, { partitions: PARTITIONS });
  await must(at, "POST", `/v1/topics/${topic}/partitions/0/records`, { records: RECORDS });
  await must(at, "POST", `/v1/topics/${topic}/partitions/1/records`, { records: RECORDS.slice(1) });
  const producer = (sequence: number) => ({
    records: [{ value: { s: sequence } }, { value: { s: sequence + 1 } }],
    producer: { id: "zz-producer", epoch: 0, sequence },
  });
  await must(at, "POST", `/v1/topics/${topic}/partitions/2/records`, producer(0));
  await must(at, "POST", `/v1/topics/${topic}/partitions/2/records`, producer(2));
  const members = ["zz-w-1", "zz-w-2"];
  for (const memberId of members)
    await must(at, "POST", `/v1/groups/${group}/members`, { topic, memberId, sessionTimeoutMs: SESSION_TIMEOUT_MS });
  const { generation } = JSON.parse(await must(at, "GET", `/v1/groups/${group}`)) as { generation: number };
  const offsets = [0, 1, 2].map((partition) => ({ topic, partition, offset: partition + 1, metadata: `witness ${partition} é` }));
  await must(at, "PUT", `/v1/groups/${group}/offsets`, { offsets, memberId: members[0], generation });
  await must(at, "PUT", `/v1/groups/${standaloneGroup}/offsets`, { offsets: offsets.slice(0, 2) });
  const watcher = await openWatcher(at, topic);
  return { baseUrl, auth, topic, group, standaloneGroup, members, lastBatch: JSON.stringify(producer(2)), watcher };
}

/**
 * The witness as text: every read's status and exact body, in one fixed order.
 *
 * @example
 * const before = await snapshotWitness(witness); // '[["describe",200,"{\"name\":\"zz-witness-r1\",..."],...]'
 */
export async function snapshotWitness(witness: Witness): Promise<string> {
  const { topic, group, standaloneGroup } = witness;
  const reads: [string, string, string?][] = [
    ["describe", `/v1/topics/${topic}`],
    ...[0, 1, 2].map((p): [string, string] => [`records ${p}`, `/v1/topics/${topic}/partitions/${p}/records?offset=0&limit=10000`]),
    ["offsets by time", `/v1/topics/${topic}/partitions/0/offsets?timestamp=1500`],
    ["group", `/v1/groups/${group}`],
    ["group offsets", `/v1/groups/${group}/offsets?topic=${topic}`],
    ["standalone offsets", `/v1/groups/${standaloneGroup}/offsets?topic=${topic}`],
  ];
  const lines: [string, number, string][] = [];
  for (const [label, path] of reads) {
    const { status, text } = await call(witness, "GET", path);
    lines.push([label, status, text]);
  }
  const list = await call(witness, "GET", "/v1/topics");
  const topics = (JSON.parse(list.text) as { topics: { name: string }[] }).topics.filter((t) => !t.name.startsWith("fz"));
  lines.push(["topic list without fz*", list.status, JSON.stringify(topics)]);
  const retry = await call(witness, "POST", `/v1/topics/${topic}/partitions/2/records`, witness.lastBatch);
  lines.push(["idempotent retry", retry.status, retry.text]);
  return JSON.stringify(lines);
}

/**
 * Hears from the witness's members again (before a long run's next round, so their sessions never
 * expire mid-round) and pings the watcher. Changes their lastSeen: snapshot again afterwards.
 *
 * @example
 * await refreshWitness(witness);
 * const before = await snapshotWitness(witness);
 */
export async function refreshWitness(witness: Witness): Promise<void> {
  for (const member of witness.members) await must(witness, "POST", `/v1/groups/${witness.group}/members/${member}/heartbeat`);
  witness.watcher.send(PING);
}

/**
 * What the watcher saw after it went live (records or anything but pongs), as findings' text.
 *
 * @example
 * watcherProblems(witness); // [] when nothing reached the witness's partition 0
 */
export function watcherProblems(witness: Witness): string[] {
  const live = witness.watcher.frames.findIndex((f) => f.message?.type === "live");
  const after = witness.watcher.frames.slice(live + 1).filter((f) => f.message?.type !== "pong");
  const problems = after.map((f) => `the witness's watcher received ${f.text.slice(0, 200)}`);
  if (witness.watcher.closed !== null) problems.push(`the witness's watcher closed with ${witness.watcher.closed.code}`);
  return problems;
}
