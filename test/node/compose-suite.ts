/**
 * The composition suite (describeComposition), run from the sources by worker-compose.test.ts
 * and from the packed tarball by package-worker.test.ts: edgelog inside a user's own Worker (`edgelog/worker`), under Miniflare: the user's Worker
 * mounts edgelog at /events beside its own routes and middleware, with typed options that win
 * over its env (the env says EDGELOG_AUTH=off and has no EDGELOG_JWT_SECRET; the options require
 * tokens and carry the secret). The real client at `${url}/events` produces, subscribes over the
 * partition socket and makes admin calls; the group socket, SSE, 405 and NOT_FOUND work under
 * the prefix; the socket's authentication inside the Durable Objects follows the options. A third
 * Worker calls edgelog over a service binding (EdgelogService): produce, read back, admin and
 * group offsets, and error codes that survive RPC, on a caller with enhanced error serialization
 * (the code as a property) and one without it (rebuilt by rpcError from the message).
 *
 * @example
 * describeComposition("from the sources", (dir) => startComposition({ dir }));
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createClient, type EdgelogClient } from "../../client/index.ts";
import { collect, NodeWebSocket, WAIT_MS, waitForStatus } from "./client-harness.ts";
import { type CallAnswer, type Composition, USER_ORIGIN } from "./compose-runtime.ts";
import { makeTempDir, removeDir, withTimeout } from "./runtime.ts";
import { mintToken } from "./test-tokens.ts";

/** How long starting a composition may take (bundling three Workers, or installing a tarball first). */
const START_MS_MAX = 240_000;

/**
 * Registers the composition's tests in the calling file, against what `start` runs.
 *
 * @example
 * describeComposition("from the sources", (dir) => startComposition({ dir }));
 */
export function describeComposition(name: string, start: (dir: string) => Promise<Composition>): void {
  describe(name, () => {
    let dir = "";
    let composed: Composition | null = null;
    const clients: EdgelogClient[] = [];

    beforeAll(async () => {
      dir = await makeTempDir("edgelog-compose-");
      composed = await start(dir);
    }, START_MS_MAX);

    afterEach(() => {
      for (const client of clients.splice(0)) client.close();
    });

    afterAll(async () => {
      await composed?.stop();
      await removeDir(dir);
    });

    const base = () => composed!.url;
    const adminToken = () => mintToken({ sub: "ops", scope: "admin:* group:*", expiresInS: 600 });

    function client(auth: string): EdgelogClient {
      const made = createClient({ url: `${base()}/events`, cache: "memory", WebSocket: NodeWebSocket, heartbeatIntervalMs: 1_000, auth });
      clients.push(made);
      return made;
    }

    /** The first `count` messages a socket receives (parsed), and its close code when it closes. */
    function socketLog(ws: WebSocket): { messages: Record<string, unknown>[]; closed: Promise<number> } {
      const messages: Record<string, unknown>[] = [];
      ws.on("message", (data: Buffer) => messages.push(JSON.parse(data.toString()) as Record<string, unknown>));
      ws.on("error", () => undefined); // the close event reports it
      return { messages, closed: new Promise((resolve) => ws.on("close", (code) => resolve(code))) };
    }

    async function opened(ws: WebSocket): Promise<void> {
      await withTimeout(new Promise<void>((resolve) => ws.once("open", () => resolve())), WAIT_MS, "the socket to open");
    }

    async function firstMessage(log: { messages: Record<string, unknown>[] }): Promise<Record<string, unknown>> {
      const deadline = Date.now() + WAIT_MS;
      while (log.messages.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const first = log.messages[0];
      if (first === undefined) throw new Error("no message within the wait");
      return first;
    }

    describe("edgelog mounted at /events in the user's Worker", () => {
      it("leaves the user's own routes and middleware working, and applies its middleware to edgelog", async () => {
        const home = await fetch(`${base()}/`);
        expect(await home.text()).toBe("the user's own home page");
        // The options require tokens although the env says off: refused, through the user's middleware.
        const refused = await fetch(`${base()}/events/v1/topics`);
        expect(refused.status).toBe(401);
        expect(refused.headers.get("x-user-middleware")).toBe("events");
        expect(refused.headers.get("edgelog-auth")).toBeNull();
        expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("UNAUTHENTICATED");
        const hello = (await (await fetch(`${base()}/hello`)).json()) as { hello: string; eventsRequests: number };
        expect(hello.hello).toBe("from the user's route");
        expect(hello.eventsRequests).toBeGreaterThan(0);
        // Under the prefix: an unknown API path is the API's NOT_FOUND, a known one's other method 405.
        const missing = await fetch(`${base()}/events/v1/nothing-here`, { headers: { authorization: `Bearer ${await adminToken()}` } });
        expect(missing.status).toBe(404);
        expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
        const wrongMethod = await fetch(`${base()}/events/v1/topics`, {
          method: "POST",
          headers: { authorization: `Bearer ${await adminToken()}` },
        });
        expect(wrongMethod.status).toBe(405);
        // The admin console at the mount point, without this repository's example link.
        const page = await fetch(`${base()}/events`);
        expect(page.status).toBe(200);
        const html = await page.text();
        expect(html).toContain("<title>edgelog");
        expect(html).not.toContain("example-link");
      });

      it("serves the real client at <url>/events: admin calls, produce, and a live subscription over the socket", async () => {
        const ops = client(await adminToken());
        await ops.admin.createTopic("compose-orders", { partitions: 2 });
        expect((await ops.admin.listTopics()).map((t) => t.name)).toContain("compose-orders");
        await ops.produce("compose-orders", { key: "a", value: { n: 1 }, partition: 0 });
        const reader = client(await mintToken({ sub: "reader", scope: "read:compose-*", expiresInS: 600 }));
        const got = collect();
        reader.subscribe("compose-orders", { from: "earliest" }, got.callback);
        await waitForStatus(reader, "live");
        await ops.produce("compose-orders", { key: "a", value: { n: 2 }, partition: 0 });
        const records = await got.waitForCount(2);
        expect(records.map((r) => r.value)).toEqual([{ n: 1 }, { n: 2 }]);
        expect((await ops.admin.describeTopic("compose-orders")).partitions[0]?.highWatermark).toBe(2);
      });

      it("authenticates sockets inside the Durable Objects with the options, on the partition and the group socket", async () => {
        const wsBase = `${base().replace("http", "ws")}/events`;
        // The env says off; the options say required: the partition's object sends nothing before
        // `auth`, and refuses anything else with 4401.
        const bare = new WebSocket(`${wsBase}/v1/topics/compose-orders/partitions/0/ws`, { origin: USER_ORIGIN });
        const bareLog = socketLog(bare);
        await opened(bare);
        bare.send(JSON.stringify({ type: "subscribe", id: "s1", from: "earliest" }));
        expect(await withTimeout(bareLog.closed, WAIT_MS, "the refused socket to close")).toBe(4401);
        expect(bareLog.messages[0]).toMatchObject({ type: "error", code: "UNAUTHENTICATED" });
        // The group's object verifies a token with the options' secret (the env holds none).
        const group = new WebSocket(`${wsBase}/v1/groups/compose-billing/ws`, { origin: USER_ORIGIN });
        const groupLog = socketLog(group);
        await opened(group);
        group.send(JSON.stringify({ type: "auth", id: "a1", token: await adminToken() }));
        expect(await firstMessage(groupLog)).toMatchObject({ type: "authenticated", id: "a1", sub: "ops" });
        group.close(1000, "done");
        // Another origin than the options allow may not open a socket (AUTH-15).
        const foreign = new WebSocket(`${wsBase}/v1/groups/compose-billing/ws`, { origin: "https://elsewhere.example" });
        foreign.on("error", () => undefined);
        const status = new Promise<number>((resolve) =>
          foreign.on("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0)),
        );
        expect(await withTimeout(status, WAIT_MS, "the foreign origin's refusal")).toBe(403);
      });

      it("streams SSE under the prefix", async () => {
        const controller = new AbortController();
        const response = await fetch(`${base()}/events/v1/topics/compose-orders/partitions/0/records?offset=0&live=sse`, {
          headers: { authorization: `Bearer ${await adminToken()}` },
          signal: controller.signal,
        });
        expect(response.headers.get("content-type")).toContain("text/event-stream");
        const reader = response.body!.getReader();
        let text = "";
        const deadline = Date.now() + WAIT_MS;
        while (!text.includes('"n":2') && Date.now() < deadline) {
          const { done, value } = await withTimeout(reader.read(), WAIT_MS, "an SSE event");
          if (done) break;
          text += new TextDecoder().decode(value);
        }
        controller.abort();
        expect(text).toContain('"n":1');
        expect(text).toContain('"n":2');
      });
    });

    /** The answer's value, or the test fails with what was thrown. */
    function answered<T>(answer: CallAnswer): T {
      if (!answer.ok) throw new Error(`the call threw ${JSON.stringify(answer.thrown)}`);
      return answer.value as T;
    }

    describe("EdgelogService over a service binding", () => {
      it("produces, reads back, and makes admin and group calls, trusted (no token)", async () => {
        const call = composed!.call;
        answered(await call("new", { method: "createTopic", args: ["rpc-orders", { partitions: 2 }] }));
        const produced = answered<{ offsets: { partition: number; offset: number }[] }>(
          await call("new", {
            method: "produce",
            args: [
              "rpc-orders",
              [
                { key: "k", value: { item: "book" } },
                { key: "k", value: 2 },
              ],
            ],
          }),
        );
        const partition = produced.offsets[0]!.partition;
        expect(produced.offsets).toEqual([
          { partition, offset: 0 },
          { partition, offset: 1 },
        ]);
        answered(await call("old", { method: "produce", args: ["rpc-orders", [{ value: "third" }], { partition }] }));
        const page = answered<{ records: { offset: number; key: string | null; value: unknown }[]; nextOffset: number }>(
          await call("new", { method: "read", args: ["rpc-orders", partition, { offset: 1, limit: 10 }] }),
        );
        expect(page.records.map((r) => [r.offset, r.key, r.value])).toEqual([
          [1, "k", 2],
          [2, null, "third"],
        ]);
        expect(page.nextOffset).toBe(3);
        const described = answered<{ partitions: { highWatermark: number }[] }>(
          await call("old", { method: "describeTopic", args: ["rpc-orders"] }),
        );
        expect(described.partitions.reduce((sum, p) => sum + p.highWatermark, 0)).toBe(3);
        const topics = answered<{ name: string }[]>(await call("new", { method: "listTopics", args: [] }));
        expect(topics.map((t) => t.name)).toContain("rpc-orders");
        const offsets = answered<{ totalLag: number }>(await call("new", { method: "groupOffsets", args: ["rpc-billing", "rpc-orders"] }));
        expect(offsets.totalLag).toBe(0);
      });

      it("throws the HTTP API's codes: a property under enhanced serialization, rebuilt by rpcError either way", async () => {
        const call = composed!.call;
        for (const caller of ["new", "old"] as const) {
          const unknown = await call(caller, { method: "produce", args: ["rpc-nowhere", [{ value: 1 }]] });
          expect(unknown.ok).toBe(false);
          if (unknown.ok) continue;
          expect(unknown.rpcError).toEqual({ code: "UNKNOWN_TOPIC", message: 'topic "rpc-nowhere" does not exist', isEdgelogError: true });
          expect(unknown.thrown.message).toContain("UNKNOWN_TOPIC");
          // Own properties cross RPC only when both Workers serialize errors the enhanced way.
          expect(unknown.thrown.code).toBe(caller === "new" ? "UNKNOWN_TOPIC" : null);
          expect(unknown.thrown.name).toBe(caller === "new" ? "EdgelogError" : "Error");
          const badRecord = await call(caller, { method: "produce", args: ["rpc-orders", [{ key: 7, value: 1 }]] });
          expect(badRecord.ok ? null : badRecord.rpcError?.code).toBe("INVALID_RECORD");
          const badOffset = await call(caller, { method: "read", args: ["rpc-orders", 0, { offset: -1 }] });
          expect(badOffset.ok ? null : badOffset.rpcError?.code).toBe("INVALID_PARAMETER");
          const badName = await call(caller, { method: "describeTopic", args: ["bad name!"] });
          expect(badName.ok ? null : badName.rpcError?.code).toBe("INVALID_TOPIC_NAME");
        }
      });

      it("refuses the same bad input as HTTP does, with the same code", async () => {
        const token = await adminToken();
        const http = await fetch(`${base()}/events/v1/topics/rpc-orders/records`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ records: [] }),
        });
        const httpCode = ((await http.json()) as { error: { code: string } }).error.code;
        const rpc = await composed!.call("new", { method: "produce", args: ["rpc-orders", []] });
        expect(httpCode).toBe("INVALID_REQUEST");
        expect(rpc.ok ? null : rpc.rpcError?.code).toBe(httpCode);
      });
    });
  });
}
