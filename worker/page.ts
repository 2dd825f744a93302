/**
 * The topic browser served at `GET /`: one self-contained HTML page (style and script inline, no
 * external resources, so it works offline) that lists topics, a topic's partitions and a
 * partition's latest records, and can create a topic and produce a record through the `/v1` API.
 * Its header may link to an example app (this repository's examples/feed, served from its static
 * assets). The page calls the API under the path it is served at, so it works mounted. Its
 * Content-Security-Policy and other security headers are sent as headers (security-headers.ts).
 * The deployment's auth mode is written into the page: with auth required it asks for an admin
 * token (kept in sessionStorage, sent as a bearer header); with auth off a banner says so.
 *
 * @example
 * app.get("/", async (c) => c.html(topicBrowserHtml((await authConfig(c.env)).mode, {}), 200, HTML_SECURITY_HEADERS));
 */
import type { AuthMode } from "./auth/auth-config.ts";
import type { EdgelogPageOptions } from "./edgelog-options.ts";
import { PAGE_SCRIPT } from "./ui/page-script.ts";
import { PAGE_STYLE } from "./ui/page-style.ts";

const BANNERS: Record<AuthMode, string> = {
  required: "",
  off: '<p class="banner" id="auth-banner" role="status">Authentication is off (EDGELOG_AUTH=off): anyone who can reach this server can read, write and delete every topic.</p>',
  dev:
    '<p class="banner" id="auth-banner" role="status">Development mode: authentication is off (npm start sets EDGELOG_AUTH=dev). ' +
    "Anyone who can reach this server can read, write and delete every topic; a token you send is still checked.</p>",
};

const TOKEN_PANEL = `<div class="panel" id="token-panel" hidden>
  <h2>Admin token</h2>
  <form id="token-form" autocomplete="off">
    <label>Token <input id="token-input" type="password" required spellcheck="false" placeholder="eyJhbGciOi..."></label>
    <div class="row"><button type="submit">Use token</button><button type="button" class="ghost" id="token-forget">Forget</button></div>
    <p class="hint">This deployment requires a token with admin on the topics to browse (scope admin:*). It is kept in this tab only (sessionStorage). An operator mints one with npm run token -- --sub you --scope 'admin:*'.</p>
    <p class="error" id="token-error" role="alert" hidden></p>
  </form>
</div>`;

/** Text made safe inside a double-quoted HTML attribute. */
function attribute(text: string): string {
  return text.replace(/[&"<>]/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * The whole topic browser page as one HTML string, for a deployment in auth `mode`.
 *
 * @example
 * const res = await app.request("/", {}, env);
 * (await res.text()).includes("<title>edgelog"); // true
 * topicBrowserHtml("off", { exampleAppHref: "/examples/feed/" }); // with the example link
 */
export function topicBrowserHtml(mode: AuthMode, options: EdgelogPageOptions): string {
  const example =
    options.exampleAppHref === undefined
      ? ""
      : `\n  <a class="example" id="example-link" href="${attribute(options.exampleAppHref)}">Example app: offline-first live feed →</a>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>edgelog · topics</title>
<link rel="icon" href="data:,">
<style>${PAGE_STYLE}</style>
</head>
<body data-auth="${mode}">
${BANNERS[mode]}
<header>
  <h1>edgelog</h1><span class="sub">topic browser</span>${example}
  <span class="status" id="status" aria-live="polite"></span>
</header>
<main>
  <aside>
    ${TOKEN_PANEL}
    <div class="panel" id="topics-panel">
      <h2>Topics</h2>
      <div id="topics"></div>
      <p class="error" id="topics-error" role="alert" hidden></p>
    </div>
    <div class="panel" id="create-panel">
      <h2>Create topic</h2>
      <form id="create-form" autocomplete="off">
        <div class="fields">
          <label>Name <input id="create-name" required maxlength="249" pattern="[A-Za-z0-9._\\-]+" placeholder="orders" spellcheck="false"></label>
          <label>Partitions <input id="create-partitions" type="number" min="1" max="64" value="3" required></label>
        </div>
        <div class="row"><button type="submit">Create</button><span class="hint">letters, digits, . _ -</span></div>
        <p class="error" id="create-error" role="alert" hidden></p>
        <p class="note" id="create-note" role="status" hidden></p>
      </form>
    </div>
  </aside>
  <section class="main">
    <div class="panel" id="topic-panel">
      <h2>Topic <span class="name" id="topic-name"></span></h2>
      <p class="hint" id="topic-meta"></p>
      <div id="partitions"></div>
      <p class="error" id="topic-error" role="alert" hidden></p>
    </div>
    <div class="panel" id="produce-panel" hidden>
      <h2>Produce a record</h2>
      <form id="produce-form" autocomplete="off">
        <div class="fields">
          <label>Key (optional) <input id="produce-key" placeholder="user-1" spellcheck="false"></label>
          <label>Partition <select id="produce-partition"><option value="">by key</option></select></label>
        </div>
        <label>Value (JSON) <textarea id="produce-value" rows="3" spellcheck="false">{"hello": "world"}</textarea></label>
        <div class="row"><button type="submit">Produce</button></div>
        <p class="error" id="produce-error" role="alert" hidden></p>
        <p class="note" id="produce-note" role="status" hidden></p>
      </form>
    </div>
    <div class="panel" id="records-panel" hidden>
      <div class="row between">
        <h2>Partition <span class="name" id="records-partition"></span> · newest first</h2>
        <span class="hint" id="records-range"></span>
      </div>
      <div id="records"></div>
      <p class="error" id="records-error" role="alert" hidden></p>
      <div class="more">
        <button type="button" class="ghost" id="older" hidden>Load older</button>
        <span class="hint" id="log-start" hidden>Start of the log</span>
      </div>
    </div>
  </section>
</main>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
