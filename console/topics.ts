/**
 * The topics view: the topic list (partitions, records, config), the selected topic's partitions
 * (offsets, stored bytes, sockets, from each partition's stats), its retention and compaction
 * settings, the throughput chart, and deleting records or the topic (each after a confirmation).
 *
 * @example
 * const view = new TopicsView({ onPick: (name) => select(name) });
 * await view.refresh(selectedTopic);
 */
import { api, topicPath } from "./api.ts";
import { LineChart } from "./charts.ts";
import { byId, confirmAction, el, fmt, fmtBytes, pickRow, showError, table } from "./dom.ts";
import { type CounterReading, ratesBetween, SampleSeries } from "./series.ts";
import type { PartitionStatsResponse, TopicDescription, TopicSummary } from "./types.ts";

/** Topics listed (the rest are counted, not shown). */
const TOPICS_SHOWN_MAX = 200;

/** Partitions whose stats are read on each refresh of the selected topic. */
const STATS_PARTITIONS_MAX = 64;

/** The settings shown for a topic, in order. */
const CONFIG_KEYS = [
  "cleanup.policy",
  "retention.ms",
  "retention.bytes",
  "min.compaction.lag.ms",
  "delete.retention.ms",
  "min.cleanable.dirty.ratio",
] as const;

/**
 * What the topics view tells the page.
 *
 * @example
 * const options: TopicsViewOptions = { onPick: (topic) => select(topic), onDeleted: () => select(null) };
 */
export interface TopicsViewOptions {
  /** A topic row was picked. */
  onPick: (topic: string) => void;
  /** The selected topic was deleted. */
  onDeleted: () => void;
}

/**
 * The topics panels and the throughput chart.
 *
 * @example
 * new TopicsView({ onPick: () => undefined, onDeleted: () => undefined });
 */
export class TopicsView {
  readonly #options: TopicsViewOptions;
  #chartTopic: string | null = null;
  #records: LineChart | null = null;
  #bytes: LineChart | null = null;
  #series = new SampleSeries(2);
  #bytesSeries = new SampleSeries(1);
  #last: CounterReading | null = null;

  /**
   * A view reporting picks and deletions through `options`.
   *
   * @example
   * new TopicsView({ onPick, onDeleted });
   */
  constructor(options: TopicsViewOptions) {
    this.#options = options;
  }

  /**
   * Reloads the topic list and, when `selected` is set, that topic's details and a chart sample.
   *
   * @example
   * await view.refresh("orders", Date.now());
   */
  async refresh(selected: string | null, nowMs: number): Promise<TopicDescription | null> {
    try {
      const { topics } = await api<{ topics: TopicSummary[] }>("GET", "/v1/topics");
      this.#renderList(topics, selected);
      showError(byId("topics-error"), null);
    } catch (error) {
      showError(byId("topics-error"), error);
    }
    byId("topic-panel").hidden = selected === null;
    if (selected === null) return null;
    try {
      const description = await api<TopicDescription>("GET", topicPath(selected));
      const stats = await Promise.all(
        description.partitions
          .slice(0, STATS_PARTITIONS_MAX)
          .map((p) => api<PartitionStatsResponse>("GET", `${topicPath(selected)}/partitions/${p.partition}/stats`)),
      );
      this.#renderTopic(description, stats);
      this.#sample(selected, stats, nowMs);
      showError(byId("topic-error"), null);
      return description;
    } catch (error) {
      showError(byId("topic-error"), error);
      return null;
    }
  }

  #renderList(topics: TopicSummary[], selected: string | null): void {
    const rows = topics
      .slice(0, TOPICS_SHOWN_MAX)
      .map((topic) =>
        pickRow(
          { "data-topic": topic.name },
          topic.name === selected,
          () => this.#options.onPick(topic.name),
          el("td", {}, topic.name),
          el("td", { class: "num" }, fmt(topic.partitions)),
          el("td", {}, topic.config["cleanup.policy"] ?? "delete"),
        ),
      );
    const more =
      topics.length > TOPICS_SHOWN_MAX ? el("p", { class: "hint" }, `${fmt(topics.length - TOPICS_SHOWN_MAX)} more not shown`) : null;
    byId("topics").replaceChildren(table(["Topic", "Partitions", "Policy"], rows, "topics-table"), ...(more ? [more] : []));
    if (topics.length === 0) byId("topics").replaceChildren(el("p", { class: "hint" }, "No topics yet: create one below."));
  }

  #renderTopic(description: TopicDescription, stats: PartitionStatsResponse[]): void {
    byId("topic-name").textContent = description.name;
    const settings = CONFIG_KEYS.map((key) =>
      el("span", { class: "setting" }, `${key}: `, el("b", {}, String(description.config[key] ?? "default"))),
    );
    byId("topic-config").replaceChildren(...settings);
    const rows = description.partitions.map((p) => {
      const stat = stats[p.partition];
      return el(
        "tr",
        { "data-partition": p.partition },
        el("td", { class: "num" }, p.partition),
        el("td", { class: "num" }, fmt(p.logStartOffset)),
        el("td", { class: "num" }, fmt(p.highWatermark)),
        el("td", { class: "num" }, fmt(p.highWatermark - p.logStartOffset)),
        el("td", { class: "num" }, stat ? fmtBytes(stat.storedBytes) : "–"),
        el("td", { class: "num" }, stat ? fmt(stat.sockets) : "–"),
        el(
          "td",
          {},
          el(
            "button",
            {
              type: "button",
              class: "ghost small",
              "data-delete-records": p.partition,
              disabled: p.highWatermark === p.logStartOffset,
              onclick: () => void this.#deleteRecords(description.name, p.partition, p.highWatermark),
            },
            "Delete records",
          ),
        ),
      );
    });
    byId("partitions").replaceChildren(
      table(["Partition", "Log start", "High watermark", "Records", "Stored", "Sockets", ""], rows, "partitions-table"),
    );
    byId("delete-topic").onclick = () => void this.#deleteTopic(description.name);
  }

  #sample(topic: string, stats: PartitionStatsResponse[], nowMs: number): void {
    if (this.#chartTopic !== topic) this.#resetCharts(topic);
    const sum = (pick: (s: PartitionStatsResponse) => number) => stats.reduce((total, s) => total + pick(s), 0);
    const reading = { timeMs: nowMs, counters: [sum((s) => s.appendedRecords), sum((s) => s.rowsRead), sum((s) => s.appendedBytes)] };
    if (this.#last !== null) {
      const [recordsIn, rowsRead, bytesIn] = ratesBetween(this.#last, reading);
      this.#series.push(nowMs, [recordsIn ?? null, rowsRead ?? null]);
      this.#bytesSeries.push(nowMs, [bytesIn ?? null]);
      this.#records?.update(this.#series);
      this.#bytes?.update(this.#bytesSeries);
    }
    this.#last = reading;
  }

  #resetCharts(topic: string): void {
    this.#records?.destroy();
    this.#bytes?.destroy();
    this.#chartTopic = topic;
    this.#series = new SampleSeries(2);
    this.#bytesSeries = new SampleSeries(1);
    this.#last = null;
    this.#records = new LineChart(byId("throughput-chart"), "records/s", ["appended (in)", "rows read (out)"]);
    this.#bytes = new LineChart(byId("bytes-chart"), "bytes/s", ["appended (in)"]);
  }

  async #deleteRecords(topic: string, partition: number, before: number): Promise<void> {
    if (
      !(await confirmAction(`Delete every record of ${topic} partition ${partition} below offset ${fmt(before)}? This cannot be undone.`))
    )
      return;
    try {
      await api("DELETE", `${topicPath(topic)}/partitions/${partition}/records?before=${before}`);
      showError(byId("topic-error"), null);
    } catch (error) {
      showError(byId("topic-error"), error);
    }
  }

  async #deleteTopic(topic: string): Promise<void> {
    if (!(await confirmAction(`Delete topic ${topic} and all its records? This cannot be undone.`))) return;
    try {
      await api("DELETE", topicPath(topic));
      this.#options.onDeleted();
    } catch (error) {
      showError(byId("topic-error"), error);
    }
  }
}
