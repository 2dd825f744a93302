/**
 * The admin console served at `GET /`: the page's markup only. Its script and stylesheet are the
 * typed TypeScript in console/ (topics, groups with lag, live tail, produce, deletes, uPlot charts),
 * bundled by esbuild into the Worker's static assets (assets/console/, `npm run build:examples`)
 * and loaded same-origin, so the page's Content-Security-Policy allows no inline script or style
 * (security-headers.ts). The page calls the API under the path it is served at, so it works mounted
 * (an app that mounts edgelog serves assets/console/ too: at CONSOLE_ASSETS_PATH, or where its
 * `consoleAssetsHref` page option says).
 * The deployment's auth mode is written into the page: with auth required it asks for an admin
 * token (kept in sessionStorage, sent as a bearer header); with auth off a banner says so.
 *
 * @example
 * app.get("/", async (c) => c.html(topicBrowserHtml((await authConfig(c.env)).mode, {}), 200, HTML_SECURITY_HEADERS));
 */
import type { AuthMode } from "./auth/auth-config.ts";
import type { EdgelogPageOptions } from "./edgelog-options.ts";
import { CONSOLE_PANELS } from "./ui/console-panels.ts";

/**
 * Where the console's bundled script and stylesheet are served (the Worker's static assets).
 *
 * @example
 * `${CONSOLE_ASSETS_PATH}console.js`; // "/console/console.js"
 */
export const CONSOLE_ASSETS_PATH = "/console/";

const BANNERS: Record<AuthMode, string> = {
  required: "",
  off: '<p class="banner" id="auth-banner" role="status">Authentication is off (EDGELOG_AUTH=off): anyone who can reach this server can read, write and delete every topic.</p>',
  dev:
    '<p class="banner" id="auth-banner" role="status">Development mode: authentication is off (npm start sets EDGELOG_AUTH=dev). ' +
    "Anyone who can reach this server can read, write and delete every topic; a token you send is still checked.</p>",
};

const TOKEN_PANEL = `<div class="panel token" id="token-panel" hidden>
  <h2>Admin token</h2>
  <form id="token-form" autocomplete="off">
    <label>Token <input id="token-input" type="password" required spellcheck="false" placeholder="eyJhbGciOi..."></label>
    <div class="row"><button type="submit">Use token</button><button type="button" class="ghost" id="token-forget">Forget</button></div>
    <p class="hint">This deployment requires a token with admin on the topics to browse and group on the groups (scope admin:* group:*). It is kept in this tab only (sessionStorage). An operator mints one with npx edgelog token --sub you --scope 'admin:* group:*'.</p>
    <p class="error" id="token-error" role="alert" hidden></p>
  </form>
</div>`;

/** Text made safe inside a double-quoted HTML attribute. */
function attribute(text: string): string {
  return text.replace(/[&"<>]/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * The whole admin console page as one HTML string, for a deployment in auth `mode`.
 *
 * @example
 * const res = await app.request("/", {}, env);
 * (await res.text()).includes("<title>edgelog"); // true
 * topicBrowserHtml("off", { exampleAppHref: "/examples/feed/" }); // with the example link
 */
export function topicBrowserHtml(mode: AuthMode, options: EdgelogPageOptions): string {
  const assets = attribute(options.consoleAssetsHref ?? CONSOLE_ASSETS_PATH);
  const example =
    options.exampleAppHref === undefined
      ? ""
      : `\n  <a class="example" id="example-link" href="${attribute(options.exampleAppHref)}">Example app: offline-first live feed →</a>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>edgelog · console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${assets}console.css">
<script src="${assets}console.js" defer></script>
</head>
<body data-auth="${mode}">
${BANNERS[mode]}
<header>
  <h1>edgelog</h1><span class="sub">admin console</span>${example}
  <span class="status" id="status" aria-live="polite"></span>
</header>
${TOKEN_PANEL}
${CONSOLE_PANELS}
</body>
</html>
`;
}
