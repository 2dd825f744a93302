/**
 * Valid documents of the protocol's request shapes (PROTOCOL.md RECORD-3, PRODUCER-1, TOPIC-1,
 * TOPIC-2, COMMIT-2, GROUP-2), for the fuzzer to mutate: a near-valid request finds more than
 * random bytes. Names come from the lane's NameSpace, so a valid request lands on the lane's own
 * topics and groups.
 *
 * @example
 * fc.sample(produceDoc(space), 1); // e.g. [{ records: [{ value: 1, key: "k" }], producer: { id: "p", epoch: 0, sequence: 0 } }]
 */
import fc from "fast-check";
import { type NameSpace, nameArb } from "./fuzz-names.ts";
import { anyChar, anyString, type Doc, type DocObject } from "./json-text.ts";

/** Partitions of every playground topic. */
export const PLAYGROUND_PARTITIONS = 4;

/** Any JSON value, shallow (the mutations add depth). */
const valueArb = fc.jsonValue({ maxDepth: 2, stringUnit: anyChar }) as fc.Arbitrary<unknown> as fc.Arbitrary<Doc>;

/** Keeps only the fields that are not undefined (fc.record with optional keys may give either). */
function defined(fields: Record<string, Doc | undefined>): DocObject {
  const object: DocObject = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) object[key] = value;
  return object;
}

/**
 * A record to produce: `{value, key?, headers?, timestamp?, partition?}`.
 *
 * @example
 * fc.sample(recordDoc, 1); // e.g. [{ value: [true], key: null, partition: 2 }]
 */
export const recordDoc: fc.Arbitrary<DocObject> = fc
  .record(
    {
      value: valueArb,
      key: fc.option(anyString(8), { nil: null }),
      headers: fc.dictionary(anyString(6), anyString(8), { maxKeys: 3 }).map((h) => ({ ...h }) as DocObject),
      timestamp: fc.oneof(fc.nat(2_000_000_000_000), fc.constant(8.64e15)),
      partition: fc.nat(PLAYGROUND_PARTITIONS - 1),
    },
    { requiredKeys: ["value"] },
  )
  .map(defined);

/**
 * An idempotent producer: a few ids, so sequences sometimes follow on.
 *
 * @example
 * fc.sample(producerDoc, 1); // e.g. [{ id: "fz-p1", epoch: 0, sequence: 0 }]
 */
export const producerDoc: fc.Arbitrary<DocObject> = fc.record({
  id: fc.oneof(fc.constantFrom("fz-p1", "fz-p2", "p"), fc.uuid()),
  epoch: fc.oneof(fc.constant(0), fc.nat(32_767)),
  sequence: fc.oneof(fc.constant(0), fc.nat(10), fc.constant(2_147_483_647)),
});

/**
 * A produce body `{records, producer?}` (1 to 5 records; sometimes the 10,001 of BATCH_TOO_LARGE).
 *
 * @example
 * fc.sample(produceDoc(space), 1);
 */
export function produceDoc(_space: NameSpace): fc.Arbitrary<DocObject> {
  const records = fc.oneof(
    { weight: 40, arbitrary: fc.array(recordDoc, { minLength: 1, maxLength: 5 }) },
    { weight: 1, arbitrary: fc.constant(Array.from({ length: 10_001 }, (_, i): Doc => ({ value: i }))) },
  );
  return fc.record({ records, producer: producerDoc }, { requiredKeys: ["records"] }).map(defined);
}

/**
 * A topic creation body `{partitions, config?}`.
 *
 * @example
 * fc.sample(createTopicDoc, 1); // e.g. [{ partitions: 4, config: { "retention.ms": -1 } }]
 */
export const createTopicDoc: fc.Arbitrary<DocObject> = fc
  .record(
    {
      partitions: fc.oneof(fc.constant(PLAYGROUND_PARTITIONS), fc.integer({ min: 1, max: 3 }), fc.constantFrom(0, 64, 65)),
      config: fc
        .record(
          {
            "retention.ms": fc.oneof(fc.constant(-1), fc.integer({ min: 1, max: 10 ** 12 })),
            "message.timestamp.type": fc.constantFrom("CreateTime", "LogAppendTime"),
          },
          { requiredKeys: [] },
        )
        .map(defined),
    },
    { requiredKeys: ["partitions"] },
  )
  .map(defined);

/**
 * A member's fields on a commit, both or neither (COMMIT-2).
 *
 * @example
 * fc.sample(memberFields, 1); // e.g. [{ memberId: "m-1", generation: 1 }]
 */
const memberFields: fc.Arbitrary<DocObject> = fc.oneof(
  fc.constant({}),
  fc.record({ memberId: fc.constantFrom("m-1", "fz-member"), generation: fc.nat(3) }),
);

/**
 * A commit body `{offsets: [{topic, partition, offset, metadata?}], memberId?, generation?}`.
 *
 * @example
 * fc.sample(commitDoc(space), 1); // e.g. [{ offsets: [{ topic: "fzh-play", partition: 0, offset: 3 }] }]
 */
export function commitDoc(space: NameSpace): fc.Arbitrary<DocObject> {
  const entry = fc
    .record(
      { topic: nameArb(space, "topic"), partition: fc.nat(PLAYGROUND_PARTITIONS), offset: fc.nat(20), metadata: anyString(12) },
      { requiredKeys: ["topic", "partition", "offset"] },
    )
    .map(defined);
  return fc
    .tuple(fc.array(entry, { minLength: 1, maxLength: 3 }), memberFields)
    .map(([offsets, member]): DocObject => ({ offsets, ...member }));
}

/**
 * A join body `{topic, memberId?, assignor?, sessionTimeoutMs?}` (over HTTP, or a group socket's
 * `join` without its `type` and `id`).
 *
 * @example
 * fc.sample(joinDoc(space), 1); // e.g. [{ topic: "fzg-play", assignor: "sticky" }]
 */
export function joinDoc(space: NameSpace): fc.Arbitrary<DocObject> {
  return fc
    .record(
      {
        topic: nameArb(space, "topic"),
        memberId: fc.constantFrom("m-1", "fz-member", "device:7"),
        assignor: fc.constantFrom("range", "roundrobin", "sticky"),
        sessionTimeoutMs: fc.oneof(fc.constantFrom(1_000, 300_000, 999, 300_001), fc.integer({ min: 1_000, max: 60_000 })),
      },
      { requiredKeys: ["topic"] },
    )
    .map(defined);
}

/**
 * An HTTP source's configuration (SOURCE-2), near-valid: the lane's topic names, a secret about
 * the minimum, each scheme, pointers and header names (the mutations add the rest).
 *
 * @example
 * fc.sample(sourceDoc(space), 1); // e.g. [{ topic: "fzh-play", secret: "fuzz-secret-0123", signature: { scheme: "timestamped" } }]
 */
export function sourceDoc(space: NameSpace): fc.Arbitrary<DocObject> {
  const pointer = fc.constantFrom("", "/id", "/a/0/b", "/~0~1", "id");
  return fc
    .record(
      {
        topic: nameArb(space, "topic"),
        secret: fc.constantFrom("fuzz-secret-0123", "short", "x".repeat(1_025)),
        signature: fc
          .record(
            { header: fc.constantFrom("x-sig", "bad header"), scheme: fc.constantFrom("sha256", "timestamped", "md5") },
            { requiredKeys: [] },
          )
          .map(defined),
        deliveryIdHeader: fc.constantFrom("x-delivery-id", "X-GitHub-Delivery"),
        mapping: fc
          .record(
            {
              key: fc.oneof(
                pointer.map((p): Doc => ({ pointer: p })),
                fc.constant<Doc>({ header: "x-k" }),
              ),
              value: pointer.map((p): Doc => ({ pointer: p })),
              headers: fc.array(fc.constantFrom("x-a", "x-b", ""), { maxLength: 3 }),
            },
            { requiredKeys: [] },
          )
          .map(defined),
        dedupeWindowMs: fc.oneof(fc.constant(1_000), fc.nat(10 ** 9)),
        partition: fc.nat(PLAYGROUND_PARTITIONS),
      },
      { requiredKeys: ["topic", "secret"] },
    )
    .map(defined);
}

/**
 * A connector's configuration (CONNECT-2, CONNECT-10), near-valid: each kind, the lane's topics,
 * URLs that are refused on this machine's loopback or malformed (never a host outside it), secrets
 * about the bounds, and the numbers at and past their limits (the mutations add the rest).
 *
 * @example
 * fc.sample(connectorDoc(space), 1); // e.g. [{ kind: "webhook", topic: "fzh-play", url: "http://127.0.0.1:9/h", secret: "fuzz-secret-0123" }]
 */
export function connectorDoc(space: NameSpace): fc.Arbitrary<DocObject> {
  return fc
    .record(
      {
        kind: fc.constantFrom("webhook", "webhook", "archive", "ftp"),
        topic: nameArb(space, "topic"),
        url: fc.constantFrom("http://127.0.0.1:9/h", "https://127.0.0.1:9/", "ftp://127.0.0.1/", "http://u:p@127.0.0.1:9/", "/relative"),
        secret: fc.constantFrom("fuzz-secret-0123", "short", "x".repeat(513)),
        deadLetterTopic: nameArb(space, "topic"),
        attemptsMax: fc.constantFrom(1, 10, 100, 0, 101),
        backoffInitialMs: fc.constantFrom(10, 1_000, 9, 3_600_001),
        batchRecordsMax: fc.constantFrom(1, 1_000, 1_001),
        headers: fc.dictionary(
          fc.constantFrom("x-a", "authorization", "content-type", "edgelog-x", "bad header"),
          fc.constantFrom("v", ""),
          {
            maxKeys: 3,
          },
        ),
        prefix: fc.constantFrom("edgelog", "a/b", "../x", ""),
      },
      { requiredKeys: ["kind", "topic"] },
    )
    .map(defined);
}
