/**
 * The topic browser's script (plain browser JavaScript, kept as a string so the Worker serves it
 * inline). It builds every node with `createElement` and `textContent` (never `innerHTML`), so
 * topic names, keys, values and headers can hold anything. It reads the public `/v1` API only, under
 * the path the page is served at (where an app mounts edgelog), refreshes every 2 s while the tab
 * is visible, and keeps the view in the URL hash (`#topic=orders&partition=2`). Written without backticks or dollar-brace so it can live in a
 * template literal.
 *
 * @example
 * const html = `<body>...<script>${PAGE_SCRIPT}</script></body>`;
 */
export const PAGE_SCRIPT = `
"use strict";
(() => {
  const PAGE_RECORDS = 25;       // records per page of the records table
  const REFRESH_MS = 2000;       // refresh period while the tab is visible
  const DESCRIBE_TOPICS_MAX = 100; // topics whose record totals are read on each refresh
  const DESCRIBE_PARALLEL = 6;   // topic descriptions asked at once
  const VALUE_CHARS_SHOWN = 300; // longer values are cut until expanded
  const REQUEST_TIMEOUT_MS = 10000; // a hung request must not stall the refresh loop
  const $ = (id) => document.getElementById(id);
  // The path edgelog is mounted at ("" at the root, "/events" in an app that mounts it there):
  // the page is served at the mount point, and the API lives under it.
  let BASE = location.pathname;
  while (BASE.endsWith("/")) BASE = BASE.slice(0, -1);

  const state = {
    topics: [], descs: new Map(), topicErrors: new Map(),
    topic: null, partition: 0, desc: null, view: 0,
    records: [], next: 0, oldest: 0, loaded: null, expanded: new Set(), updated: null,
  };

  const apiError = (code, message) => Object.assign(new Error(message), { code });
  // The admin token (when auth is required): pasted once, kept in this tab's sessionStorage.
  const TOKEN_KEY = "edgelog.token";
  const tokenStore = { get: () => { try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; } },
    set: (t) => { try { if (t) sessionStorage.setItem(TOKEN_KEY, t); else sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* storage off */ } } };
  function askToken(message) {
    $("token-panel").hidden = false;
    const el = $("token-error"); el.textContent = message || ""; el.hidden = !message;
  }
  // Calls the API; any failure throws an error with the server's code (or NETWORK, TIMEOUT, HTTP_<status>).
  async function api(method, path, body) {
    const init = { method, headers: { accept: "application/json" }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
    const token = tokenStore.get();
    if (token) init.headers.authorization = "Bearer " + token;
    if (body !== undefined) { init.headers["content-type"] = "application/json"; init.body = JSON.stringify(body); }
    let res, text;
    try { res = await fetch(BASE + path, init); text = await res.text(); } catch (e) {
      throw e.name === "TimeoutError" ? apiError("TIMEOUT", "no answer within " + REQUEST_TIMEOUT_MS / 1000 + " s (a write may still have happened)") : apiError("NETWORK", "no answer from the server (" + e.message + ")");
    }
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { /* not JSON: reported below */ }
    if (!res.ok || (text && data === null)) {
      const err = data && typeof data === "object" && data.error;
      if (err && err.code === "UNAUTHENTICATED") askToken(String(err.message || ""));
      if (err && err.code) throw apiError(String(err.code), String(err.message || ""));
      throw apiError("HTTP_" + res.status, text.slice(0, 200) || res.statusText);
    }
    return { status: res.status, data };
  }
  const topicPath = (name) => "/v1/topics/" + encodeURIComponent(name);

  // Builds an element; strings become text nodes, so nothing is ever parsed as HTML.
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") el.className = v;
      else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
    return el;
  }
  function showError(el, err) {
    el.replaceChildren(...(err ? [h("code", null, err.code || "ERROR"), err.message || String(err)] : []));
    el.hidden = !err;
  }
  function note(el, ...parts) { el.replaceChildren(...parts); el.hidden = parts.length === 0; }
  // Replaces el's content only when what it shows changed, so text selection and focus survive refreshes.
  function renderIf(el, signature, build) {
    if (el.dataset.sig === signature) return;
    const focused = document.activeElement && el.contains(document.activeElement) ? document.activeElement.dataset.k : null;
    el.dataset.sig = signature;
    el.replaceChildren(build());
    if (focused !== null) { const again = el.querySelector('[data-k="' + CSS.escape(focused) + '"]'); if (again) again.focus(); }
  }
  const fmt = (n) => (typeof n === "number" ? n.toLocaleString("en-US") : "?");
  const pad = (n, w) => String(n).padStart(w || 2, "0");
  function fmtTime(ms) { // local time, "2026-04-20 13:05:09.123"
    const d = new Date(ms);
    return Number.isNaN(d.getTime()) ? String(ms) : d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " +
      pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) + "." + pad(d.getMilliseconds(), 3);
  }
  const recordCount = (desc) => desc.partitions.reduce((sum, p) => sum + (p.highWatermark - p.logStartOffset), 0);
  // A clickable, keyboard-reachable table row.
  function pickRow(key, selected, onpick, cells) {
    const go = (e) => { if (e.type === "click" || e.key === "Enter" || e.key === " ") { e.preventDefault(); onpick(); } };
    return h("tr", { class: "pick" + (selected ? " selected" : ""), tabindex: 0, "data-k": key, "aria-selected": selected ? "true" : "false", onclick: go, onkeydown: go }, cells);
  }
  const td = (label, cls, ...content) => h("td", { "data-label": label, class: cls }, ...content);

  // ---- loading ----------------------------------------------------------------------------
  // The topic list, then each topic's description (the list has no offsets), DESCRIBE_PARALLEL at a time.
  async function loadTopics() {
    try {
      state.topics = (await api("GET", "/v1/topics")).data.topics;
      showError($("topics-error"), null);
    } catch (e) { showError($("topics-error"), e); }
    const names = state.topics.slice(0, DESCRIBE_TOPICS_MAX).map((t) => t.name);
    const descs = new Map(), errors = new Map();
    const worker = async () => {
      for (let name = names.shift(); name !== undefined; name = names.shift()) {
        try { descs.set(name, (await api("GET", topicPath(name))).data); } catch (e) { errors.set(name, e); }
      }
    };
    await Promise.all(Array.from({ length: DESCRIBE_PARALLEL }, worker));
    state.descs = descs; state.topicErrors = errors;
  }
  // Records with from <= offset < to, oldest first (several reads when a byte cap cuts one short).
  async function readRange(from, to) {
    const out = [];
    let at = from;
    while (at < to) {
      const page = (await api("GET", topicPath(state.topic) + "/partitions/" + state.partition + "/records?offset=" + at + "&limit=" + (to - at))).data;
      for (const r of page.records) if (r.offset >= at && r.offset < to) out.push(r);
      if (page.records.length === 0 || page.nextOffset <= at) break;
      at = page.nextOffset;
    }
    return out;
  }
  async function loadTopic() {
    const view = state.view;
    let desc = state.descs.get(state.topic) || null, error = null;
    try { desc = desc || (await api("GET", topicPath(state.topic))).data; } catch (e) { error = e; }
    if (view !== state.view) return;
    showError($("topic-error"), error);
    state.desc = desc;
    if (!desc) return;
    const bounds = desc.partitions[state.partition];
    if (!bounds) { state.records = []; state.loaded = null; showError($("records-error"), { code: "UNKNOWN_PARTITION", message: "this topic has no partition " + state.partition }); return; }
    try {
      await loadRecords(bounds, desc.createdAt, view);
      if (view === state.view) showError($("records-error"), null);
    } catch (e) {
      if (view !== state.view) return;
      if (e.code === "OFFSET_OUT_OF_RANGE") state.loaded = null; // retention moved the start: start over next time
      showError($("records-error"), e);
    }
  }
  async function loadRecords(bounds, createdAt, view) {
    const key = state.topic + "/" + state.partition + "@" + createdAt, lso = bounds.logStartOffset, hw = bounds.highWatermark;
    // A new view, a re-created topic, or too much news: read the latest page afresh.
    if (state.loaded !== key || hw < state.next || hw - state.next > PAGE_RECORDS * 4) {
      const from = Math.max(lso, hw - PAGE_RECORDS), fresh = await readRange(from, hw);
      if (view === state.view) Object.assign(state, { records: fresh.reverse(), oldest: from, next: hw, loaded: key });
      return;
    }
    if (hw > state.next) {
      const news = await readRange(state.next, hw);
      if (view !== state.view) return;
      state.records = news.reverse().concat(state.records); state.next = hw;
    }
    if (lso > state.oldest) { // retention or a delete-records dropped the oldest ones
      state.records = state.records.filter((r) => r.offset >= lso); state.oldest = lso;
    }
  }
  async function loadOlder() {
    const bounds = state.desc && state.desc.partitions[state.partition];
    if (!bounds || state.oldest <= bounds.logStartOffset) return;
    const view = state.view, from = Math.max(bounds.logStartOffset, state.oldest - PAGE_RECORDS);
    try {
      const older = await readRange(from, state.oldest);
      if (view !== state.view) return;
      state.records = state.records.concat(older.reverse()); state.oldest = from;
      showError($("records-error"), null);
    } catch (e) { if (view === state.view) showError($("records-error"), e); }
  }

  // ---- rendering ----------------------------------------------------------------------------
  function renderTopics() {
    const rows = state.topics.map((t) => {
      const d = state.descs.get(t.name), err = state.topicErrors.get(t.name);
      return [t.name, t.partitions, d ? recordCount(d) : null, err ? err.code + ": " + err.message : null];
    });
    renderIf($("topics"), JSON.stringify([rows, state.topic]), () => {
      if (rows.length === 0) return h("p", { class: "empty" }, "No topics yet. Create one below.");
      return h("table", null,
        h("thead", null, h("tr", null, h("th", null, "Topic"), h("th", { class: "num" }, "Partitions"), h("th", { class: "num" }, "Records"))),
        h("tbody", null, rows.map(([name, parts, total, err]) => pickRow(name, name === state.topic, () => select(name, 0), [
          h("td", { class: "mono name" }, name), h("td", { class: "num" }, parts),
          h("td", { class: "num", title: err || (total === null ? "not counted: only the first " + DESCRIBE_TOPICS_MAX + " topics are" : null) }, total === null ? "?" : fmt(total)),
        ]))));
    });
  }
  function renderTopic() {
    const d = state.desc;
    $("topic-name").textContent = state.topic || "";
    $("records-panel").hidden = $("produce-panel").hidden = !d;
    if (!d) {
      $("topic-meta").textContent = "";
      renderIf($("partitions"), String(state.topic), () => h("p", { class: "empty" }, state.topic ? "" : "Pick a topic to see its partitions and records."));
      return;
    }
    const cfg = d.config || {}, retention = cfg["retention.ms"];
    $("topic-meta").textContent = "created " + fmtTime(d.createdAt) + " · " + fmt(recordCount(d)) + " records · retention " +
      (retention === undefined || retention < 0 ? "forever" : fmt(retention) + " ms") + " · " + (cfg["message.timestamp.type"] || "CreateTime");
    renderIf($("partitions"), JSON.stringify([d.partitions, state.partition, state.topic]), () => h("table", { class: "partitions" },
      h("thead", null, h("tr", null, ["Partition", "Log start", "High watermark", "Records"].map((t) => h("th", { class: "num" }, t)))),
      h("tbody", null, d.partitions.map((p) => pickRow(String(p.partition), p.partition === state.partition, () => select(state.topic, p.partition), [
        td("Partition", "num", p.partition), td("Log start", "num", fmt(p.logStartOffset)),
        td("High wm", "num", fmt(p.highWatermark)), td("Records", "num", fmt(p.highWatermark - p.logStartOffset)),
      ])))));
    const sel = $("produce-partition");
    if (sel.options.length !== d.partitions.length + 1) {
      const keep = sel.value;
      sel.replaceChildren(h("option", { value: "" }, "by key"), ...d.partitions.map((p) => h("option", { value: p.partition }, "partition " + p.partition)));
      sel.value = Number(keep) < d.partitions.length ? keep : "";
    }
  }
  function valueCell(r) {
    const json = JSON.stringify(r.value);
    if (json.length <= VALUE_CHARS_SHOWN) return td("Value", "value", json);
    const open = state.expanded.has(r.offset);
    const toggle = () => { if (open) state.expanded.delete(r.offset); else state.expanded.add(r.offset); renderRecords(); };
    return td("Value", "value", h("span", null, open ? json : json.slice(0, VALUE_CHARS_SHOWN) + "…",
      h("button", { type: "button", class: "link", onclick: toggle }, open ? "less" : "more (" + fmt(json.length) + " chars)")));
  }
  function renderRecords() {
    const bounds = state.desc && state.desc.partitions[state.partition];
    const rs = bounds ? state.records : [];
    $("records-partition").textContent = String(state.partition);
    $("records-range").textContent = !bounds || rs.length === 0 ? "" : "offsets " + fmt(rs[rs.length - 1].offset) + "–" + fmt(rs[0].offset) + " of " + fmt(bounds.logStartOffset) + "–" + fmt(bounds.highWatermark - 1);
    const older = $("older");
    older.hidden = !bounds || state.oldest <= bounds.logStartOffset;
    $("log-start").hidden = !older.hidden || rs.length === 0;
    const sig = JSON.stringify([state.loaded, rs.length, rs.length ? rs[0].offset : -1, state.oldest, Array.from(state.expanded)]);
    renderIf($("records"), sig, () => {
      if (rs.length === 0) return h("p", { class: "empty" }, bounds ? "No records in this partition yet." : "");
      return h("table", { class: "cards" },
        h("thead", null, h("tr", null, h("th", { class: "num" }, "Offset"), ["Time", "Key", "Value", "Headers"].map((t) => h("th", null, t)))),
        h("tbody", null, rs.map((r) => {
          const heads = Object.entries(r.headers || {});
          return h("tr", null,
            td("Offset", "num offset", r.offset),
            h("td", { "data-label": "Time", class: "time", title: new Date(r.timestamp).toISOString() + " (" + r.timestamp + ")" }, h("span", null, h("span", null, fmtTime(r.timestamp).slice(0, 10)), " ", h("span", null, fmtTime(r.timestamp).slice(11)))),
            td("Key", "key", r.key === null ? h("span", { class: "nil" }, "null") : r.key),
            valueCell(r),
            td("Headers", "headers", heads.length === 0 ? h("span", { class: "nil" }, "—") : heads.map(([k, v]) => h("span", { class: "chip" }, k + "=" + v))));
        })));
    });
  }
  const setStatus = () => { $("status").textContent = document.hidden ? "paused" : state.updated ? "live · updated " + fmtTime(state.updated).slice(11, 19) : ""; };
  function renderAll() { renderTopics(); renderTopic(); renderRecords(); setStatus(); }

  // ---- actions --------------------------------------------------------------------------------
  let chain = Promise.resolve();
  const serial = (fn) => (chain = chain.then(fn).catch((e) => console.error(e)));
  async function refresh() {
    await loadTopics();
    if (state.topic) await loadTopic();
    state.updated = Date.now();
    renderAll();
  }
  function readHash() {
    const q = new URLSearchParams(location.hash.slice(1));
    const p = Number(q.get("partition") || 0);
    return { topic: q.get("topic") || null, partition: Number.isInteger(p) && p >= 0 ? p : 0 };
  }
  function select(topic, partition) {
    if (topic === state.topic && partition === state.partition) return;
    state.view++; state.topic = topic; state.partition = partition;
    state.desc = topic ? state.descs.get(topic) || null : null;
    state.records = []; state.loaded = null; state.next = 0; state.oldest = 0; state.expanded.clear();
    showError($("topic-error"), null); showError($("records-error"), null); note($("produce-note"));
    const hash = topic ? "#topic=" + encodeURIComponent(topic) + "&partition=" + partition : "";
    if (location.hash !== hash) history.replaceState(null, "", hash || location.pathname);
    renderAll();
    serial(refresh);
  }
  $("older").addEventListener("click", (e) => {
    e.target.disabled = true;
    serial(async () => { await loadOlder(); renderRecords(); e.target.disabled = false; });
  });
  $("create-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const name = $("create-name").value.trim(), partitions = Number($("create-partitions").value);
    showError($("create-error"), null); note($("create-note"));
    // "." and ".." would be resolved away as URL path segments before reaching the API.
    if (name === "." || name === "..") return showError($("create-error"), { code: "INVALID_TOPIC_NAME", message: "a topic may not be named . or .." });
    serial(async () => {
      try {
        const res = await api("PUT", topicPath(name), { partitions });
        note($("create-note"), res.status === 201 ? "Created " + name + " with " + partitions + " partition" + (partitions === 1 ? "." : "s.") : name + " already exists with these settings.");
        $("create-name").value = "";
        select(name, 0);
      } catch (err) { showError($("create-error"), err); }
    });
  });
  $("produce-form").addEventListener("submit", (e) => {
    e.preventDefault();
    showError($("produce-error"), null); note($("produce-note"));
    const record = {};
    try { record.value = JSON.parse($("produce-value").value); } catch (err) { showError($("produce-error"), { code: "INVALID_JSON", message: "the value is not JSON: " + err.message }); return; }
    const key = $("produce-key").value;
    if (key !== "") record.key = key;
    if ($("produce-partition").value !== "") record.partition = Number($("produce-partition").value);
    const topic = state.topic;
    serial(async () => {
      try {
        const at = (await api("POST", topicPath(topic) + "/records", { records: [record] })).data.offsets[0];
        const other = at.partition !== state.partition;
        note($("produce-note"), "Appended to partition " + at.partition + " at offset " + at.offset + ". ",
          other ? h("button", { type: "button", class: "link", onclick: () => select(topic, at.partition) }, "Show partition " + at.partition) : "");
        await refresh();
      } catch (err) { showError($("produce-error"), err); }
    });
  });

  // ---- refresh loop: every REFRESH_MS while the tab is visible ---------------------------------
  let timer = 0, ticking = false;
  function tick() {
    clearTimeout(timer);
    if (ticking || document.hidden) return;
    ticking = true;
    serial(refresh).then(() => { ticking = false; if (!document.hidden) timer = setTimeout(tick, REFRESH_MS); });
  }
  document.addEventListener("visibilitychange", () => { if (document.hidden) { clearTimeout(timer); setStatus(); } else tick(); });
  window.addEventListener("hashchange", () => { const v = readHash(); select(v.topic, v.partition); });
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    tokenStore.set($("token-input").value.trim());
    $("token-input").value = "";
    $("token-panel").hidden = true;
    tick();
  });
  $("token-forget").addEventListener("click", () => { tokenStore.set(null); askToken(""); });
  if (document.body.dataset.auth === "required" && !tokenStore.get()) askToken("");
  Object.assign(state, readHash());
  renderAll();
  tick();
})();
`;
