/**
 * The topic browser served at `GET /`: one self-contained HTML page (style and script inline, no
 * external resources, so it works offline) that lists topics, a topic's partitions and a
 * partition's latest records, and can create a topic and produce a record through the `/v1` API.
 * Its header links to the example app (examples/feed, served from the static assets).
 * A Content-Security-Policy forbids loading anything but the page's own API.
 *
 * @example
 * app.get("/", (c) => c.html(TOPIC_BROWSER_HTML));
 */
import { PAGE_SCRIPT } from "./ui/page-script.ts";
import { PAGE_STYLE } from "./ui/page-style.ts";

const CSP = [
  "default-src 'none'",
  "connect-src 'self'",
  "script-src 'unsafe-inline'",
  "style-src 'unsafe-inline'",
  "img-src data:",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

/**
 * The whole topic browser page as one HTML string.
 *
 * @example
 * const res = await app.request("/", {}, env);
 * (await res.text()).includes("<title>edgelog"); // true
 */
export const TOPIC_BROWSER_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<title>edgelog · topics</title>
<link rel="icon" href="data:,">
<style>${PAGE_STYLE}</style>
</head>
<body>
<header>
  <h1>edgelog</h1><span class="sub">topic browser</span>
  <a class="example" id="example-link" href="/examples/feed/">Example app: offline-first live feed →</a>
  <span class="status" id="status" aria-live="polite"></span>
</header>
<main>
  <aside>
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
