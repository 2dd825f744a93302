/**
 * The console's charts, drawn with uPlot (small, canvas-based, no eval, so it keeps the page's
 * strict CSP): throughput of the selected topic (records and bytes appended per second, rows read
 * per second, from its partitions' stats counters, sampled each refresh) and the lag of the
 * selected group per partition over time.
 *
 * @example
 * const chart = new LineChart(byId("throughput-chart"), "records/s", ["in", "read"]);
 * chart.update(series);
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { SampleSeries } from "./series.ts";

/** The chart's size in CSS pixels. */
const CHART_WIDTH_PX = 430;
const CHART_HEIGHT_PX = 180;

/** Line colours, in series order (repeats past the last). */
const COLOURS = ["#4f8cff", "#e5a50a", "#2ec27e", "#e01b24", "#9141ac", "#1c71d8", "#c64600", "#5e5c64"];

/**
 * One uPlot line chart of a SampleSeries, in `container`.
 *
 * @example
 * new LineChart(byId("lag-chart"), "lag (records)", ["p0", "p1"]);
 */
export class LineChart {
  readonly #plot: uPlot;
  readonly #container: HTMLElement;
  /** The lines' labels, in order. */
  readonly labels: readonly string[];

  /**
   * A chart titled `title` with one line per label.
   *
   * @example
   * new LineChart(node, "bytes/s", ["in"]);
   */
  constructor(container: HTMLElement, title: string, labels: readonly string[]) {
    this.labels = labels;
    this.#container = container;
    const series: uPlot.Series[] = [
      {},
      ...labels.map((label, index) => ({ label, stroke: COLOURS[index % COLOURS.length] ?? "#888", width: 2, spanGaps: true })),
    ];
    const empty: uPlot.AlignedData = [[], ...labels.map(() => [])];
    container.replaceChildren();
    container.dataset.points = "0";
    this.#plot = new uPlot(
      {
        title,
        width: CHART_WIDTH_PX,
        height: CHART_HEIGHT_PX,
        series,
        // Rates and lags start at zero, so a small change does not look like a cliff.
        // One sample would stretch the time axis over years: show a minute around it instead.
        scales: {
          x: { time: true, range: (_plot, min, max) => (max - min < 1 ? [min - 30, max + 30] : [min, max]) },
          y: { range: (_plot, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
        },
        axes: [{ stroke: "#9aa4b2" }, { stroke: "#9aa4b2", size: 60 }],
      },
      empty,
      container,
    );
  }

  /**
   * Redraws the chart with the series' samples.
   *
   * @example
   * chart.update(series);
   */
  update(series: SampleSeries): void {
    this.#plot.setData(series.aligned() as uPlot.AlignedData);
    // How many samples are drawn, for people and tests reading the page.
    this.#container.dataset.points = String(series.length);
  }

  /**
   * Removes the chart.
   *
   * @example
   * chart.destroy();
   */
  destroy(): void {
    this.#plot.destroy();
  }
}
