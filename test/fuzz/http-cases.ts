/**
 * HTTP cases for the fuzzer: one per route of PROTOCOL.md HTTP-4 but the schema registry's and the
 * processors' (and paths that are no route),
 * each a near-valid request: the route's method mostly, its path segments from the lane's names
 * (encoded several ways), its query parameters near JSON-3's edges, headers (content types,
 * origins, CORS preflights, Last-Event-ID, upgrades, bearer tokens good and bad) and its body
 * mutated from a valid one (json-text.ts). A case may also open the route as a WebSocket.
 *
 * @example
 * const cases = httpCaseArb(space, auth);
 * const [one] = fc.sample(cases, { numRuns: 1, seed: 42 }); // { route: "produce", method: "POST", path: "/v1/topics/fzh-play/records", ... }
 */
import fc from "fast-check";
import type { FuzzAuth } from "./auth-mode.ts";
import { encodedText, type NameSpace, nameArb, numberText, queryArb, segment } from "./fuzz-names.ts";
import { anyString, type Doc, damagedBytes, mutatedDoc, textDamage, writeDoc } from "./json-text.ts";
import { commitDoc, connectorDoc, createTopicDoc, joinDoc, produceDoc, sourceDoc } from "./request-docs.ts";

/**
 * One HTTP request to send.
 *
 * @example
 * const c: HttpCase = { route: "topics", method: "GET", path: "/v1/topics", headers: {}, body: null, upgrade: false };
 */
export interface HttpCase {
  /** The template it came from (for reports). */
  route: string;
  method: string;
  /** Path and query, encoded as sent. */
  path: string;
  headers: Record<string, string>;
  body: Uint8Array | null;
  /** Open it as a WebSocket (ws) instead of a plain request. */
  upgrade: boolean;
}

/** A route template: its method, its path's parts (literal or generated segments), its query and body. */
interface Template {
  route: string;
  method: string;
  parts: (string | fc.Arbitrary<string>)[];
  query?: fc.Arbitrary<string>;
  body?: fc.Arbitrary<Doc>;
  socket?: boolean;
}

/** The longest a generated long-poll may wait: a valid `maxWaitMs` above it is lowered to it. */
export const FUZZ_WAIT_MS_MAX = 50;

const clampWait = (value: string): string =>
  /^[0-9]+$/.test(value) && Number(value) > FUZZ_WAIT_MS_MAX ? String(FUZZ_WAIT_MS_MAX) : value;

/** Every route's template, for one lane. */
function templates(space: NameSpace): fc.WeightedArbitrary<Template>[] {
  const topic = segment(space, "topic");
  const group = segment(space, "group");
  const partition = segment(space, "partition");
  const member = segment(space, "member");
  const p = ["/v1/topics/", topic, "/partitions/", partition];
  const g = ["/v1/groups/", group];
  const fetchQuery = queryArb(
    { offset: numberText, limit: numberText, maxBytes: numberText, maxWaitMs: numberText, live: numberText },
    { maxWaitMs: clampWait },
  );
  const t = (weight: number, template: Template): fc.WeightedArbitrary<Template> => ({ weight, arbitrary: fc.constant(template) });
  return [
    t(2, { route: "topics", method: "GET", parts: ["/v1/topics"] }),
    t(6, { route: "createTopic", method: "PUT", parts: ["/v1/topics/", topic], body: createTopicDoc }),
    t(2, { route: "describeTopic", method: "GET", parts: ["/v1/topics/", topic] }),
    t(1, { route: "deleteTopic", method: "DELETE", parts: ["/v1/topics/", topic] }),
    t(14, { route: "produce", method: "POST", parts: ["/v1/topics/", topic, "/records"], body: produceDoc(space) }),
    t(10, { route: "producePartition", method: "POST", parts: [...p, "/records"], body: produceDoc(space) }),
    t(8, { route: "fetch", method: "GET", parts: [...p, "/records"], query: fetchQuery }),
    t(2, { route: "deleteRecords", method: "DELETE", parts: [...p, "/records"], query: queryArb({ before: numberText }, {}) }),
    t(3, { route: "offsets", method: "GET", parts: [...p, "/offsets"], query: queryArb({ timestamp: numberText }, {}) }),
    t(1, { route: "stats", method: "GET", parts: [...p, "/stats"] }),
    t(3, { route: "partitionSocket", method: "GET", parts: [...p, "/ws"], socket: true }),
    t(8, { route: "commit", method: "PUT", parts: [...g, "/offsets"], body: commitDoc(space) }),
    t(3, { route: "groupOffsets", method: "GET", parts: [...g, "/offsets"], query: queryArb({ topic: nameArb(space, "topic") }, {}) }),
    t(6, { route: "join", method: "POST", parts: [...g, "/members"], body: joinDoc(space) }),
    t(3, { route: "heartbeat", method: "POST", parts: [...g, "/members/", member, "/heartbeat"] }),
    t(2, { route: "leave", method: "DELETE", parts: [...g, "/members/", member] }),
    t(2, { route: "describeGroup", method: "GET", parts: g }),
    t(2, { route: "groupSocket", method: "GET", parts: [...g, "/ws"], socket: true }),
    // HTTP sources: the ingest route reads no token, so every header and body reaches the object.
    t(2, { route: "putSource", method: "PUT", parts: ["/v1/sources/", topic], body: sourceDoc(space) }),
    t(1, { route: "sources", method: "GET", parts: ["/v1/sources"] }),
    t(1, { route: "describeSource", method: "GET", parts: ["/v1/sources/", topic] }),
    t(1, { route: "deleteSource", method: "DELETE", parts: ["/v1/sources/", topic] }),
    t(4, { route: "sourceEvents", method: "POST", parts: ["/v1/sources/", topic, "/events"], body: createTopicDoc }),
    // Connectors: their alarms deliver only to refused loopback addresses (connectorDoc's URLs).
    t(2, { route: "putConnector", method: "PUT", parts: ["/v1/connectors/", topic], body: connectorDoc(space) }),
    t(1, { route: "connectors", method: "GET", parts: ["/v1/connectors"] }),
    t(1, { route: "describeConnector", method: "GET", parts: ["/v1/connectors/", topic] }),
    t(1, { route: "deleteConnector", method: "DELETE", parts: ["/v1/connectors/", topic] }),
  ];
}

/** Methods a case may use instead of its route's. */
const OTHER_METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "QUERY", "PROPFIND", "get"];

/** Damage to a built path: none mostly; else a trailing slash, another case, an extra or missing segment. */
const pathDamage = fc.oneof(
  { weight: 40, arbitrary: fc.constant((path: string) => path) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      (path: string) => `${path}/`,
      (path: string) => path.replace("/v1/", "/V1/"),
      (path: string) => path.replace("/v1/", "/v2/"),
      (path: string) => `${path}/extra`,
      (path: string) => path.replace(/\/[^/]*$/, ""),
      (path: string) => path.replace("/v1/", "/v1//"),
      (path: string) => path.replaceAll("/", "%2F").replace("%2Fv1", "/v1"),
    ),
  },
  {
    weight: 1,
    arbitrary: anyString(12)
      .chain(encodedText)
      .map((junk) => (path: string) => `${path}/${junk}`),
  },
);

/** A header value: printable ASCII and Latin-1 (what node:http lets a client send). */
const headerValue = fc.string({
  unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff })).map((c) => String.fromCharCode(c)),
  maxLength: 40,
});

/** Authorization header values: the principal's token, a bad one, or not a bearer token at all. */
function authorizationArb(auth: FuzzAuth): fc.Arbitrary<string | undefined> {
  const good = auth.headers("fuzz").authorization;
  const bad = auth.badTokens.map((token) => `Bearer ${token}`);
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant(good) },
    { weight: 2, arbitrary: fc.constantFrom<string | undefined>(undefined, "Bearer", "Bearer ", "Basic Zm9vOmJhcg==", "bearer x", ...bad) },
    { weight: 1, arbitrary: headerValue.map((v) => `Bearer ${v}`) },
  );
}

/** The headers of a case (content type, origin, CORS, SSE resume, upgrade, auth, others). */
function headersArb(auth: FuzzAuth): fc.Arbitrary<Record<string, string>> {
  // Present once in `rarity` cases.
  const some = <T>(rarity: number, arbitrary: fc.Arbitrary<T>) =>
    fc.oneof({ weight: rarity - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
  return fc
    .record({
      "content-type": some(
        3,
        fc.constantFrom("application/json", "text/plain", "application/json; charset=latin1", "multipart/form-data; boundary=x", ""),
      ),
      origin: some(6, fc.constantFrom("https://example.com", "null", "http://127.0.0.1:1", "https://evil.example")),
      "access-control-request-method": some(8, fc.constantFrom("POST", "PUT", "DELETE", "X")),
      "access-control-request-headers": some(8, fc.constantFrom("content-type", "authorization, content-type", "x-a, x-b")),
      "last-event-id": some(
        6,
        numberText.map((v) => v.replace(/[^\x20-\x7e]/g, "?")),
      ),
      upgrade: some(10, fc.constantFrom("websocket", "WebSocket", "h2c", "")),
      "sec-websocket-version": some(6, fc.constantFrom("13", "8")),
      "sec-websocket-key": some(6, fc.constantFrom("dGhlIHNhbXBsZSBub25jZQ==", "x", "")),
      authorization: authorizationArb(auth),
      "x-fz": some(6, headerValue),
    })
    .map((headers) => {
      const out: Record<string, string> = {};
      for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = value;
      return out;
    });
}

/** A body for a route that takes one (mutated, written, perhaps damaged), or sometimes for one that does not. */
function bodyArb(template: Template): fc.Arbitrary<Uint8Array | null> {
  if (template.body === undefined) {
    return fc.oneof(
      { weight: 10, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.constant(new TextEncoder().encode('{"x":1}')) },
    );
  }
  return template.body.chain(mutatedDoc).chain((doc) => textDamage.map((damage) => damagedBytes(writeDoc(doc), damage)));
}

const decoder = new TextDecoder();

/**
 * The case as one line for a report (the body cut at 300 characters).
 *
 * @example
 * describeCase(c); // 'POST /v1/topics/fzh-play/records headers {} body "{\"records\":[]}"'
 */
export function describeCase(c: HttpCase): string {
  const cut = c.body === null ? "" : decoder.decode(c.body.subarray(0, 300));
  const body = c.body === null ? "" : ` body ${JSON.stringify(cut)}${c.body.byteLength > 300 ? `… (${c.body.byteLength} bytes)` : ""}`;
  return `${c.upgrade ? "UPGRADE" : c.method} ${c.path} headers ${JSON.stringify(c.headers)}${body}`;
}

/**
 * HTTP cases for a lane: a template by weight, then its parts, query, headers and body.
 *
 * @example
 * fc.assert(fc.asyncProperty(httpCaseArb(space, auth), async (c) => expectStableAnswer(await send(c))));
 */
export function httpCaseArb(space: NameSpace, auth: FuzzAuth): fc.Arbitrary<HttpCase> {
  return fc.oneof(...templates(space)).chain((template) =>
    fc
      .record({
        parts: fc.tuple(...template.parts.map((part) => (typeof part === "string" ? fc.constant(part) : part))),
        query: template.query ?? fc.constant(""),
        damage: pathDamage,
        method: fc.oneof(
          { weight: 19, arbitrary: fc.constant(template.method) },
          { weight: 1, arbitrary: fc.constantFrom(...OTHER_METHODS) },
        ),
        headers: headersArb(auth),
        body: bodyArb(template),
        upgrade: template.socket === true ? fc.boolean() : fc.constant(false),
      })
      .map(({ parts, query, damage, method, headers, body, upgrade }) => {
        const c: HttpCase = {
          route: template.route,
          method: upgrade ? "GET" : method,
          path: damage(parts.join("")) + query,
          headers,
          body,
          upgrade,
        };
        // fast-check prints a counterexample with this (readable, unlike a Uint8Array's bytes).
        return Object.assign(c, { [fc.toStringMethod]: () => describeCase(c) });
      }),
  );
}
