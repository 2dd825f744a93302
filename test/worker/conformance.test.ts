/**
 * The conformance cases (test/conformance/cases/*.json, format in test/conformance/README.md)
 * run against the real worker inside workerd: HTTP requests and WebSocket upgrades go to the
 * worker's own fetch handler (worker/index.ts, what SELF.fetch reaches; SELF.fetch itself slows
 * down with every request in @cloudflare/vitest-pool-workers, workers-sdk issue 15446: 100
 * requests took 0.6 s, the fourth 100 4.3 s), fixtures are arranged in the objects' SQLite. After the cases: the case files are well-formed and
 * cite only rules PROTOCOL.md defines, every rule the cases must cover is cited, every error code
 * but INTERNAL was seen, and PROTOCOL.md's tables match client/protocol.
 *
 * npm test runs this file in three workerd projects, one per authentication mode (test/vitest.config.ts):
 * `worker` (auth off), `worker-auth` (required, with the tests' secret and allowed origin, so the
 * `token` and `allowed-origin` fixtures can be arranged) and `worker-unconfigured` (required, no
 * key: failing closed). Each runs the cases of its mode and skips the others'; the code coverage
 * check counts the codes of the cases another project runs as theirs.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project worker test/worker/conformance.test.ts
 */
import { createExecutionContext, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import * as protocol from "../../client/protocol/index.ts";
import { CONNECTOR_INDEX_NAME } from "../../worker/connectors/connector-object.ts";
import worker from "../../worker/index.ts";
import { partitionObjectName } from "../../worker/object-names.ts";
import { SOURCE_INDEX_NAME } from "../../worker/sources/source-object.ts";
import { SSE_KEEPALIVE_MS, SSE_STREAM_MS_MAX } from "../../worker/sse.ts";
import { type AUTH_MODE_NEEDS, authFixtures, withAuthNeed } from "../conformance/auth-fixtures.ts";
import { closeTable, errorTable, limitTable, routeTable } from "../conformance/protocol-doc.ts";
import { CASE_TIMEOUT_MS_DEFAULT, type CaseResult, checkFiles, definedRules, expectedCodesOf, FileRun } from "../conformance/runner.ts";
import type { Transport, WireAnswer } from "../conformance/streams.ts";
import type { Json } from "../conformance/types.ts";
import { CASE_FILES, PROTOCOL_TEXT, SOURCE_TEXTS } from "../conformance/vite-sources.ts";
import { UPGRADE_HEADERS } from "./socket.ts";

const FILES = CASE_FILES;
const PROTOCOL = PROTOCOL_TEXT;

/** Sends a request to the worker's fetch handler, as the runtime would. */
function send(path: string, init: RequestInit): Promise<Response> {
  const request = new Request(`http://conformance${path}`, init) as Request<unknown, IncomingRequestCfProperties>;
  return Promise.resolve(worker.fetch(request, env, createExecutionContext()));
}

/** An answer from the worker, its body read in chunks. */
function wireAnswer(response: Response): WireAnswer {
  const reader = response.body?.getReader() ?? null;
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  return {
    status: response.status,
    headers,
    read: async () => {
      if (reader === null) return null;
      const { done, value } = await reader.read();
      return done ? null : value;
    },
    cancel: async () => {
      await reader?.cancel();
    },
  };
}

const SEED_PREFIX = "zz-seed-";

/** Inserts rows 1..`count` (`i` in `select`), one statement: `insert` is the INSERT head, `select` the SELECT list. */
function seedRows(sql: SqlStorage, count: number, insert: string, select: string, ...params: SqlStorageValue[]): void {
  sql.exec(
    `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?) ${insert} SELECT ${select} FROM seq`,
    count,
    ...params,
  );
}

/** Partition 0's object of `topic` (looked up through the worker, as a client would). */
async function partitionZero(topic: string) {
  const { topicId } = (await (await send(`/v1/topics/${topic}`, {})).json()) as { topicId: string };
  return env.PARTITION.get(env.PARTITION.idFromName(partitionObjectName(topicId, 0)));
}

/** This project's authentication mode, as the cases name it. */
const MODE: (typeof AUTH_MODE_NEEDS)[number] =
  env.EDGELOG_AUTH === "off" || env.EDGELOG_AUTH === "dev"
    ? "auth-off"
    : env.EDGELOG_JWT_SECRET || env.EDGELOG_JWT_PUBLIC_KEY || env.EDGELOG_JWKS
      ? "auth-required"
      : "auth-unconfigured";

/** `archive-unbound` when this deployment has no ARCHIVE binding (CONNECT-10). */
const ARCHIVE_NEED = (env as { ARCHIVE?: unknown }).ARCHIVE === undefined ? ["archive-unbound"] : [];

/** Tokens minted with this project's secret, and its first allowed origin. */
const AUTH_FIXTURES = authFixtures({
  secret: env.EDGELOG_JWT_SECRET ?? null,
  allowedOrigin: env.EDGELOG_ALLOWED_ORIGINS?.split(",")[0]?.trim() || null,
});

/** Fixtures: state no request can make, arranged in the objects' SQLite (as bad-input's table did). */
const FIXTURES: Record<string, (args: Record<string, Json>) => Promise<Record<string, Json> | undefined>> = {
  ...AUTH_FIXTURES,
  /** Fills the registry up to TOPICS_MAX with seeded rows. */
  async "topics-at-limit"(): Promise<undefined> {
    await runInDurableObject(env.REGISTRY.get(env.REGISTRY.idFromName("registry")), (_instance, state) => {
      const { n } = state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM topics").one();
      state.storage.sql.exec(
        `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
         INSERT INTO topics (name, topic_id, partitions, config, created_at, state)
         SELECT ? || i, ? || i, 1, ?, 0, 'ready' FROM seq`,
        protocol.TOPICS_MAX - n,
        SEED_PREFIX,
        SEED_PREFIX,
        JSON.stringify(protocol.TOPIC_CONFIG_DEFAULT),
      );
      expect(state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM topics").one().n).toBe(protocol.TOPICS_MAX);
    });
  },
  /** Removes what topics-at-limit seeded. */
  async "topics-at-limit-undo"(): Promise<undefined> {
    await runInDurableObject(env.REGISTRY.get(env.REGISTRY.idFromName("registry")), (_instance, state) => {
      state.storage.sql.exec("DELETE FROM topics WHERE name LIKE ?", `${SEED_PREFIX}%`);
    });
  },
  /** Fills the connector index up to CONNECTORS_MAX with seeded names (no connector behind them). */
  async "connectors-at-limit"(): Promise<undefined> {
    const index = env.CONNECTOR.get(env.CONNECTOR.idFromName(CONNECTOR_INDEX_NAME));
    const listed = (await index.indexList()).length;
    await runInDurableObject(index, (_instance, state) => {
      seedRows(state.storage.sql, protocol.CONNECTORS_MAX - listed, "INSERT INTO names (name)", "? || i", SEED_PREFIX);
    });
    expect(await index.indexList()).toHaveLength(protocol.CONNECTORS_MAX);
  },
  /** Removes what connectors-at-limit seeded. */
  async "connectors-at-limit-undo"(): Promise<undefined> {
    await runInDurableObject(env.CONNECTOR.get(env.CONNECTOR.idFromName(CONNECTOR_INDEX_NAME)), (_instance, state) => {
      state.storage.sql.exec("DELETE FROM names WHERE name LIKE ?", `${SEED_PREFIX}%`);
    });
  },
  /** Lists seeded names in the HTTP sources' index up to SOURCES_MAX (never configured: the list skips them). */
  async "sources-at-limit"(): Promise<undefined> {
    const index = env.SOURCE.get(env.SOURCE.idFromName(SOURCE_INDEX_NAME));
    const listed = await index.indexNames();
    for (let i = 0; listed.length + i < protocol.SOURCES_MAX; i++) expect(await index.indexReserve(`${SEED_PREFIX}${i}`)).toBe(true);
  },
  /** Removes what sources-at-limit seeded. */
  async "sources-at-limit-undo"(): Promise<undefined> {
    const index = env.SOURCE.get(env.SOURCE.idFromName(SOURCE_INDEX_NAME));
    for (const name of await index.indexNames()) if (name.startsWith(SEED_PREFIX)) await index.indexRelease(name);
  },
  /** Adds `count` members to group `group` (which one join made), straight into its coordinator. */
  async "group-members-seed"(args): Promise<undefined> {
    await runInDurableObject(env.GROUP.get(env.GROUP.idFromName(String(args.group))), (_instance, state) => {
      state.storage.sql.exec(
        `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
         INSERT INTO members (member_id, partitions, session_timeout_ms, last_seen, via_socket)
         SELECT ? || i, '[]', ?, ?, 0 FROM seq`,
        Number(args.count),
        SEED_PREFIX,
        protocol.SESSION_TIMEOUT_MS_MAX,
        Date.now(),
      );
    });
  },
  /**
   * Adds `count` idempotent producers to partition 0 of `topic`, each as if it had appended one
   * record at offset 0 (so each has a batch in the log until the log start passes 1).
   */
  async "producers-seed"(args): Promise<undefined> {
    const stub = await partitionZero(String(args.topic));
    await runInDurableObject(stub, (instance, state) => {
      const insert = "INSERT INTO producers (producer_id, epoch, next_sequence, recent, last_used)";
      seedRows(state.storage.sql, Number(args.count), insert, "? || i, 0, 1, '[[0,1,0]]', 0", SEED_PREFIX);
      // Written behind the object's back: it counts its producers again.
      (instance as unknown as { producers: { reload(): void } }).producers.reload();
    });
  },
  /** Adds `count` groups' committed offsets (offset 0, committed now) to partition 0 of `topic`. */
  async "group-offsets-seed"(args): Promise<undefined> {
    const stub = await partitionZero(String(args.topic));
    await runInDurableObject(stub, (_instance, state) => {
      const insert = "INSERT INTO group_offsets (group_id, committed_offset, metadata, commit_time, generation)";
      seedRows(state.storage.sql, Number(args.count), insert, "? || i, 0, NULL, ?, NULL", SEED_PREFIX, Date.now());
    });
  },
};

/** A body that sends `bytes` and then never ends. */
function heldBody(bytes: Uint8Array | null): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream({
    pull(controller) {
      if (!sent && bytes !== null) controller.enqueue(bytes);
      sent = true;
      return new Promise<void>(() => undefined);
    },
  });
}

const transport: Transport = {
  async request({ method, path, headers, body, hold }) {
    return wireAnswer(await send(path, { method, headers, body: hold === true ? heldBody(body) : body }));
  },
  async upgrade(path, headers, events) {
    const response = await send(path, { headers: { ...UPGRADE_HEADERS, ...headers } });
    const ws = response.webSocket;
    if (response.status !== 101 || ws === null || ws === undefined) return { answer: wireAnswer(response) };
    ws.addEventListener("message", (event) => {
      events.frame(typeof event.data === "string" ? event.data : new Uint8Array(event.data as ArrayBuffer));
    });
    ws.addEventListener("close", (event) => {
      events.closed(event.code, event.reason);
    });
    ws.accept();
    return { socket: { send: (data) => ws.send(data), close: (code, reason) => ws.close(code, reason) } };
  },
  // This deployment binds no R2 bucket (wrangler.toml): an archive connector is ARCHIVE_UNBOUND here.
  supports: new Set([...Object.keys(FIXTURES), "declared-length", "held-body", "bare-upgrade", MODE, ...ARCHIVE_NEED]),
  fixture: (name, args) => FIXTURES[name]!(args),
};

/** A rule id as the code cites one: a PROTOCOL.md section prefix and a number. */
const RULE_ID =
  /\b(?:DOC|VERSION|JSON|NAME|RECORD|PART|PRODUCER|ERROR|HTTP|TOPIC|PRODUCE|FETCH|LOG|COMMIT|GROUP|SOCKET|FLOW|GSOCKET|PING|CLOSE|SSE|CORS|AUTH|QUOTA|LIMIT|SOURCE)-[0-9]+\b/g;

const results: CaseResult[] = [];
const caseCount = Object.values(FILES).reduce((n, file) => n + file.cases.length, 0);

for (const [name, file] of Object.entries(FILES)) {
  describe(`${name}: ${file.title}`, () => {
    const run = new FileRun(name, file, transport);
    beforeAll(() => run.setup(), 2 * CASE_TIMEOUT_MS_DEFAULT);
    for (const c of file.cases) {
      it(
        `${c.id} [${c.rules.join(" ")}]`,
        async (context) => {
          const result = await run.runCase(c);
          results.push(result);
          if (result.outcome === "skip") context.skip(result.detail);
          if (result.outcome === "fail") throw new Error(result.detail);
        },
        (c.timeoutMs ?? CASE_TIMEOUT_MS_DEFAULT) + 10_000,
      );
    }
  });
}

describe("the cases and PROTOCOL.md", () => {
  const rules = definedRules(PROTOCOL);

  it("case files are well-formed, cite only rules PROTOCOL.md defines, expect each code with its status", () => {
    expect(checkFiles(FILES, { rules: new Set(rules.keys()), statuses: protocol.ERROR_STATUS })).toStrictEqual([]);
  });

  it("the code cites only rules PROTOCOL.md defines", () => {
    const unknown = Object.entries(SOURCE_TEXTS).flatMap(([path, text]) =>
      [...text.matchAll(RULE_ID)]
        .map((m) => m[0])
        .filter((id) => !rules.has(id))
        .map((id) => `${path}: ${id}`),
    );
    expect(Object.keys(SOURCE_TEXTS).length).toBeGreaterThan(10);
    expect(unknown).toStrictEqual([]);
  });

  it("every rule not marked [client] or [untested] is cited by a case", () => {
    const cited = new Set(Object.values(FILES).flatMap((file) => file.cases.flatMap((c) => c.rules)));
    const uncited = [...rules].filter(([id, mustCite]) => mustCite && !cited.has(id)).map(([id]) => id);
    expect(uncited).toStrictEqual([]);
  });

  it("the cases saw every error code but INTERNAL (when every case ran)", (context) => {
    if (results.length < caseCount) context.skip(`only ${results.length} of ${caseCount} cases ran`);
    const seen = new Set(results.filter((r) => r.outcome === "pass").flatMap((r) => r.codes));
    // The cases of another mode run in that mode's project (each mode has one in npm test).
    for (const file of Object.values(FILES)) {
      for (const c of file.cases) {
        const mode = withAuthNeed([...(file.needs ?? []), ...(c.needs ?? [])]).find((need) => need.startsWith("auth-"));
        if (mode !== MODE) for (const code of expectedCodesOf(c)) seen.add(code);
      }
    }
    expect(protocol.ERROR_CODES.filter((code) => code !== "INTERNAL" && !seen.has(code))).toStrictEqual([]);
    expect(seen.has("INTERNAL")).toBe(false);
  });

  it("its error table is client/protocol/errors.ts", () => {
    expect(Object.fromEntries(errorTable(PROTOCOL))).toStrictEqual(protocol.ERROR_STATUS);
  });

  it("its close codes are client/protocol/close-codes.ts", () => {
    const named = protocol as unknown as Record<string, number>;
    const table = closeTable(PROTOCOL);
    for (const [code, name] of table) expect(named[name], name).toBe(code);
    expect([...table.keys()].filter((code) => protocol.CLOSE_CODES_RESERVED.includes(code))).toStrictEqual([]);
  });

  it("its routes are client/protocol/routes.ts", () => {
    const paths = new Set(routeTable(PROTOCOL).map((route) => route.split(" ")[1]));
    expect([...paths].sort()).toStrictEqual(Object.values(protocol.ROUTE).sort());
  });

  it("its limits are client/protocol/limits.ts (and the SSE tail's)", () => {
    const actual: Record<string, unknown> = { ...protocol, SSE_KEEPALIVE_MS, SSE_STREAM_MS_MAX };
    const table = limitTable(PROTOCOL);
    for (const [name, value] of table) expect(actual[name], name).toBe(value);
    const exported = Object.keys(protocol).filter((name) => /_(MAX|MIN|DEFAULT|RETAINED)$/.test(name) && typeof actual[name] === "number");
    expect(exported.filter((name) => !table.has(name) && name !== "RECORD_TIMESTAMP_BYTES_MAX")).toStrictEqual([]);
  });
});
