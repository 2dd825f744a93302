/**
 * The admin console's entry point (bundled into assets/console/console.js and loaded by the page
 * at `/`): keeps what is selected (topic, tail partition, group, connector) in the URL hash,
 * refreshes the views (topics, groups, pipelines) every REFRESH_MS while the tab is visible, and
 * wires the forms and the live tail.
 *
 * @example
 * // <script src="/console/console.js" defer></script> in the page worker/page.ts serves
 */
import { setUnauthenticatedHandler } from "./api.ts";
import { byId, el } from "./dom.ts";
import { askToken, setProducePartitions, wireForms } from "./forms.ts";
import { GroupsView } from "./groups.ts";
import { mountPipelines, PipelinesView } from "./pipelines.ts";
import { LiveTail } from "./tail.ts";
import { TopicsView } from "./topics.ts";
import "./console.css";

/** How often the views refresh while the tab is visible. */
const REFRESH_MS = 2_000;

/** What the console shows, mirrored in the URL hash (`#topic=orders&partition=0&group=billing&connector=hook`). */
interface Selection {
  topic: string | null;
  partition: number;
  group: string | null;
  connector: string | null;
}

function readHash(): Selection {
  const params = new URLSearchParams(location.hash.slice(1));
  const partition = Number(params.get("partition") ?? "0");
  return {
    topic: params.get("topic"),
    partition: Number.isSafeInteger(partition) && partition >= 0 ? partition : 0,
    group: params.get("group"),
    connector: params.get("connector"),
  };
}

function writeHash(selection: Selection): void {
  const params = new URLSearchParams();
  if (selection.topic !== null) params.set("topic", selection.topic);
  if (selection.topic !== null) params.set("partition", String(selection.partition));
  if (selection.group !== null) params.set("group", selection.group);
  if (selection.connector !== null) params.set("connector", selection.connector);
  history.replaceState(null, "", `#${params.toString()}`);
}

const selection = readHash();
const tail = new LiveTail();
let tailKey = "";
let refreshing = false;

const topics = new TopicsView({
  onPick: (topic) => {
    selection.topic = topic;
    selection.partition = 0;
    changed();
  },
  onDeleted: () => {
    selection.topic = null;
    changed();
  },
});
const groups = new GroupsView({
  onPick: (group) => {
    selection.group = group;
    changed();
  },
});

const pipelines = new PipelinesView({
  onPick: (connector) => {
    selection.connector = connector;
    changed();
  },
});

function changed(): void {
  writeHash(selection);
  void refresh();
}

/** Starts the tail when the topic or partition changed, at the partition's high watermark. */
function followTail(partitions: { partition: number; highWatermark: number }[]): void {
  const picker = byId<HTMLSelectElement>("tail-pick");
  if (picker.options.length !== partitions.length)
    picker.replaceChildren(...partitions.map((p) => el("option", { value: p.partition }, `partition ${p.partition}`)));
  picker.value = String(selection.partition);
  const key = `${selection.topic}\n${selection.partition}`;
  const start = partitions.find((p) => p.partition === selection.partition);
  if (key === tailKey || selection.topic === null || start === undefined) return;
  tailKey = key;
  // A few records back, so the tail is not empty on a quiet partition.
  tail.start(selection.topic, selection.partition, Math.max(0, start.highWatermark - 10));
}

async function refresh(): Promise<void> {
  if (refreshing) return;
  refreshing = true;
  try {
    const now = Date.now();
    const [description] = await Promise.all([
      topics.refresh(selection.topic, now),
      groups.refresh(selection.group, now),
      pipelines.refresh(selection.connector),
    ]);
    byId("produce-panel").hidden = description === null;
    byId("tail-panel").hidden = description === null;
    if (description === null) {
      tail.stop();
      tailKey = "";
    } else {
      setProducePartitions(description.partitions.length);
      followTail(description.partitions);
    }
    byId("status").textContent = `updated ${new Date(now).toLocaleTimeString()}`;
  } finally {
    refreshing = false;
  }
}

mountPipelines();
setUnauthenticatedHandler(askToken);
wireForms({
  selectedTopic: () => selection.topic,
  onChange: () => void refresh(),
  onCreated: (topic) => {
    selection.topic = topic;
    selection.partition = 0;
    changed();
  },
});
byId<HTMLSelectElement>("tail-pick").addEventListener("change", (event) => {
  selection.partition = Number((event.target as HTMLSelectElement).value);
  changed();
});
window.addEventListener("hashchange", () => {
  Object.assign(selection, readHash());
  void refresh();
});
setInterval(() => {
  if (document.visibilityState === "visible") void refresh();
}, REFRESH_MS);
void refresh();
