/**
 * Socket frames for the fuzzer, from the protocol's message shapes (PROTOCOL.md sections 16 and
 * 18): each client message of the partition socket (hello, subscribe, unsubscribe, consumed,
 * produce, commit) and of the group socket (join, leave), and `auth` on both, mutated like HTTP
 * bodies (json-text.ts); plus exact and near pings, unknown types, binary frames and frames over
 * SOCKET_MESSAGE_BYTES_MAX. A case is one to three frames.
 *
 * @example
 * const [frames] = fc.sample(frameCaseArb("partition", space, auth), { numRuns: 1, seed: 7 });
 * for (const frame of frames) socket.send(frame.text ?? frame.binary);
 */
import fc from "fast-check";
import { PING, SOCKET_MESSAGE_BYTES_MAX } from "../../client/protocol/index.ts";
import type { FuzzAuth } from "./auth-mode.ts";
import { memberArb, type NameSpace, nameArb } from "./fuzz-names.ts";
import { anyString, type Doc, type DocObject, damagedBytes, mutatedDoc, textDamage, writeDoc } from "./json-text.ts";
import { joinDoc, producerDoc, recordDoc } from "./request-docs.ts";

/**
 * One frame: text (sent as a text frame) or bytes (a binary frame).
 *
 * @example
 * const frames: Frame[] = [{ text: '{"type":"consumed","offset":3}' }, { binary: new Uint8Array([0xff]) }];
 */
export type Frame = { text: string; binary?: undefined } | { binary: Uint8Array; text?: undefined };

/** A socket message id: the usual ones, or anything (some past MESSAGE_ID_LENGTH_MAX). */
const idArb: fc.Arbitrary<Doc> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("s1", "s2", "p1", "c1", "j1", "l1", "x") },
  { weight: 1, arbitrary: fc.constantFrom("", "a".repeat(64), "a".repeat(65)) },
  { weight: 1, arbitrary: anyString(20) },
);

/** Where a subscription starts (SOCKET-5). */
const fromArb: fc.Arbitrary<Doc> = fc.oneof(
  fc.constantFrom<Doc>("earliest", "latest", "committed"),
  fc.nat(30).map((offset): Doc => ({ offset })),
  fc.oneof(fc.nat(2_000_000_000_000), fc.constant(8.64e15)).map((timestamp): Doc => ({ timestamp })),
);

/** The partition socket's messages, valid. */
function partitionMessages(space: NameSpace): fc.Arbitrary<DocObject> {
  const group = nameArb(space, "group");
  return fc.oneof(
    {
      weight: 1,
      arbitrary: fc.constantFrom<DocObject>({ type: "hello", version: 1 }, { type: "hello", version: 2 }, { type: "hello", version: 3 }),
    },
    {
      weight: 6,
      arbitrary: fc
        .record(
          { type: fc.constant("subscribe"), id: idArb, from: fromArb, group, reset: fc.constantFrom("earliest", "latest") },
          { requiredKeys: ["type", "id", "from"] },
        )
        .map((m) => m as DocObject),
    },
    { weight: 2, arbitrary: fc.record({ type: fc.constant("unsubscribe"), id: idArb }) },
    { weight: 3, arbitrary: fc.record({ type: fc.constant("consumed"), offset: fc.nat(40) }) },
    {
      weight: 8,
      arbitrary: fc
        .record(
          {
            type: fc.constant("produce"),
            id: idArb,
            records: fc.array(
              recordDoc.map((r) => ({ ...r, partition: 0 }) as DocObject),
              { minLength: 1, maxLength: 4 },
            ),
            producer: producerDoc,
          },
          { requiredKeys: ["type", "id", "records"] },
        )
        .map((m) => m as DocObject),
    },
    {
      weight: 5,
      arbitrary: fc
        .record(
          {
            type: fc.constant("commit"),
            id: idArb,
            group,
            offset: fc.nat(20),
            metadata: anyString(10),
            memberId: memberArb,
            generation: fc.nat(3),
          },
          { requiredKeys: ["type", "id", "group", "offset"] },
        )
        .map((m) => m as DocObject),
    },
  );
}

/** The group socket's messages, valid. */
function groupMessages(space: NameSpace): fc.Arbitrary<DocObject> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(idArb, joinDoc(space)).map(([id, join]): DocObject => ({ type: "join", id, ...join })) },
    { weight: 2, arbitrary: fc.record({ type: fc.constant("leave"), id: idArb }) },
  );
}

/** `auth` messages: the principal's token (a re-auth), a bad one, or not a token. */
function authMessages(auth: FuzzAuth): fc.Arbitrary<DocObject> {
  const tokens = [auth.token("fuzz") ?? "no-token", ...auth.badTokens, ""];
  return fc.record({ type: fc.constant("auth"), id: idArb, token: fc.oneof(fc.constantFrom<Doc>(...tokens), anyString(30)) });
}

/** Frames that are not a message's shape at all. */
const oddFrames: fc.Arbitrary<Frame> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .constantFrom(
        PING,
        '{"type": "ping"}',
        '{"type":"ping","id":"x"}',
        "ping",
        "",
        "{}",
        "[]",
        "null",
        '{"type":7}',
        '{"type":"nope","id":"n1"}',
      )
      .map((text) => ({ text })),
  },
  { weight: 4, arbitrary: anyString(30).map((text) => ({ text })) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 30 }).map((binary) => ({ binary })) },
  {
    weight: 1,
    arbitrary: fc.constant({ text: `{"type":"produce","id":"big","records":[{"value":"${"x".repeat(SOCKET_MESSAGE_BYTES_MAX)}"}]}` }),
  },
);

/** A message mutated and written; damaged text that is no longer UTF-8 goes as a binary frame. */
function writtenFrame(message: fc.Arbitrary<DocObject>): fc.Arbitrary<Frame> {
  return message.chain(mutatedDoc).chain((doc) =>
    textDamage.map((damage): Frame => {
      const text = writeDoc(doc);
      if (damage.kind === "bytes") return { binary: damagedBytes(text, damage) };
      return { text: new TextDecoder().decode(damagedBytes(text, damage)) };
    }),
  );
}

/**
 * The frames of a case, for a report (each cut at 300 characters).
 *
 * @example
 * describeFrames([{ text: "{}" }]); // 'sent ["{}"]'
 */
export function describeFrames(frames: readonly Frame[]): string {
  return `sent ${JSON.stringify(frames.map((f) => (f.text !== undefined ? f.text.slice(0, 300) : `<binary ${f.binary.byteLength} bytes>`)))}`;
}

/**
 * Cases for a socket lane: one to three frames, for the partition or the group socket.
 *
 * @example
 * fc.assert(fc.asyncProperty(frameCaseArb("group", space, auth), (frames) => lane.run(frames)));
 */
export function frameCaseArb(kind: "partition" | "group", space: NameSpace, auth: FuzzAuth): fc.Arbitrary<Frame[]> {
  const messages = kind === "partition" ? partitionMessages(space) : groupMessages(space);
  const frame = fc.oneof(
    { weight: 30, arbitrary: writtenFrame(messages) },
    { weight: 2, arbitrary: writtenFrame(authMessages(auth)) },
    { weight: 1, arbitrary: writtenFrame(kind === "partition" ? groupMessages(space) : partitionMessages(space)) },
    { weight: 1, arbitrary: oddFrames },
  );
  return fc
    .array(frame, { minLength: 1, maxLength: 3 })
    .map((frames) => Object.assign(frames, { [fc.toStringMethod]: () => describeFrames(frames) }));
}
