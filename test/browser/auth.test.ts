/**
 * The client's `auth` option end to end in real Chromium (Debian's /usr/bin/chromium through
 * playwright-core) against the real worker in Miniflare with authentication required and the
 * page's origin allowed: a page whose client's `auth` is a function (tokens minted by this test,
 * HS256) subscribes and produces; its first token is refused (401) and recovered with a fresh
 * one; the next expires on the open socket, the server sends `reauth`, the client answers with a
 * fresh token on that socket, and the subscription goes on past the old token's expiry on the
 * same socket: one subscribe, every record exactly once, in order. No token is ever in a URL.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project browser test/browser/auth.test.ts
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startServer, type TestServer } from "../node/client-harness.ts";
import { type ScriptPage, servePageScript } from "../node/page-server.ts";
import { makeTempDir, ROOT, removeDir, sleep, waitFor } from "../node/runtime.ts";
import { AUTH_REQUIRED_VARS, adminRequest, mintToken } from "../node/test-tokens.ts";
import type { AuthPageState, AuthTestApi } from "./auth-page.ts";
import { callPage, describeInChromium, launchBrowser, type TestBrowser, WAIT_MS } from "./browser-harness.ts";

const TOPIC = "page-auth";
const SCOPE = "read:* write:*";
/** Past its exp by this much the server still accepts a token (30 s of skew) and closes its socket 30 s - this later. */
const EXPIRED_BY_S = 15;

function call<K extends keyof AuthTestApi & string>(page: Page, name: K, ...args: Parameters<AuthTestApi[K]>) {
  return callPage<AuthTestApi, K>(page, "authTest", name, ...args);
}

function state(page: Page): Promise<AuthPageState> {
  return call(page, "state");
}

describeInChromium("the client's auth in Chromium", () => {
  let dir = "";
  let site: ScriptPage;
  let server: TestServer;
  let browser: TestBrowser;

  beforeAll(async () => {
    dir = await makeTempDir("edgelog-auth-page-");
    site = await servePageScript(join(ROOT, "test", "browser", "auth-page.ts"), dir, "edgelog auth test");
    server = await startServer({ vars: { ...AUTH_REQUIRED_VARS, EDGELOG_ALLOWED_ORIGINS: new URL(site.url).origin } });
    browser = await launchBrowser();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    await site?.stop();
    await removeDir(dir);
  });

  it("subscribes and produces with auth as a function: a 401 recovered, a token expiring on the open socket refreshed on it", async () => {
    await adminRequest(server.url, "PUT", `/v1/topics/${TOPIC}`, { partitions: 1 });
    const page = await browser.context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    // Call 1: a token the server refuses. Then, for 5 s from call 1, one that expires on the socket; then fresh ones.
    const expiring = mintToken({ sub: "alice", scope: SCOPE, expiresInS: -EXPIRED_BY_S });
    const closesAt = Date.now() + (30 - EXPIRED_BY_S) * 1000;
    const minted: string[] = [];
    let firstAt: number | null = null;
    await page.exposeFunction("edgelogToken", async () => {
      firstAt ??= Date.now();
      const token =
        minted.length === 0
          ? await mintToken({ sub: "alice", scope: SCOPE, expiresInS: 3_600, wrongSecret: true })
          : Date.now() - firstAt < 5_000
            ? await expiring
            : await mintToken({ sub: "alice", scope: SCOPE, expiresInS: 3_600, extra: { n: minted.length } });
      minted.push(token);
      return token;
    });
    const requests: { url: string; authorization: string | null; status: number }[] = [];
    page.on("requestfinished", async (request) => {
      if (!request.url().startsWith(server.url)) return;
      const response = await request.response();
      requests.push({
        url: request.url(),
        authorization: (await request.allHeaders()).authorization ?? null,
        status: response?.status() ?? 0,
      });
    });
    await page.goto(site.url);
    await call(page, "start", server.url, TOPIC);
    expect(await call(page, "produce", TOPIC, [0, 1, 2])).toEqual([0, 1, 2].map((offset) => ({ partition: 0, offset })));

    // The socket authenticated with the expiring token, got `reauth`, and sent a fresh token on the same socket.
    await waitFor(
      "a second auth on the first socket",
      async () => ((await state(page)).sockets[0]?.sent.filter((f) => f.type === "auth").length === 2 ? true : undefined),
      WAIT_MS,
      100,
    );
    const early = await state(page);
    expect(early.sockets[0]!.sent[0]).toEqual({ type: "auth", token: await expiring });
    expect(early.sockets[0]!.sent[1]?.type).toBe("subscribe");

    // Past the moment the server would have closed the socket under the expiring token.
    await sleep(Math.max(0, closesAt - Date.now()) + 3_000);
    expect(await call(page, "produce", TOPIC, [3, 4, 5])).toEqual([3, 4, 5].map((offset) => ({ partition: 0, offset })));
    await waitFor("six records on the page", async () => ((await state(page)).records.length >= 6 ? true : undefined), WAIT_MS, 100);

    const final = await state(page);
    expect(final.records).toEqual([0, 1, 2, 3, 4, 5].map((n) => ({ partition: 0, offset: n, value: n })));
    expect(final.sockets).toHaveLength(1);
    const socket = final.sockets[0]!;
    expect(socket.closeCode).toBeNull();
    expect(socket.sent.filter((f) => f.type === "subscribe")).toHaveLength(1);
    const auths = socket.sent.filter((f) => f.type === "auth");
    expect(auths.every((f) => f.token !== undefined && minted.includes(f.token))).toBe(true);
    expect(auths[1]!.token).not.toBe(await expiring);
    expect(final.status).toBe("live");
    expect(final.role).toBe("leader");
    expect(final.errors).toEqual([]);

    // HTTP: the first request, with the refused token, was answered 401 and recovered; every request had a bearer token.
    expect(requests.length).toBeGreaterThan(0);
    expect(requests[0]).toMatchObject({ status: 401, authorization: `Bearer ${minted[0]}` });
    expect(requests.filter((r) => r.status === 401).every((r) => r.authorization === `Bearer ${minted[0]}`)).toBe(true);
    for (const request of requests) {
      expect(request.authorization).toMatch(/^Bearer /);
      for (const token of minted) expect(request.url).not.toContain(token.slice(-16));
    }
    for (const token of minted) expect(socket.url).not.toContain(token.slice(-16));
    await page.close();
  });
});
