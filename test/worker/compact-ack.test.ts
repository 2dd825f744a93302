/**
 * Protocol version 2's compact ack against the real worker, on both transports: a socket that
 * sends no hello or `hello` version 1 gets version 1's ack byte for byte (an old client's frames,
 * written by hand); `hello` version 2 gets `{type:"ack", id, partition, baseOffset, count}`, also
 * after the object forgets its in-memory socket state (the version is in the attachment, as after
 * hibernation); another version is refused with 4400. Over HTTP, `edgelog-protocol: 2` gets runs
 * in request order and no header today's `{offsets}`, text for text; a bad value is refused
 * before anything is appended. Rules: PROTOCOL.md SOCKET-3, SOCKET-4, SOCKET-10, SOCKET-20,
 * SOCKET-21, PRODUCE-1, PRODUCE-7, PRODUCE-8, CORS-1.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { PROTOCOL_HEADER } from "../../client/protocol/index.ts";
import { app } from "../../worker/index.ts";
import type { SocketState } from "../../worker/partition/subscribers.ts";
import { createTopic, fetchRecords, partitionStub, uniqueTopic } from "./http.ts";
import { closeAllSockets, openSocket, type TestSocket } from "./socket.ts";

afterEach(closeAllSockets);

/** Each socket's protocol version as its attachment holds it (null: none written, version 1). */
async function attachedVersions(topic: string): Promise<(number | null)[]> {
  return runInDurableObject(await partitionStub(topic, 0), (_instance, state) =>
    state.getWebSockets().map((ws) => (ws.deserializeAttachment() as { state: SocketState }).state.protocol ?? null),
  );
}

/**
 * Sends `hello` and waits until the object has applied it: workerd's in-isolate test sockets may
 * reorder frames sent back to back (test/conformance/streams.ts, "ordered-frames"), and a `hello`
 * has no answer to wait for. Partition 0, the socket alone on it.
 */
async function hello(sock: TestSocket, topic: string, version: number): Promise<void> {
  sock.send({ type: "hello", version });
  const expected = version === 1 ? null : version;
  for (let turn = 0; turn < 100; turn++) {
    if ((await attachedVersions(topic)).every((v) => v === expected)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`hello ${version} was not applied within 1 s`);
}

/** The socket's ack, raw text, for a produce of `count` records with id `id`. */
async function produceRaw(sock: TestSocket, id: string, count: number): Promise<string> {
  const records = Array.from({ length: count }, (_, i) => `{"value":${i}}`).join(",");
  sock.send(`{"type":"produce","id":"${id}","records":[${records}]}`);
  return (await sock.nextReceived("ack")).raw;
}

describe("the socket's ack by version", () => {
  it("a client that sends no hello, or hello 1, gets version 1's ack exactly as before", async () => {
    const topic = uniqueTopic("ack-v1");
    await createTopic(topic, 2);
    const old = await openSocket(topic, 1);
    const hello = await old.next("hello");
    expect(hello.versions).toEqual([1, 2]);
    expect(await produceRaw(old, "p1", 2)).toBe(
      '{"type":"ack","id":"p1","offsets":[{"partition":1,"offset":0},{"partition":1,"offset":1}]}',
    );
    old.send('{"type":"hello","version":1}');
    expect(await produceRaw(old, "p2", 1)).toBe('{"type":"ack","id":"p2","offsets":[{"partition":1,"offset":2}]}');
    const retry = '{"type":"produce","id":"p3","records":[{"value":9}],"producer":{"id":"old","epoch":0,"sequence":0}}';
    old.send(retry);
    expect((await old.nextReceived("ack")).raw).toBe('{"type":"ack","id":"p3","offsets":[{"partition":1,"offset":3}]}');
    old.send(retry.replace('"p3"', '"p4"'));
    expect((await old.nextReceived("ack")).raw).toBe('{"type":"ack","id":"p4","offsets":[{"partition":1,"offset":3}],"duplicate":true}');
    expect(old.pending()).toEqual([]);
  });

  it("hello 2 gets the compact ack, for any batch size and a recognised retry; hello 1 switches back", async () => {
    const topic = uniqueTopic("ack-v2");
    await createTopic(topic, 1);
    const sock = await openSocket(topic, 0);
    await sock.next("hello");
    await hello(sock, topic, 2);
    expect(await produceRaw(sock, "a", 1)).toBe('{"type":"ack","id":"a","partition":0,"baseOffset":0,"count":1}');
    expect(await produceRaw(sock, "b", 1000)).toBe('{"type":"ack","id":"b","partition":0,"baseOffset":1,"count":1000}');
    const produced = {
      type: "produce" as const,
      id: "c",
      records: [{ value: 1 }, { value: 2 }],
      producer: { id: "v2", epoch: 0, sequence: 0 },
    };
    sock.send(produced);
    expect(await sock.next("ack")).toEqual({ type: "ack", id: "c", partition: 0, baseOffset: 1001, count: 2 });
    sock.send({ ...produced, id: "d" });
    expect((await sock.nextReceived("ack")).raw).toBe('{"type":"ack","id":"d","partition":0,"baseOffset":1001,"count":2,"duplicate":true}');
    await hello(sock, topic, 1);
    expect(await produceRaw(sock, "e", 1)).toBe('{"type":"ack","id":"e","offsets":[{"partition":0,"offset":1003}]}');
    expect((await fetchRecords(topic, 0)).highWatermark).toBe(1004);
    expect(sock.pending()).toEqual([]);
  });

  it("the version lives in the socket's attachment: kept when the object forgets its memory", async () => {
    const topic = uniqueTopic("ack-attach");
    await createTopic(topic, 1);
    const compact = await openSocket(topic, 0);
    await compact.next("hello");
    await hello(compact, topic, 2);
    const plain = await openSocket(topic, 0);
    await plain.next("hello");
    plain.send({ type: "hello", version: 1 });
    await plain.barrier(); // a barrier reordered ahead of the hello changes nothing: version 1 either way
    // Version 1 writes nothing: its attachment is what it was before version 2 existed.
    expect((await attachedVersions(topic)).sort()).toEqual([2, null]);
    await runInDurableObject(await partitionStub(topic, 0), (instance) => {
      // A new life of the object reads each socket's attachment again (as after hibernation).
      (instance.sockets as unknown as { states: Map<WebSocket, unknown> }).states.clear();
    });
    expect(await produceRaw(compact, "x", 3)).toBe('{"type":"ack","id":"x","partition":0,"baseOffset":0,"count":3}');
    expect(await produceRaw(plain, "y", 1)).toBe('{"type":"ack","id":"y","offsets":[{"partition":0,"offset":3}]}');
  });

  it("a version it does not speak is refused and closed with 4400; a malformed hello is an error only", async () => {
    const topic = uniqueTopic("ack-v3");
    await createTopic(topic, 1);
    const sock = await openSocket(topic, 0);
    await sock.next("hello");
    sock.send({ type: "hello", version: 2.5 });
    expect(await sock.next("error")).toMatchObject({ id: null, code: "INVALID_REQUEST" });
    sock.send({ type: "hello", version: 3 });
    expect(await sock.next("error")).toMatchObject({
      id: null,
      code: "INVALID_REQUEST",
      message: "this server speaks protocol versions 1 and 2",
    });
    expect((await sock.closed()).code).toBe(4400);
  });
});

/** A produce through the app: status, headers and the raw body. */
async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const init = { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json", ...headers } };
  const response = await app.request(`http://x${path}`, init, env);
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe("the HTTP produce answer by version", () => {
  it("no header: {offsets} as JSON.stringify writes it; edgelog-protocol 1 the same", async () => {
    const topic = uniqueTopic("http-v1");
    await createTopic(topic, 3);
    const records = [
      { value: 0, partition: 2 },
      { value: 1, partition: 0 },
      { value: 2, partition: 2 },
    ];
    const plain = await post(`/v1/topics/${topic}/records`, { records });
    expect(plain.status).toBe(200);
    expect(plain.headers.get("content-type")).toBe("application/json");
    expect(plain.headers.get(PROTOCOL_HEADER)).toBeNull();
    const offsets = [
      { partition: 2, offset: 0 },
      { partition: 0, offset: 0 },
      { partition: 2, offset: 1 },
    ];
    expect(plain.text).toBe(JSON.stringify({ offsets }));
    const one = await post(`/v1/topics/${topic}/partitions/1/records`, { records: [{ value: 3 }] }, { [PROTOCOL_HEADER]: "1" });
    expect(one.text).toBe('{"offsets":[{"partition":1,"offset":0}]}');
  });

  it("edgelog-protocol 2: runs in request order, split where the partition or the offsets change", async () => {
    const topic = uniqueTopic("http-v2");
    await createTopic(topic, 3);
    const v2 = { [PROTOCOL_HEADER]: "2" };
    const partitions = [0, 0, 1, 1, 0, 2, 2];
    const records = partitions.map((partition, i) => ({ value: i, partition }));
    const answer = await post(`/v1/topics/${topic}/records`, { records }, v2);
    expect(answer.status).toBe(200);
    expect(answer.headers.get(PROTOCOL_HEADER)).toBe("2");
    expect(answer.headers.get("content-type")).toBe("application/json");
    expect(JSON.parse(answer.text)).toEqual({
      ranges: [
        { partition: 0, baseOffset: 0, count: 2 },
        { partition: 1, baseOffset: 0, count: 2 },
        { partition: 0, baseOffset: 2, count: 1 },
        { partition: 2, baseOffset: 0, count: 2 },
      ],
    });
    const many = await post(
      `/v1/topics/${topic}/partitions/1/records`,
      { records: Array.from({ length: 1000 }, (_, i) => ({ value: i })) },
      v2,
    );
    expect(many.text).toBe('{"ranges":[{"partition":1,"baseOffset":2,"count":1000}]}');
    const body = { records: [{ value: "a" }, { value: "b" }], producer: { id: "http-v2", epoch: 0, sequence: 0 } };
    expect((await post(`/v1/topics/${topic}/partitions/2/records`, body, v2)).text).toBe(
      '{"ranges":[{"partition":2,"baseOffset":2,"count":2}]}',
    );
    expect((await post(`/v1/topics/${topic}/partitions/2/records`, body, v2)).text).toBe(
      '{"ranges":[{"partition":2,"baseOffset":2,"count":2}],"duplicate":true}',
    );
    expect((await post(`/v1/topics/${topic}/partitions/2/records`, body)).text).toBe(
      '{"offsets":[{"partition":2,"offset":2},{"partition":2,"offset":3}],"duplicate":true}',
    );
  });

  it("another value of edgelog-protocol is 400 INVALID_REQUEST and appends nothing; CORS exposes the header", async () => {
    const topic = uniqueTopic("http-bad");
    await createTopic(topic, 1);
    for (const value of ["3", "", "2.0", "v2"]) {
      const answer = await post(
        `/v1/topics/${topic}/records`,
        { records: [{ value: 1 }] },
        { [PROTOCOL_HEADER]: value, origin: "https://app.example" },
      );
      expect(answer.status, value).toBe(400);
      expect(JSON.parse(answer.text).error.code).toBe("INVALID_REQUEST");
      expect(answer.headers.get("access-control-expose-headers")).toContain(PROTOCOL_HEADER);
    }
    expect((await fetchRecords(topic, 0)).highWatermark).toBe(0);
  });
});
