/**
 * Bad input, as a table: every error code in ERROR_CODES (but INTERNAL, which only a bug may
 * produce) is reached by at least one malformed or refused request, each answered with the code's
 * status and exactly `{error: {code, message}}`, never a 500. After every row a "witness" topic
 * (and the row's own topic, when it has one) must be byte for byte what it was: a refused request
 * stores nothing.
 */

import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
  BATCH_RECORDS_MAX,
  COMMIT_METADATA_BYTES_MAX,
  COMMIT_OFFSETS_MAX,
  ERROR_CODES,
  ERROR_STATUS,
  type ErrorCode,
  FETCH_BYTES_MAX,
  FETCH_RECORDS_MAX,
  GROUP_MEMBERS_MAX,
  GROUP_NAME_LENGTH_MAX,
  LONG_POLL_WAIT_MS_MAX,
  PRODUCER_EPOCH_MAX,
  PRODUCER_ID_LENGTH_MAX,
  PRODUCER_SEQUENCE_MAX,
  RECORD_BYTES_MAX,
  RECORD_HEADERS_MAX,
  RECORD_TIMESTAMP_BYTES_MAX,
  REQUEST_BYTES_MAX,
  SESSION_TIMEOUT_MS_MAX,
  TIMESTAMP_MS_MAX,
  TOPIC_CONFIG_DEFAULT,
  TOPIC_NAME_LENGTH_MAX,
  TOPIC_PARTITIONS_MAX,
  TOPICS_MAX,
} from "../../client/protocol/index.ts";
import { app } from "../../worker/app.ts";

interface Req {
  method: string;
  path: string;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
}
interface Row {
  what: string;
  code: ErrorCode;
  req: Req;
  /** Requests that must succeed before `req` (each row runs its own). */
  setup?: Req[];
  /** A topic besides the witness that must be unchanged by `req`. */
  watch?: string;
  /** Arranges state no request can (the topic and group limits) around the row. */
  around?: (run: () => Promise<void>) => Promise<void>;
}

const W = "/v1/topics/witness";
const P0 = `${W}/partitions/0/records`;
const G = "/v1/groups/witness-group/offsets";
const utf8 = new TextEncoder();

/** A request; a body that is not a string or bytes is sent as its JSON. */
function req(method: string, path: string, body?: unknown, headers?: Record<string, string>): Req {
  const raw = body === undefined || typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body);
  return { method, path, ...(raw === undefined ? {} : { body: raw }), ...(headers ? { headers } : {}) };
}
const produce = (body: unknown, path = `${W}/records`) => req("POST", path, body);
const one = (record: unknown) => produce({ records: [record] });
const withProducer = (producer: unknown, records: unknown[] = [{ value: 1 }]) => produce({ records, producer });
const create = (body: unknown, name = "fresh-topic") => req("PUT", `/v1/topics/${name}`, body);
const commit = (entry: object) => req("PUT", G, { offsets: [{ topic: "witness", partition: 0, offset: 0, ...entry }] });
const bytes = (...parts: (string | number[])[]) => new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...utf8.encode(p)] : p)));
/** An idempotent topic of one partition, and a producer's earlier batches on it. */
function idem(topic: string, batches: { epoch: number; sequence: number }[]): Req[] {
  return [
    create({ partitions: 1 }, topic),
    ...batches.map((b) => produce({ records: [{ value: b.sequence }], producer: { id: "p", ...b } }, `/v1/topics/${topic}/records`)),
  ];
}
const idemReq = (topic: string, producer: object, count = 1) =>
  produce(
    { records: Array.from({ length: count }, (_, i) => ({ value: i })), producer: { id: "p", ...producer } },
    `/v1/topics/${topic}/records`,
  );

const ROWS: Row[] = [
  { what: "truncated JSON", code: "INVALID_JSON", req: produce('{"records":[') },
  { what: "JSON with trailing garbage", code: "INVALID_JSON", req: produce('{"records":[{"value":1}]} x') },
  { what: "a 0xFF byte", code: "INVALID_JSON", req: produce(bytes('{"records":[{"value":"', [0xff], '"}]}')) },
  { what: "an overlong UTF-8 '/'", code: "INVALID_JSON", req: produce(bytes('{"records":[{"value":"', [0xc0, 0xaf], '"}]}')) },
  { what: "a UTF-8-encoded surrogate", code: "INVALID_JSON", req: produce(bytes('{"records":[{"value":"', [0xed, 0xa0, 0x80], '"}]}')) },
  { what: "an empty body", code: "INVALID_JSON", req: produce("") },
  { what: "no body", code: "INVALID_JSON", req: req("POST", `${W}/records`) },
  { what: "single-quoted JSON on create", code: "INVALID_JSON", req: create("{'partitions':1}") },
  { what: "not JSON on commit", code: "INVALID_JSON", req: req("PUT", G, "offsets") },
  { what: "body an array", code: "INVALID_REQUEST", req: produce([]) },
  { what: "body null", code: "INVALID_REQUEST", req: produce("null") },
  { what: "body a string", code: "INVALID_REQUEST", req: produce('"records"') },
  { what: "records missing", code: "INVALID_REQUEST", req: produce({}) },
  { what: "records an object", code: "INVALID_REQUEST", req: produce({ records: {} }) },
  { what: "records a string", code: "INVALID_REQUEST", req: produce({ records: "[]" }) },
  { what: "records empty", code: "INVALID_REQUEST", req: produce({ records: [] }) },
  { what: "unknown top-level field", code: "INVALID_REQUEST", req: produce({ records: [{ value: 1 }], acks: "all" }) },
  {
    what: "record partition disagrees with the path",
    code: "INVALID_REQUEST",
    req: produce({ records: [{ value: 1, partition: 1 }] }, P0),
  },
  { what: "create body an array", code: "INVALID_REQUEST", req: create([]) },
  { what: "create with an unknown field", code: "INVALID_REQUEST", req: create({ partitions: 1, replicationFactor: 3 }) },
  { what: "commit without offsets", code: "INVALID_REQUEST", req: req("PUT", G, {}) },
  { what: "commit offsets empty", code: "INVALID_REQUEST", req: req("PUT", G, { offsets: [] }) },
  { what: "commit entry not an object", code: "INVALID_REQUEST", req: req("PUT", G, { offsets: [1] }) },
  { what: "commit entry unknown field", code: "INVALID_REQUEST", req: commit({ leaderEpoch: 1 }) },
  { what: "commit offset negative", code: "INVALID_REQUEST", req: commit({ offset: -1 }) },
  { what: "commit offset fractional", code: "INVALID_REQUEST", req: commit({ offset: 0.5 }) },
  { what: "commit offset a string", code: "INVALID_REQUEST", req: commit({ offset: "1" }) },
  { what: "commit metadata a number", code: "INVALID_REQUEST", req: commit({ metadata: 7 }) },
  { what: "commit metadata too long", code: "INVALID_REQUEST", req: commit({ metadata: "x".repeat(COMMIT_METADATA_BYTES_MAX + 1) }) },
  {
    what: "commit metadata too many UTF-8 bytes",
    code: "INVALID_REQUEST",
    req: commit({ metadata: "é".repeat(COMMIT_METADATA_BYTES_MAX / 2 + 1) }),
  },
  {
    what: "commit names a partition twice",
    code: "INVALID_REQUEST",
    req: req("PUT", G, {
      offsets: [
        { topic: "witness", partition: 0, offset: 0 },
        { topic: "witness", partition: 0, offset: 1 },
      ],
    }),
  },
  {
    what: "commit too many offsets",
    code: "INVALID_REQUEST",
    req: req("PUT", G, {
      offsets: Array.from({ length: COMMIT_OFFSETS_MAX + 1 }, (_, i) => ({ topic: `t${i}`, partition: 0, offset: 0 })),
    }),
  },
  { what: "record a number", code: "INVALID_RECORD", req: produce({ records: [1] }) },
  { what: "record null", code: "INVALID_RECORD", req: produce({ records: [null] }) },
  { what: "record an array", code: "INVALID_RECORD", req: produce({ records: [[]] }) },
  { what: "value missing", code: "INVALID_RECORD", req: one({ key: "k" }) },
  { what: "key a number", code: "INVALID_RECORD", req: one({ key: 1, value: 1 }) },
  { what: "key an object", code: "INVALID_RECORD", req: one({ key: { id: 1 }, value: 1 }) },
  { what: "key a boolean", code: "INVALID_RECORD", req: one({ key: true, value: 1 }) },
  { what: "headers an array", code: "INVALID_RECORD", req: one({ value: 1, headers: ["a"] }) },
  { what: "headers a string", code: "INVALID_RECORD", req: one({ value: 1, headers: "a=b" }) },
  { what: "header value a number", code: "INVALID_RECORD", req: one({ value: 1, headers: { a: "x", b: 2 } }) },
  { what: "header value null", code: "INVALID_RECORD", req: one({ value: 1, headers: { a: null } }) },
  {
    what: "too many headers",
    code: "INVALID_RECORD",
    req: one({ value: 1, headers: Object.fromEntries(Array.from({ length: RECORD_HEADERS_MAX + 1 }, (_, i) => [`h${i}`, ""])) }),
  },
  { what: "timestamp negative", code: "INVALID_RECORD", req: one({ value: 1, timestamp: -1 }) },
  { what: "timestamp fractional", code: "INVALID_RECORD", req: one({ value: 1, timestamp: 1.5 }) },
  { what: "timestamp past the Date range", code: "INVALID_RECORD", req: one({ value: 1, timestamp: TIMESTAMP_MS_MAX + 1 }) },
  { what: "timestamp 1e300", code: "INVALID_RECORD", req: produce('{"records":[{"value":1,"timestamp":1e300}]}') },
  { what: "timestamp a string", code: "INVALID_RECORD", req: one({ value: 1, timestamp: "2024-01-01" }) },
  { what: "unknown record field", code: "INVALID_RECORD", req: one({ value: 1, offset: 3 }) },
  { what: "a good record then a bad one", code: "INVALID_RECORD", req: produce({ records: [{ value: "good" }, { value: 1, key: 2 }] }) },
  ...[
    "limit=0",
    "limit=abc",
    `limit=${FETCH_RECORDS_MAX + 1}`,
    "limit=-1",
    "limit=1.5",
    "limit=",
    "limit=+5",
    "limit=1e3",
    "limit=%ZZ",
    "maxBytes=0",
    `maxBytes=${FETCH_BYTES_MAX + 1}`,
    `maxWaitMs=${LONG_POLL_WAIT_MS_MAX + 1}`,
    "maxWaitMs=-1",
    "offset=-1",
    "offset=1e3",
    "offset=abc",
    "offset=01",
    "offset=0x10",
    "offset=99999999999999999",
    "offset=%201",
  ].map((query): Row => ({ what: `read with ${query}`, code: "INVALID_PARAMETER", req: req("GET", `${P0}?${query}`) })),
  ...["", "?timestamp=-5", "?timestamp=abc", `?timestamp=${TIMESTAMP_MS_MAX + 1}`].map(
    (query): Row => ({
      what: `offset lookup with "${query}"`,
      code: "INVALID_PARAMETER",
      req: req("GET", `${W}/partitions/0/offsets${query}`),
    }),
  ),
  { what: "group offsets without topic", code: "INVALID_PARAMETER", req: req("GET", G) },
  { what: "group offsets with topic=", code: "INVALID_PARAMETER", req: req("GET", `${G}?topic=`) },
  { what: "deleteRecords without before", code: "INVALID_PARAMETER", req: req("DELETE", P0) },
  { what: "deleteRecords before=abc", code: "INVALID_PARAMETER", req: req("DELETE", `${P0}?before=abc`) },
  { what: "deleteRecords before=-1", code: "INVALID_PARAMETER", req: req("DELETE", `${P0}?before=-1`) },
  // "." and ".." cannot arrive in a path (URL parsing removes them, even as %2E); bodies and queries can.
  ...["bad!name", "a%20b", "a%2Fb", "caf%C3%A9", "x".repeat(TOPIC_NAME_LENGTH_MAX + 1)].map(
    (name): Row => ({ what: `create topic "${name.slice(0, 12)}"`, code: "INVALID_TOPIC_NAME", req: create({ partitions: 1 }, name) }),
  ),
  { what: "describe a bad name", code: "INVALID_TOPIC_NAME", req: req("GET", "/v1/topics/bad*name") },
  {
    what: "produce to a bad name",
    code: "INVALID_TOPIC_NAME",
    req: req("POST", "/v1/topics/bad$name/records", { records: [{ value: 1 }] }),
  },
  { what: "read a bad name", code: "INVALID_TOPIC_NAME", req: req("GET", "/v1/topics/x%3Fy/partitions/0/records") },
  { what: "delete a bad name", code: "INVALID_TOPIC_NAME", req: req("DELETE", "/v1/topics/bad!") },
  ...[".", "..", "", 5, "a b"].map(
    (topic): Row => ({ what: `commit to topic ${JSON.stringify(topic)}`, code: "INVALID_TOPIC_NAME", req: commit({ topic }) }),
  ),
  { what: "group offsets for topic ..", code: "INVALID_TOPIC_NAME", req: req("GET", `${G}?topic=..`) },
  { what: "group offsets for topic a/b", code: "INVALID_TOPIC_NAME", req: req("GET", `${G}?topic=a%2Fb`) },
  {
    what: "commit as group bad!group",
    code: "INVALID_GROUP_NAME",
    req: req("PUT", "/v1/groups/bad!group/offsets", { offsets: [{ topic: "witness", partition: 0, offset: 0 }] }),
  },
  {
    what: "commit as a too-long group",
    code: "INVALID_GROUP_NAME",
    req: req("PUT", `/v1/groups/${"g".repeat(GROUP_NAME_LENGTH_MAX + 1)}/offsets`, { offsets: [] }),
  },
  { what: "group offsets of group 'a b'", code: "INVALID_GROUP_NAME", req: req("GET", "/v1/groups/a%20b/offsets?topic=witness") },
  { what: "group offsets of group x/y", code: "INVALID_GROUP_NAME", req: req("GET", "/v1/groups/x%2Fy/offsets?topic=witness") },
  ...[0, TOPIC_PARTITIONS_MAX + 1, 1.5, "3", -1, null].map(
    (partitions): Row => ({
      what: `create with partitions ${JSON.stringify(partitions)}`,
      code: "INVALID_PARTITIONS",
      req: create({ partitions }),
    }),
  ),
  { what: "create without partitions", code: "INVALID_PARTITIONS", req: create({ config: {} }) },
  ...["-1", "1.5", String(TOPIC_PARTITIONS_MAX), "abc", "01", "99999999999999999"].map(
    (p): Row => ({ what: `read path partition ${p}`, code: "INVALID_PARTITIONS", req: req("GET", `${W}/partitions/${p}/records`) }),
  ),
  ...[-1, 1.5, TOPIC_PARTITIONS_MAX, "0"].map(
    (partition): Row => ({
      what: `record partition ${JSON.stringify(partition)}`,
      code: "INVALID_PARTITIONS",
      req: one({ value: 1, partition }),
    }),
  ),
  { what: "commit partition -1", code: "INVALID_PARTITIONS", req: commit({ partition: -1 }) },
  { what: "commit partition 64", code: "INVALID_PARTITIONS", req: commit({ partition: TOPIC_PARTITIONS_MAX }) },
  ...[
    [],
    "compact",
    null,
    { "cleanup.policy": "compact" },
    { "retention.ms": 0 },
    { "retention.ms": -2 },
    { "retention.ms": 1.5 },
    { "retention.ms": "1000" },
    { "retention.ms": 2 ** 53 },
    { "message.timestamp.type": "Foo" },
    { "message.timestamp.type": 1 },
  ].map((config): Row => ({ what: `config ${JSON.stringify(config)}`, code: "INVALID_CONFIG", req: create({ partitions: 1, config }) })),
  ...[
    "p1",
    null,
    { epoch: 0, sequence: 0 },
    { id: "", epoch: 0, sequence: 0 },
    { id: "x".repeat(PRODUCER_ID_LENGTH_MAX + 1), epoch: 0, sequence: 0 },
    { id: 7, epoch: 0, sequence: 0 },
    { id: "p", sequence: 0 },
    { id: "p", epoch: -1, sequence: 0 },
    { id: "p", epoch: PRODUCER_EPOCH_MAX + 1, sequence: 0 },
    { id: "p", epoch: 1.5, sequence: 0 },
    { id: "p", epoch: 0 },
    { id: "p", epoch: 0, sequence: -1 },
    { id: "p", epoch: 0, sequence: PRODUCER_SEQUENCE_MAX + 1 },
    { id: "p", epoch: 0, sequence: 0, transactionalId: "t" },
  ].map(
    (producer): Row => ({
      what: `producer ${JSON.stringify(producer).slice(0, 40)}`,
      code: "INVALID_PRODUCER",
      req: withProducer(producer),
    }),
  ),
  {
    what: "sequence that would pass the max",
    code: "INVALID_PRODUCER",
    req: withProducer({ id: "p", epoch: 0, sequence: PRODUCER_SEQUENCE_MAX }, [{ value: 1 }, { value: 2 }]),
  },
  {
    what: "idempotent request across partitions",
    code: "INVALID_PRODUCER",
    req: withProducer({ id: "p", epoch: 0, sequence: 0 }, [
      { value: 1, partition: 0 },
      { value: 1, partition: 1 },
    ]),
  },
  { what: "describe an unknown topic", code: "UNKNOWN_TOPIC", req: req("GET", "/v1/topics/no-such-topic") },
  { what: "delete an unknown topic", code: "UNKNOWN_TOPIC", req: req("DELETE", "/v1/topics/no-such-topic") },
  {
    what: "produce to an unknown topic",
    code: "UNKNOWN_TOPIC",
    req: produce({ records: [{ value: 1 }] }, "/v1/topics/no-such-topic/records"),
  },
  { what: "read an unknown topic", code: "UNKNOWN_TOPIC", req: req("GET", "/v1/topics/no-such-topic/partitions/0/records") },
  {
    what: "look up in an unknown topic",
    code: "UNKNOWN_TOPIC",
    req: req("GET", "/v1/topics/no-such-topic/partitions/0/offsets?timestamp=0"),
  },
  {
    what: "deleteRecords in an unknown topic",
    code: "UNKNOWN_TOPIC",
    req: req("DELETE", "/v1/topics/no-such-topic/partitions/0/records?before=0"),
  },
  { what: "commit to an unknown topic", code: "UNKNOWN_TOPIC", req: commit({ topic: "no-such-topic" }) },
  { what: "group offsets of an unknown topic", code: "UNKNOWN_TOPIC", req: req("GET", `${G}?topic=no-such-topic`) },
  { what: "read partition 2 of 2", code: "UNKNOWN_PARTITION", req: req("GET", `${W}/partitions/2/records`) },
  {
    what: "produce to path partition 5",
    code: "UNKNOWN_PARTITION",
    req: produce({ records: [{ value: 1 }] }, `${W}/partitions/5/records`),
  },
  { what: "record field partition 2", code: "UNKNOWN_PARTITION", req: one({ value: 1, partition: 2 }) },
  { what: "look up in partition 63", code: "UNKNOWN_PARTITION", req: req("GET", `${W}/partitions/63/offsets?timestamp=latest`) },
  { what: "deleteRecords in partition 3", code: "UNKNOWN_PARTITION", req: req("DELETE", `${W}/partitions/3/records?before=0`) },
  { what: "commit partition 2", code: "UNKNOWN_PARTITION", req: commit({ partition: 2 }) },
  ...[
    "/v1/nope",
    "/v2/topics",
    "/V1/topics",
    `${W}/partitions`,
    `${W}/partitions/0`,
    `${P0}/extra`,
    "/v1/groups",
    "/v1/topics/",
    "/v1/topics//records",
  ].map((path): Row => ({ what: `GET ${path}`, code: "NOT_FOUND", req: req("GET", path) })),
  ...(
    [
      ["PATCH", W],
      ["POST", "/v1/topics"],
      ["DELETE", "/v1/topics"],
      ["GET", `${W}/records`],
      ["PUT", P0],
      ["POST", `${W}/partitions/0/offsets`],
      ["DELETE", G],
      ["POST", G],
    ] as const
  ).map(
    ([method, path]): Row => ({
      what: `${method} ${path}`,
      code: "METHOD_NOT_ALLOWED",
      req: req(method, path, method === "GET" ? undefined : "{}"),
    }),
  ),
  { what: "witness with 3 partitions", code: "TOPIC_ALREADY_EXISTS", req: create({ partitions: 3 }, "witness") },
  {
    what: "witness with a retention",
    code: "TOPIC_ALREADY_EXISTS",
    req: create({ partitions: 2, config: { "retention.ms": 1000 } }, "witness"),
  },
  {
    what: "witness with LogAppendTime",
    code: "TOPIC_ALREADY_EXISTS",
    req: create({ partitions: 2, config: { "message.timestamp.type": "LogAppendTime" } }, "witness"),
  },
  {
    what: "an older epoch",
    code: "PRODUCER_FENCED",
    setup: idem("idem-fenced", [{ epoch: 1, sequence: 0 }]),
    req: idemReq("idem-fenced", { epoch: 0, sequence: 1 }),
    watch: "idem-fenced",
  },
  {
    what: "a sequence gap",
    code: "OUT_OF_ORDER_SEQUENCE",
    setup: idem("idem-gap", [{ epoch: 0, sequence: 0 }]),
    req: idemReq("idem-gap", { epoch: 0, sequence: 5 }),
    watch: "idem-gap",
  },
  {
    what: "a new epoch not at 0",
    code: "OUT_OF_ORDER_SEQUENCE",
    setup: idem("idem-epoch", [{ epoch: 0, sequence: 0 }]),
    req: idemReq("idem-epoch", { epoch: 1, sequence: 3 }),
    watch: "idem-epoch",
  },
  {
    what: "a retry with another count",
    code: "OUT_OF_ORDER_SEQUENCE",
    setup: idem("idem-count", [{ epoch: 0, sequence: 0 }]),
    req: idemReq("idem-count", { epoch: 0, sequence: 0 }, 2),
    watch: "idem-count",
  },
  {
    what: "a retry older than the retained batches",
    code: "DUPLICATE_SEQUENCE",
    watch: "idem-dup",
    setup: idem(
      "idem-dup",
      Array.from({ length: 6 }, (_, sequence) => ({ epoch: 0, sequence })),
    ),
    req: idemReq("idem-dup", { epoch: 0, sequence: 0 }),
  },
  { what: "a value of RECORD_BYTES_MAX characters", code: "RECORD_TOO_LARGE", req: one({ value: "x".repeat(RECORD_BYTES_MAX) }) },
  {
    what: "a value whose UTF-8 (not UTF-16) passes the max",
    code: "RECORD_TOO_LARGE",
    req: one({ value: "é".repeat(RECORD_BYTES_MAX / 2) }),
  },
  { what: "a huge key", code: "RECORD_TOO_LARGE", req: one({ key: "k".repeat(RECORD_BYTES_MAX), value: null }) },
  { what: "a huge header", code: "RECORD_TOO_LARGE", req: one({ value: 1, headers: { h: "h".repeat(RECORD_BYTES_MAX) } }) },
  {
    what: "BATCH_RECORDS_MAX + 1 records",
    code: "BATCH_TOO_LARGE",
    req: produce({ records: Array.from({ length: BATCH_RECORDS_MAX + 1 }, () => ({ value: 0 })) }),
  },
  {
    what: "two records of 600 KB",
    code: "BATCH_TOO_LARGE",
    req: produce({ records: [{ value: "a".repeat(600_000) }, { value: "b".repeat(600_000) }] }),
  },
  {
    what: "many small records over the bytes",
    code: "BATCH_TOO_LARGE",
    req: produce({ records: Array.from({ length: BATCH_RECORDS_MAX }, () => ({ value: "x".repeat(50) })) }),
  },
  {
    what: "a body over REQUEST_BYTES_MAX",
    code: "REQUEST_TOO_LARGE",
    req: produce(`{"records":[{"value":1}]}${" ".repeat(REQUEST_BYTES_MAX)}`),
  },
  {
    what: "a Content-Length over the max",
    code: "REQUEST_TOO_LARGE",
    req: req("POST", `${W}/records`, { records: [{ value: 1 }] }, { "content-length": String(REQUEST_BYTES_MAX + 1) }),
  },
  {
    what: "a Content-Length over the max on create",
    code: "REQUEST_TOO_LARGE",
    req: req("PUT", "/v1/topics/fresh-topic", "{}", { "content-length": String(REQUEST_BYTES_MAX * 2) }),
  },
  {
    what: "a read below logStartOffset",
    code: "OFFSET_OUT_OF_RANGE",
    watch: "trimmed",
    req: req("GET", "/v1/topics/trimmed/partitions/0/records?offset=1"),
    setup: [
      create({ partitions: 1 }, "trimmed"),
      produce({ records: [1, 2, 3, 4, 5].map((value) => ({ value })) }, "/v1/topics/trimmed/partitions/0/records"),
      req("DELETE", "/v1/topics/trimmed/partitions/0/records?before=3"),
    ],
  },
  { what: "a read past the end", code: "OFFSET_OUT_OF_RANGE", req: req("GET", `${P0}?offset=4`) },
  { what: "a read at the largest safe offset", code: "OFFSET_OUT_OF_RANGE", req: req("GET", `${P0}?offset=${Number.MAX_SAFE_INTEGER}`) },
  { what: "a commit past the end", code: "OFFSET_OUT_OF_RANGE", req: commit({ offset: 4 }) },
  { what: "deleteRecords past the end", code: "OFFSET_OUT_OF_RANGE", req: req("DELETE", `${P0}?before=4`) },
  { what: "a create past TOPICS_MAX", code: "TOPIC_LIMIT_REACHED", req: create({ partitions: 1 }, "one-too-many"), around: atTopicLimit },
  { what: "live=websocket", code: "INVALID_PARAMETER", req: req("GET", `${P0}?live=websocket`) },
  { what: "a partition socket without Upgrade", code: "UPGRADE_REQUIRED", req: req("GET", `${W}/partitions/0/ws`) },
  { what: "a group socket without Upgrade", code: "UPGRADE_REQUIRED", req: req("GET", "/v1/groups/witness-group/ws") },
  {
    what: "a partition socket on an unknown partition",
    code: "UNKNOWN_PARTITION",
    req: req("GET", `${W}/partitions/2/ws`, undefined, { upgrade: "websocket" }),
  },
  { what: "a heartbeat from nobody", code: "UNKNOWN_MEMBER_ID", req: req("POST", "/v1/groups/ghost-g/members/ghost/heartbeat") },
  { what: "a leave by nobody", code: "UNKNOWN_MEMBER_ID", req: req("DELETE", "/v1/groups/ghost-g/members/ghost") },
  {
    what: "a member commit from nobody",
    code: "UNKNOWN_MEMBER_ID",
    req: req("PUT", "/v1/groups/ghost-g/offsets", {
      offsets: [{ topic: "witness", partition: 0, offset: 0 }],
      memberId: "ghost",
      generation: 0,
    }),
  },
  {
    what: "a commit from an old generation",
    code: "ILLEGAL_GENERATION",
    setup: [join("gen-g", { memberId: "m1" }), join("gen-g", { memberId: "m2" })],
    req: req("PUT", "/v1/groups/gen-g/offsets", {
      offsets: [{ topic: "witness", partition: 0, offset: 1 }],
      memberId: "m1",
      generation: 1,
    }),
  },
  {
    what: "a join with another assignor",
    code: "INCONSISTENT_GROUP",
    setup: [join("inc-g", { memberId: "m1" })],
    req: join("inc-g", { memberId: "m2", assignor: "sticky" }),
  },
  {
    what: "a join past GROUP_MEMBERS_MAX",
    code: "GROUP_MAX_SIZE_REACHED",
    req: join("full-g", { memberId: "one-more" }),
    around: atGroupLimit,
  },
  ...[
    {},
    { topic: "witness", assignor: "fair" },
    { topic: "witness", sessionTimeoutMs: SESSION_TIMEOUT_MS_MAX + 1 },
    { topic: "witness", memberId: "a b" },
    { topic: "witness", extra: 1 },
  ].map(
    (body): Row => ({
      what: `join with ${JSON.stringify(body)}`,
      code: body.topic === undefined ? "INVALID_TOPIC_NAME" : "INVALID_REQUEST",
      req: req("POST", "/v1/groups/join-g/members", body),
    }),
  ),
  { what: "a join to an unknown topic", code: "UNKNOWN_TOPIC", req: join("join-g", { topic: "no-such-topic" }) },
  {
    what: "a commit with memberId but no generation",
    code: "INVALID_REQUEST",
    req: req("PUT", G, { offsets: [{ topic: "witness", partition: 0, offset: 0 }], memberId: "m1" }),
  },
  { what: "PUT a group's members", code: "METHOD_NOT_ALLOWED", req: req("PUT", "/v1/groups/join-g/members", "{}") },
];

/** A join of group `group` to the witness topic. */
function join(group: string, body: object): Req {
  return req("POST", `/v1/groups/${group}/members`, { topic: "witness", ...body });
}

/** Fills group "full-g" to GROUP_MEMBERS_MAX: one member joins, the rest are seeded in its coordinator's SQLite. */
async function atGroupLimit(run: () => Promise<void>): Promise<void> {
  expect((await send(join("full-g", { memberId: "m0" }))).status).toBe(200);
  await runInDurableObject(env.GROUP.get(env.GROUP.idFromName("full-g")), (_instance, state) => {
    state.storage.sql.exec(
      `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
       INSERT INTO members (member_id, partitions, session_timeout_ms, last_seen, via_socket)
       SELECT 'seed-' || i, '[]', ?, ?, 0 FROM seq`,
      GROUP_MEMBERS_MAX - 1,
      SESSION_TIMEOUT_MS_MAX,
      Date.now(),
    );
    expect(state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM members").one().n).toBe(GROUP_MEMBERS_MAX);
  });
  await run();
  // A member already in the group may still rejoin at the limit.
  expect((await send(join("full-g", { memberId: "m0" }))).status).toBe(200);
}

/** Fills the registry to TOPICS_MAX with one SQL statement (a bounded recursive CTE), runs, then removes the fill. */
async function atTopicLimit(run: () => Promise<void>): Promise<void> {
  const stub = env.REGISTRY.get(env.REGISTRY.idFromName("registry"));
  await runInDurableObject(stub, (_instance, state) => {
    const { n } = state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM topics").one();
    state.storage.sql.exec(
      `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
       INSERT INTO topics (name, topic_id, partitions, config, created_at, state)
       SELECT 'zz-seed-' || i, 'zz-seed-' || i, 1, ?, 0, 'ready' FROM seq`,
      TOPICS_MAX - n,
      JSON.stringify(TOPIC_CONFIG_DEFAULT),
    );
    expect(state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM topics").one().n).toBe(TOPICS_MAX);
  });
  try {
    await run();
  } finally {
    await runInDurableObject(stub, (_instance, state) => void state.storage.sql.exec("DELETE FROM topics WHERE name LIKE 'zz-seed-%'"));
  }
  // Below the limit again, the same create succeeds.
  expect((await send(create({ partitions: 1 }, "one-too-many"))).status).toBe(201);
}

function send(r: Req): Promise<Response> {
  return Promise.resolve(app.request(r.path, { method: r.method, body: r.body ?? null, headers: r.headers ?? {} }, env));
}

async function getJson(path: string): Promise<unknown> {
  const res = await send(req("GET", path));
  expect(res.status, path).toBe(200);
  return res.json();
}

/** Everything observable about a topic: bounds and config, every record, the witness group's commits. */
async function snapshot(topic: string): Promise<unknown> {
  const description = (await getJson(`/v1/topics/${topic}`)) as { partitions: { partition: number }[] };
  const partitions: unknown[] = [];
  for (const { partition } of description.partitions) {
    partitions.push(await getJson(`/v1/topics/${topic}/partitions/${partition}/records?offset=earliest&limit=${FETCH_RECORDS_MAX}`));
  }
  return { description, partitions, group: await getJson(`${G}?topic=${topic}`) };
}

const WITNESS_P0 = [
  { key: "a", value: { n: 0 }, headers: { h: "1" }, timestamp: 1000 },
  { key: null, value: "two", headers: {}, timestamp: 2000 },
  { key: "é", value: [3], headers: {}, timestamp: 3000 },
];
let witness: unknown;
const exercised = new Set<ErrorCode>();

describe("bad input is refused with its code, and stores nothing", () => {
  beforeAll(async () => {
    expect((await send(create({ partitions: 2 }, "witness"))).status).toBe(201);
    expect((await send(produce({ records: WITNESS_P0 }, P0))).status).toBe(200);
    expect((await send(produce({ records: [{ key: "b", value: null, timestamp: 4000 }] }, `${W}/partitions/1/records`))).status).toBe(200);
    expect((await send(commit({ offset: 2, metadata: "m" }))).status).toBe(200);
    witness = await snapshot("witness");
    expect(witness).toMatchObject({
      description: {
        partitions: [
          { partition: 0, logStartOffset: 0, highWatermark: 3 },
          { partition: 1, logStartOffset: 0, highWatermark: 1 },
        ],
      },
      partitions: [{ records: WITNESS_P0.map((r, offset) => ({ offset, ...r })), nextOffset: 3 }, { records: [{ offset: 0, key: "b" }] }],
      group: { partitions: [{ committedOffset: 2, metadata: "m" }, { committedOffset: null }] },
    });
  });

  it.each(ROWS)("$code: $what", async (row) => {
    const body = async (): Promise<void> => {
      for (const setup of row.setup ?? []) expect((await send(setup)).status, `setup ${setup.method} ${setup.path}`).toBeLessThan(300);
      const watched = row.watch === undefined ? null : await snapshot(row.watch);
      const res = await send(row.req);
      expect(res.status).not.toBe(500);
      const answer = (await res.json()) as { error: { message: string } };
      expect(answer).toStrictEqual({ error: { code: row.code, message: expect.any(String) } });
      expect(answer.error.message.length).toBeGreaterThan(0);
      expect(res.status).toBe(ERROR_STATUS[row.code]);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      if (row.watch !== undefined) expect(await snapshot(row.watch)).toStrictEqual(watched);
      expect(await snapshot("witness")).toStrictEqual(witness);
      exercised.add(row.code);
    };
    await (row.around ? row.around(body) : body());
  });

  it("accepts every limit's boundary value (so the refusals above are not a too-strict limit)", async () => {
    const ok = async (r: Req, status = 200): Promise<void> => expect((await send(r)).status, `${r.method} ${r.path}`).toBe(status);
    await ok(create({ partitions: TOPIC_PARTITIONS_MAX, config: { "retention.ms": 2 ** 53 - 1 } }, "b".repeat(TOPIC_NAME_LENGTH_MAX)), 201);
    const B = "/v1/topics/boundary";
    await ok(create({ partitions: 1 }, "boundary"), 201);
    // The stored size is the record's tail plus the longest timestamp prefix (see client/records.ts).
    const overhead = utf8.encode('"key":null,"value":"","headers":{}}').length + RECORD_TIMESTAMP_BYTES_MAX;
    await ok(produce({ records: [{ value: "x".repeat(RECORD_BYTES_MAX - overhead) }] }, `${B}/records`));
    await ok(produce({ records: [{ value: "x".repeat(RECORD_BYTES_MAX - overhead + 1) }] }, `${B}/records`), 413);
    await ok(produce({ records: Array.from({ length: BATCH_RECORDS_MAX }, () => ({ value: 0 })) }, `${B}/records`));
    const headers = Object.fromEntries(Array.from({ length: RECORD_HEADERS_MAX }, (_, i) => [`h${i}`, "v"]));
    await ok(produce({ records: [{ value: 1, headers, timestamp: TIMESTAMP_MS_MAX, partition: 0 }] }, `${B}/records`));
    const producer = { id: "p".repeat(PRODUCER_ID_LENGTH_MAX), epoch: PRODUCER_EPOCH_MAX, sequence: PRODUCER_SEQUENCE_MAX };
    await ok(produce({ records: [{ value: 1 }], producer }, `${B}/records`));
    await ok(req("GET", `${B}/partitions/0/records?offset=0&limit=${FETCH_RECORDS_MAX}&maxBytes=${FETCH_BYTES_MAX}&maxWaitMs=0`));
    await ok(req("GET", `${B}/partitions/0/offsets?timestamp=${TIMESTAMP_MS_MAX}`));
    const metadata = "é".repeat(COMMIT_METADATA_BYTES_MAX / 2);
    await ok(
      req("PUT", `/v1/groups/${"g".repeat(GROUP_NAME_LENGTH_MAX)}/offsets`, {
        offsets: [{ topic: "boundary", partition: 0, offset: 10_003, metadata }],
      }),
    );
  });

  it("exercised every code but INTERNAL", () => {
    const expected = ERROR_CODES.filter((code) => code !== "INTERNAL");
    expect([...exercised].sort()).toStrictEqual([...expected].sort());
    expect(exercised.has("INTERNAL")).toBe(false);
  });
});
