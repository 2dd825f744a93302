/**
 * The auth matrix (issue 10's proof; PROTOCOL.md AUTH-5 to AUTH-9): every HTTP route and every
 * socket message type of both sockets, each tried with no token, a bad signature, an expired
 * token, tokens without the needed grant, and the right grant. Only the last passes; after each of
 * the others the row's topic and group are exactly as before (the topic list, the topic, every
 * record of its partitions, the group's members and offsets). The rows are a table
 * (matrix-rows.ts): a route the worker serves, or a message type the protocol defines, without a
 * row fails the first tests here.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project worker-auth test/worker-auth/matrix.test.ts
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  CLIENT_MESSAGE_TYPES,
  type ClientMessage,
  GROUP_CLIENT_MESSAGE_TYPES,
  type GroupClientMessage,
  ROUTE,
} from "../../client/protocol/index.ts";
import { ROUTE_GRANTS } from "../../worker/auth/route-grants.ts";
import { app } from "../../worker/index.ts";
import type { TestSocket } from "../worker/socket.ts";
import { call, expectCall, openAuthSocket, tokenFor, witness } from "./harness.ts";
import { HTTP_ROWS, type HttpRow, type RowNames, SOCKET_ROWS, type SocketRow } from "./matrix-rows.ts";

const RUN = crypto.randomUUID().slice(0, 8);
let admin = "";

beforeAll(async () => {
  admin = await tokenFor("admin:* group:*", { sub: "admin" });
});

/** A row's own topic (2 partitions, 2 records on partition 0) and group (offset 1 committed there). */
async function rowNames(slug: string, member: boolean): Promise<RowNames> {
  const topic = `mx-${slug}-${RUN}`;
  const group = `mxg-${slug}-${RUN}`;
  await expectCall(`PUT /v1/topics/${topic}`, { token: admin, body: { partitions: 2 } }, 201);
  await expectCall(`POST /v1/topics/${topic}/partitions/0/records`, { token: admin, body: { records: [{ value: 0 }, { value: 1 }] } }, 200);
  await expectCall(`PUT /v1/groups/${group}/offsets`, { token: admin, body: { offsets: [{ topic, partition: 0, offset: 1 }] } }, 200);
  if (!member) return { topic, group, member: null };
  const joined = (await expectCall(`POST /v1/groups/${group}/members`, { token: admin, body: { topic, memberId: "m-1" } }, 200)) as {
    memberId: string;
  };
  return { topic, group, member: joined.memberId };
}

/** The tokens that must fail: none, a bad signature, expired (all of the right scope), and each wrong scope. */
async function failing(right: string, wrong: string[]): Promise<{ name: string; token: string | null; code: string }[]> {
  return [
    { name: "no token", token: null, code: "UNAUTHENTICATED" },
    { name: "a bad signature", token: await tokenFor(right, { badSignature: true }), code: "UNAUTHENTICATED" },
    { name: "an expired token", token: await tokenFor(right, { ttlS: -120 }), code: "UNAUTHENTICATED" },
    ...(await Promise.all(wrong.map(async (scope) => ({ name: `scope "${scope}"`, token: await tokenFor(scope), code: "FORBIDDEN" })))),
  ];
}

const slugOf = (parts: (string | undefined)[]) =>
  parts
    .filter((part) => part !== undefined)
    .join("-")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .toLowerCase();

type Exhaustive<A, B> = [Exclude<A, B>] extends [never] ? true : false;

describe("the matrix covers everything", () => {
  it("has a row for every /v1 route the worker serves, and the grant table names each", () => {
    const names = new Map<string, string>(Object.entries(ROUTE).map(([name, pattern]) => [pattern, name]));
    const v1 = app.routes.filter((route) => route.method !== "ALL" && route.path.startsWith("/v1/"));
    // The Durable Streams routes check a grant on the stream's own path, or on the topic of a topic
    // stream, inside their handler (PROTOCOL.md STREAM-17, AUTH-4), not through ROUTE_GRANTS; their
    // grants are tried by the conformance case stream-grants (cases/streams-auth.json). Only these
    // five may be served that way.
    const streams = v1.filter((route) => route.path === "/v1/stream/*").map((route) => route.method);
    expect(new Set(streams)).toEqual(new Set(["GET", "HEAD", "PUT", "POST", "DELETE"]));
    const served = v1
      .filter((route) => route.path !== "/v1/stream/*")
      .map((route) => `${route.method} ${names.get(route.path) ?? route.path}`);
    expect(new Set(served)).toEqual(new Set(Object.keys(ROUTE_GRANTS)));
    const socketRoutes = Object.entries(ROUTE_GRANTS).filter(([, rule]) => rule.on === "socket");
    expect(socketRoutes.map(([key]) => key).sort()).toEqual(["GET groupSocket", "GET partitionSocket"]);
    // The one route no token authenticates: an HTTP source's ingest (SOURCE-4), tried by source-auth.test.ts.
    const signedRoutes = Object.entries(ROUTE_GRANTS).filter(([, rule]) => rule.on === "signature");
    expect(signedRoutes.map(([key]) => key)).toEqual(["POST sourceEvents"]);
    const rows = new Set(HTTP_ROWS.map((row) => row.route as string));
    const tokenRoutes = served.filter((key) => ![...socketRoutes, ...signedRoutes].some(([unread]) => unread === key));
    expect(rows).toEqual(new Set(tokenRoutes));
  });

  it("has a row for every message type of both sockets", () => {
    const partitionComplete: Exhaustive<ClientMessage["type"], (typeof CLIENT_MESSAGE_TYPES)[number]> = true;
    const groupComplete: Exhaustive<GroupClientMessage["type"], (typeof GROUP_CLIENT_MESSAGE_TYPES)[number]> = true;
    expect([partitionComplete, groupComplete]).toEqual([true, true]);
    const rowTypes = (socket: SocketRow["socket"]) => new Set(SOCKET_ROWS.filter((row) => row.socket === socket).map((row) => row.type));
    expect(rowTypes("partition")).toEqual(new Set(CLIENT_MESSAGE_TYPES));
    expect(rowTypes("group")).toEqual(new Set(GROUP_CLIENT_MESSAGE_TYPES));
  });

  it("tries a token without the grant on every row but the messages that need authentication only", () => {
    const names: RowNames = { topic: "t", group: "g", member: "m" };
    expect(HTTP_ROWS.filter((row) => row.wrong(names).length === 0)).toEqual([]);
    const grantless = SOCKET_ROWS.filter((row) => row.wrong(names).length === 0).map((row) => `${row.socket} ${row.type}`);
    expect(grantless).toEqual(["partition auth", "partition hello", "partition unsubscribe", "partition consumed", "group auth"]);
  });
});

describe("every HTTP route", () => {
  for (const row of HTTP_ROWS) {
    it(`${row.route}${row.form ? ` (${row.form})` : ""}: only the right grant passes, and the others store nothing`, async () => {
      await httpRow(row);
    });
  }
});

async function httpRow(row: HttpRow): Promise<void> {
  const names = await rowNames(slugOf([row.route, row.form]), row.member ?? false);
  await row.setup?.(names, admin);
  const { route, body } = row.request(names);
  const before = await witness(names.topic, names.group, admin);
  for (const attempt of await failing(row.right(names), row.wrong(names))) {
    const res = await call(route, { token: attempt.token, body });
    const answer = (await res.json()) as { error?: { code?: string } };
    expect([attempt.name, res.status, answer.error?.code]).toEqual([attempt.name, attempt.code === "FORBIDDEN" ? 403 : 401, attempt.code]);
    expect(await witness(names.topic, names.group, admin), `${row.route} with ${attempt.name} stored something`).toEqual(before);
  }
  const res = await call(route, { token: await tokenFor(row.right(names)), body });
  expect(res.status, route).toBe(row.ok);
  if (row.form === "sse") {
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain("retry: 1000");
    await reader.cancel();
  } else await res.arrayBuffer();
}

describe("every socket message type", () => {
  for (const row of SOCKET_ROWS) {
    it(`${row.socket} socket ${row.type}${row.form ? ` (${row.form})` : ""}: only the right grant passes, and the others store nothing`, async () => {
      await socketRow(row);
    });
  }
});

function socketPathOf(row: SocketRow, names: RowNames): string {
  return row.socket === "partition" ? `/v1/topics/${names.topic}/partitions/0/ws` : `/v1/groups/${names.group}/ws`;
}

/** Opens the row's socket and authenticates with `token`, taking `authenticated` (and the partition's hello). */
async function authenticated(row: SocketRow, names: RowNames, token: string): Promise<TestSocket> {
  const sock = await openAuthSocket(socketPathOf(row, names));
  sock.send({ type: "auth", id: "a", token });
  expect((await sock.nextFrame()).message).toMatchObject({ type: "authenticated", id: "a" });
  if (row.socket === "partition") expect((await sock.nextFrame()).message.type).toBe("hello");
  return sock;
}

/** A failing attempt: refused (an error and 4401 before authentication, FORBIDDEN after) and nothing handled. */
async function refusedAttempt(row: SocketRow, names: RowNames, attempt: { token: string | null; code: string }): Promise<void> {
  if (attempt.code === "FORBIDDEN") {
    const sock = await authenticated(row, names, attempt.token!);
    sock.send(row.message(names, attempt.token!) as unknown as ClientMessage);
    expect((await sock.nextFrame()).message).toMatchObject({ type: "error", id: "m", code: "FORBIDDEN" });
    await sock.barrier();
    expect(sock.closeEvent).toBeNull();
    sock.close();
    return;
  }
  const sock = await openAuthSocket(socketPathOf(row, names));
  // No token: the message itself comes first (an auth message without a token: an empty one).
  // A bad or expired token: the socket's auth is refused, so the message is never handled.
  const first = attempt.token === null ? row.message(names, "") : { type: "auth", id: "a", token: attempt.token };
  sock.send(first as unknown as ClientMessage);
  const answer = (await sock.nextFrame()).message;
  expect(answer).toMatchObject({
    type: "error",
    code: row.type === "auth" && attempt.token === null ? "INVALID_REQUEST" : "UNAUTHENTICATED",
  });
  expect((await sock.closed()).code).toBe(4401);
}

async function socketRow(row: SocketRow): Promise<void> {
  const names = await rowNames(slugOf(["ws", row.socket, row.type, row.form]), false);
  const before = await witness(names.topic, names.group, admin);
  for (const attempt of await failing(row.right(names), row.wrong(names))) {
    await refusedAttempt(row, names, attempt);
    expect(
      await witness(names.topic, names.group, admin),
      `${row.type} with ${attempt.token ? "a token" : "no token"} stored something`,
    ).toEqual(before);
  }
  const token = await tokenFor(row.right(names));
  const sock = await authenticated(row, names, token);
  if (row.type !== "auth") {
    sock.send(row.message(names, token) as unknown as ClientMessage);
    if (row.answer === null) await sock.barrier();
    else expect((await sock.next(row.answer as "ack")).type).toBe(row.answer);
  }
  expect(sock.closeEvent).toBeNull();
  sock.close();
}
