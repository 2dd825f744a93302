/**
 * The topic browser's stylesheet: system fonts only (nothing from the network), light and dark
 * colours from `prefers-color-scheme`, and tables that fold into labelled cards on a narrow screen.
 *
 * @example
 * const html = `<style>${PAGE_STYLE}</style>`;
 */
export const PAGE_STYLE = `
:root {
  color-scheme: light dark;
  --bg: #f6f7f9; --panel: #fff; --fg: #1d2330; --muted: #667085; --line: #e3e6eb;
  --accent: #2858d6; --accent-fg: #fff; --sel: #e9effd; --err: #b42318; --err-bg: #fdecea;
  --ok: #067647; --code: #f1f3f6;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f1218; --panel: #171b23; --fg: #e4e7ec; --muted: #98a2b3; --line: #2a303b;
    --accent: #6b8ff0; --accent-fg: #0f1218; --sel: #1f2a44; --err: #ff8a80; --err-bg: #3a1d1d;
    --ok: #6ce9a6; --code: #1e232d;
  }
}
* { box-sizing: border-box; }
.banner { margin: 0; padding: 8px 20px; background: #fef0c7; color: #7a2e0e; font-weight: 600; border-bottom: 1px solid #f5c16c; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
header {
  display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap;
  padding: 12px 20px; background: var(--panel); border-bottom: 1px solid var(--line);
}
header h1 { margin: 0; font-size: 18px; letter-spacing: .2px; }
header .sub { color: var(--muted); font-size: 13px; }
header .status { margin-left: auto; color: var(--muted); font-size: 12px; }
header .example { color: var(--accent); font-size: 13px; font-weight: 600; text-decoration: none; }
header .example:hover, header .example:focus-visible { text-decoration: underline; }
main {
  display: grid; grid-template-columns: minmax(240px, 300px) minmax(0, 1fr); gap: 16px;
  padding: 16px 20px; max-width: 1400px; margin: 0 auto;
}
aside, section.main { display: flex; flex-direction: column; gap: 16px; min-width: 0; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; min-width: 0; }
.panel h2 { margin: 0 0 8px; font-size: 13px; text-transform: uppercase; letter-spacing: .6px; color: var(--muted); }
.panel h2 .name { text-transform: none; letter-spacing: 0; color: var(--fg); font-family: var(--mono); overflow-wrap: anywhere; }
/* Names may be 249 characters without a break (NAME-1): they wrap anywhere rather than widen the page. */
td.name { overflow-wrap: anywhere; word-break: break-all; max-width: 0; width: 60%; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; font-weight: 600; color: var(--muted); white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:last-child td { border-bottom: none; }
tr.pick { cursor: pointer; }
tr.pick:hover td { background: var(--code); }
tr.pick.selected td { background: var(--sel); }
tr.pick:focus-visible { outline: 2px solid var(--accent); outline-offset: -2px; }
.mono, td.key, td.value, td.headers { font-family: var(--mono); font-size: 12.5px; }
td.offset { font-family: var(--mono); font-size: 12.5px; white-space: nowrap; }
table.partitions { width: auto; min-width: min(100%, 420px); }
table.partitions td:first-child, table.partitions th:first-child { text-align: left; }
td.time { color: var(--muted); font-size: 12.5px; min-width: 84px; }
td.time span span { white-space: nowrap; }
@media (min-width: 1180px) { td.time { white-space: nowrap; } }
td.value { word-break: break-all; white-space: pre-wrap; max-width: 0; width: 50%; }
td.key { overflow-wrap: anywhere; min-width: 72px; max-width: 200px; }
td.headers { min-width: 110px; max-width: 300px; }
.nil { color: var(--muted); font-style: italic; white-space: nowrap; }
.chip {
  display: inline-block; margin: 0 4px 2px 0; padding: 0 6px; border-radius: 4px;
  background: var(--code); overflow-wrap: anywhere;
}
.empty { color: var(--muted); padding: 8px 0; }
.row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.row.between { justify-content: space-between; align-items: baseline; }
form { display: grid; gap: 8px; }
label { display: grid; gap: 3px; font-size: 12px; color: var(--muted); }
input, select, textarea, button { font: inherit; color: inherit; }
input, select, textarea {
  width: 100%; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg);
}
textarea { font-family: var(--mono); font-size: 12.5px; min-height: 64px; resize: vertical; }
input:focus, select:focus, textarea:focus { outline: 2px solid var(--accent); outline-offset: -1px; }
.fields { display: grid; grid-template-columns: minmax(0, 1fr) 110px; gap: 8px; }
button {
  padding: 6px 12px; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent);
  color: var(--accent-fg); cursor: pointer; font-weight: 600;
}
button.ghost { background: transparent; color: var(--accent); }
button.link { border: none; background: none; color: var(--accent); padding: 0 4px; font-weight: 400; font-size: 12px; }
button:disabled { opacity: .45; cursor: default; }
.error {
  margin: 8px 0 0; padding: 6px 10px; border-radius: 6px; background: var(--err-bg); color: var(--err);
  font-size: 13px; word-break: break-word;
}
.error code { font-weight: 700; margin-right: 6px; }
.note { margin: 6px 0 0; font-size: 13px; color: var(--ok); }
.hint { color: var(--muted); font-size: 12px; }
.more { text-align: center; padding-top: 10px; }
[hidden] { display: none !important; }
@media (max-width: 960px) {
  header { padding: 10px 12px; }
  main { grid-template-columns: minmax(0, 1fr); padding: 10px; gap: 10px; }
  aside, section.main { display: contents; }
  #topics-panel { order: 1; } #topic-panel { order: 2; } #records-panel { order: 3; }
  #produce-panel { order: 4; } #create-panel { order: 5; }
  .panel { padding: 10px 12px; }
  table.cards thead { display: none; }
  table.cards, table.cards tbody, table.cards tr, table.cards td { display: block; width: auto; min-width: 0; max-width: none; }
  table.cards tr { padding: 8px 0; border-bottom: 1px solid var(--line); }
  table.cards tr:last-child { border-bottom: none; }
  table.cards td { border: none; padding: 2px 0; text-align: left; display: grid; grid-template-columns: 64px minmax(0, 1fr); gap: 8px; }
  table.cards td::before { content: attr(data-label); color: var(--muted); font: 12px system-ui, sans-serif; }
}
`;
