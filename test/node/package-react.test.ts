/**
 * The packed tarball in a Vite + React app, as a user builds one: `npm install <tarball> react
 * react-dom vite` in a fresh directory, `vite build` of a page using `edgelog/react` under
 * StrictMode (no plugin: Vite's own JSX transform), then the built page in real Chromium against
 * edgelog under Miniflare: it renders live records, produces from a button, and the bundle holds no
 * server framework.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/package-react.test.ts
 */
import { readdir, readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./chromium.ts";
import { requestJson } from "./http-api.ts";
import { makeTempDir, removeDir } from "./local-env.ts";
import { usePackedApp } from "./packed-package.ts";
import { listenOnFreePort, type ScriptPage } from "./page-server.ts";
import { useScratchRuntime } from "./scratch-runtime.ts";

const TOPIC = "chat";
const runtime = useScratchRuntime("edgelog-package-react-", { [TOPIC]: 1 });
const app = usePackedApp({ extraDependencies: ["react", "react-dom", "vite"] });

const INDEX_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>chat</title></head>
<body><div id="root"></div><script type="module" src="/src/main.tsx"></script></body></html>
`;

/** The app's page, as the README shows it: the provider with options, four hooks, StrictMode. */
const MAIN_TSX = `
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { EdgelogProvider, useOutbox, useProduce, useRecords, useStatus } from "edgelog/react";

type Message = { text: string };
const url = new URLSearchParams(location.search).get("server") ?? location.origin;

function Chat() {
  const status = useStatus();
  const { records } = useRecords<Message>("${TOPIC}", { limit: 50 });
  const { count } = useOutbox();
  const { produce, error } = useProduce<Message>("${TOPIC}");
  return (
    <main>
      <p id="status">{status}</p>
      <p id="outbox">{count}</p>
      <p id="error">{error?.code ?? ""}</p>
      <ul id="records">{records.map((r) => <li key={\`\${r.partition}:\${r.offset}\`}>{r.value.text}</li>)}</ul>
      <button id="say" type="button" onClick={() => void produce({ value: { text: "hello from vite" } })}>say hello</button>
    </main>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <EdgelogProvider options={{ url, dbName: "vite-chat" }}>
      <Chat />
    </EdgelogProvider>
  </StrictMode>,
);
`;

const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css" };

/** Serves a built folder on a free 127.0.0.1 port (the app's `vite preview`, without its CLI). */
function serveFolder(dir: string): Promise<ScriptPage> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://x").pathname;
    const file = join(dir, path === "/" ? "index.html" : path);
    if (!file.startsWith(dir)) return void response.writeHead(404).end();
    readFile(file).then(
      (body) => response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  return listenOnFreePort(server);
}

let context: BrowserContext | null = null;
let profile: string | null = null;
afterAll(async () => {
  await context?.close();
  if (profile !== null) await removeDir(profile);
});

describe("the packed tarball in a Vite + React app", () => {
  it("vite build bundles edgelog/react (and no server framework), and the page runs in Chromium", async () => {
    await app().write("index.html", INDEX_HTML);
    await app().write("src/main.tsx", MAIN_TSX);
    // As a user runs it: vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
    await app().run("npx", ["vite", "build", "--logLevel", "warn"], { env: { NODE_ENV: "production" }, timeoutMs: 120_000 });

    const assets = join(app().dir, "dist", "assets");
    const scripts = (await readdir(assets)).filter((file) => file.endsWith(".js"));
    expect(scripts.length).toBeGreaterThan(0);
    const bundle = (await Promise.all(scripts.map((file) => readFile(join(assets, file), "utf8")))).join("\n");
    expect(bundle).toContain("useSyncExternalStore"); // React is in, its production build
    expect(bundle).not.toContain("React DevTools");
    for (const server of ["hono", "jose", "HTTPException"]) expect(bundle.includes(server), server).toBe(false);

    const site = await serveFolder(join(app().dir, "dist"));
    try {
      profile = await makeTempDir("edgelog-vite-profile-");
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: [...CHROMIUM_ARGS],
        timeout: 60_000,
      });
      const page = await context.newPage();
      const failures: string[] = [];
      page.on("pageerror", (error) => failures.push(error.message));
      await page.goto(`${site.url}?server=${encodeURIComponent(runtime().url)}`);
      await page.waitForFunction(() => document.querySelector("#status")?.textContent === "live", null, { timeout: 30_000 });
      await page.click("#say");
      await page.waitForFunction(() => document.querySelector("#records")?.textContent === "hello from vite", null, { timeout: 30_000 });
      await page.waitForFunction(() => document.querySelector("#outbox")?.textContent === "0", null, { timeout: 30_000 });
      expect(await page.textContent("#error")).toBe("");
      expect(failures).toEqual([]);
      const stored = await requestJson<{ records: { value: unknown }[] }>(
        "GET",
        `${runtime().url}/v1/topics/${TOPIC}/partitions/0/records?offset=earliest`,
      );
      expect(stored.body.records.map((r) => r.value)).toEqual([{ text: "hello from vite" }]);
    } finally {
      await site.stop();
    }
  });
});
