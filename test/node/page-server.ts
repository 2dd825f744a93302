/**
 * Serves one bundled script on a blank page from 127.0.0.1, so code under test runs in a real
 * browser with a real origin (IndexedDB, Web Locks and BroadcastChannel need one) and no edgelog
 * server. The entry is bundled with esbuild into `dir`; functions it puts on `globalThis` are
 * called with playwright's `page.evaluate`. Used by the browser cache tests and bench scenario 6.
 * A TSX entry works too (esbuild takes the JSX setting from the nearest tsconfig), and
 * `development` bundles React's development build (StrictMode's double mount runs only there).
 *
 * @example
 * const site = await servePageScript(join(ROOT, "test", "browser", "cache-page.ts"), dir);
 * await page.goto(site.url);
 * await site.stop();
 */
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { basename, join } from "node:path";
import { build } from "esbuild";

/**
 * A page serving a bundled script.
 *
 * @example
 * const { url, stop } = await servePageScript(entry, dir);
 */
export interface ScriptPage {
  /** The page's URL (its script is `/page.js`). */
  url: string;
  stop(): Promise<void>;
}

/**
 * How the page script is bundled.
 *
 * @example
 * await servePageScript(entry, dir, "react test", { development: true });
 */
export interface PageScriptOptions {
  /** Not minified, with `process.env.NODE_ENV` "development" (React's checks and StrictMode's double mount). */
  development?: boolean;
}

/**
 * Bundles `entry` into `dir` and serves it with an empty page on a free 127.0.0.1 port.
 *
 * @example
 * const page = await servePageScript(join(ROOT, "bench", "scenarios", "browser-cache-page.ts"), dir);
 */
export async function servePageScript(entry: string, dir: string, title = "edgelog", options: PageScriptOptions = {}): Promise<ScriptPage> {
  const script = join(dir, `${basename(entry).replace(/\.tsx?$/, "")}.js`);
  const mode = options.development === true ? "development" : "production";
  await build({
    entryPoints: [entry],
    bundle: true,
    format: "iife",
    target: "es2022",
    minify: mode === "production",
    define: { "process.env.NODE_ENV": JSON.stringify(mode) },
    outfile: script,
    logLevel: "warning",
  });
  const js = await readFile(script);
  const html = `<!doctype html><meta charset="utf-8"><title>${title}</title><script src="/page.js"></script>`;
  const server: Server = createServer((request, response) => {
    if (request.url === "/page.js") {
      response.writeHead(200, { "content-type": "text/javascript", "cache-control": "no-store" });
      response.end(js);
    } else if (request.url === "/" || request.url?.startsWith("/?")) {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      response.end(html);
    } else {
      response.writeHead(404).end();
    }
  });
  return listenOnFreePort(server);
}

/**
 * Starts `server` on a free 127.0.0.1 port; `stop` closes the connections Chromium keeps open
 * first (close() alone waits for them).
 *
 * @example
 * const site = await listenOnFreePort(createServer(handler));
 */
export async function listenOnFreePort(server: Server): Promise<ScriptPage> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0 }, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the page server has no port");
  return {
    url: `http://127.0.0.1:${address.port}/`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
