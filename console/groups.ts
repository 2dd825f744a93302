/**
 * The groups view: every consumer group (GET /v1/groups) with its topics; the selected group's
 * generation, assignor and members with their assignments; its committed offsets and lag per
 * partition for each topic (GET /v1/groups/:group/offsets?topic=T); and a chart of that lag over time.
 *
 * @example
 * const view = new GroupsView({ onPick: (group) => select(group) });
 * await view.refresh("billing", Date.now());
 */
import { api } from "./api.ts";
import { LineChart } from "./charts.ts";
import { byId, el, fmt, pickRow, showError, table } from "./dom.ts";
import { SampleSeries } from "./series.ts";
import type { GroupDescription, GroupListResponse, GroupOffsetsResponse } from "./types.ts";

/** Groups listed. */
const GROUPS_SHOWN_MAX = 200;

/** Topics of one group whose offsets are read on each refresh. */
const GROUP_TOPICS_MAX = 8;

/** Lines in the lag chart (partitions beyond are summed in no line). */
const LAG_LINES_MAX = 16;

/**
 * What the groups view tells the page.
 *
 * @example
 * const options: GroupsViewOptions = { onPick: (group) => select(group) };
 */
export interface GroupsViewOptions {
  /** A group row was picked. */
  onPick: (group: string) => void;
}

const groupPath = (group: string) => `/v1/groups/${encodeURIComponent(group)}`;

/**
 * The groups panels and the lag chart.
 *
 * @example
 * new GroupsView({ onPick: () => undefined });
 */
export class GroupsView {
  readonly #options: GroupsViewOptions;
  #chartKey: string | null = null;
  #chart: LineChart | null = null;
  #series = new SampleSeries(1);

  /**
   * A view reporting picks through `options`.
   *
   * @example
   * new GroupsView({ onPick });
   */
  constructor(options: GroupsViewOptions) {
    this.#options = options;
  }

  /**
   * Reloads the group list and, when `selected` is set, that group's members, offsets and a lag sample.
   *
   * @example
   * await view.refresh(null, Date.now());
   */
  async refresh(selected: string | null, nowMs: number): Promise<void> {
    let listed: GroupListResponse["groups"] = [];
    try {
      listed = (await api<GroupListResponse>("GET", "/v1/groups")).groups;
      this.#renderList(listed, selected);
      showError(byId("groups-error"), null);
    } catch (error) {
      showError(byId("groups-error"), error);
    }
    byId("group-panel").hidden = selected === null;
    if (selected === null) return;
    try {
      const description = await api<GroupDescription>("GET", groupPath(selected));
      const topics = listed.find((g) => g.group === selected)?.topics ?? (description.topic ? [description.topic] : []);
      const offsets = await Promise.all(
        topics
          .slice(0, GROUP_TOPICS_MAX)
          .map((topic) => api<GroupOffsetsResponse>("GET", `${groupPath(selected)}/offsets?topic=${encodeURIComponent(topic)}`)),
      );
      this.#renderGroup(description, offsets);
      this.#sample(selected, offsets, nowMs);
      showError(byId("group-error"), null);
    } catch (error) {
      showError(byId("group-error"), error);
    }
  }

  #renderList(groups: GroupListResponse["groups"], selected: string | null): void {
    const rows = groups
      .slice(0, GROUPS_SHOWN_MAX)
      .map((g) =>
        pickRow(
          { "data-group": g.group },
          g.group === selected,
          () => this.#options.onPick(g.group),
          el("td", {}, g.group),
          el("td", {}, g.topics.join(", ")),
        ),
      );
    if (groups.length === 0) byId("groups").replaceChildren(el("p", { class: "hint" }, "No consumer groups yet."));
    else byId("groups").replaceChildren(table(["Group", "Topics"], rows, "groups-table"));
  }

  #renderGroup(group: GroupDescription, offsets: GroupOffsetsResponse[]): void {
    byId("group-name").textContent = group.group;
    byId("group-meta").textContent =
      `generation ${group.generation} · assignor ${group.assignor} · ${group.members.length} member(s)${group.topic ? ` · joined on ${group.topic}` : ""}`;
    const members = group.members.map((m) =>
      el(
        "tr",
        {},
        el("td", {}, m.memberId),
        el("td", {}, m.partitions.join(", ") || "none"),
        el("td", {}, m.viaSocket ? "socket" : "HTTP"),
        el("td", { class: "num" }, `${Math.round(m.sessionTimeoutMs / 1000)} s`),
      ),
    );
    const lagRows = offsets.flatMap((o) =>
      o.partitions.map((p) =>
        el(
          "tr",
          { "data-lag-topic": o.topic, "data-lag-partition": p.partition },
          el("td", {}, o.topic),
          el("td", { class: "num" }, p.partition),
          el("td", { class: "num" }, fmt(p.committedOffset)),
          el("td", { class: "num" }, fmt(p.highWatermark)),
          el("td", { class: p.lag ? "num lag" : "num" }, fmt(p.lag)),
        ),
      ),
    );
    const total = offsets.reduce((sum, o) => sum + o.totalLag, 0);
    byId("group-members").replaceChildren(
      group.members.length === 0
        ? el("p", { class: "hint" }, "No members (offsets only).")
        : table(["Member", "Partitions", "Via", "Session"], members, "members-table"),
    );
    byId("group-lag").replaceChildren(
      table(["Topic", "Partition", "Committed", "High watermark", "Lag"], lagRows, "lag-table"),
      el("p", { class: "hint", id: "total-lag" }, `total lag ${fmt(total)}`),
    );
  }

  #sample(group: string, offsets: GroupOffsetsResponse[], nowMs: number): void {
    const lines = offsets
      .flatMap((o) => o.partitions.map((p) => ({ label: `${o.topic}/${p.partition}`, lag: p.lag })))
      .slice(0, LAG_LINES_MAX);
    const key = `${group}\n${lines.map((l) => l.label).join("\n")}`;
    if (key !== this.#chartKey) {
      this.#chart?.destroy();
      this.#chartKey = key;
      this.#series = new SampleSeries(lines.length);
      this.#chart = new LineChart(
        byId("lag-chart"),
        "lag (records)",
        lines.map((l) => l.label),
      );
    }
    this.#series.push(
      nowMs,
      lines.map((l) => l.lag),
    );
    this.#chart?.update(this.#series);
  }
}
