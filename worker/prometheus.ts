/**
 * Prometheus's text exposition format (version 0.0.4), written: each metric family once, with its
 * `# HELP` and `# TYPE` lines, then its samples `name{label="value",...} number`. Label values are
 * escaped (backslash, double quote, newline) as the format requires.
 *
 * Rules: PROTOCOL.md METRICS-1.
 *
 * @example
 * const text = prometheusText([{ name: "edgelog_partition_high_watermark", help: "...", type: "gauge", samples: [{ labels: { topic: "orders", partition: "0" }, value: 42 }] }]);
 */

/**
 * The content type of the text format.
 *
 * @example
 * c.body(text, 200, { "content-type": PROMETHEUS_CONTENT_TYPE });
 */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * One sample: its labels and value.
 *
 * @example
 * const sample: MetricSample = { labels: { group: "billing" }, value: 3 };
 */
export interface MetricSample {
  labels: Readonly<Record<string, string>>;
  value: number;
}

/**
 * One metric family.
 *
 * @example
 * const family: MetricFamily = { name: "edgelog_group_members", help: "Members of the group.", type: "gauge", samples: [] };
 */
export interface MetricFamily {
  name: string;
  help: string;
  type: "counter" | "gauge";
  samples: MetricSample[];
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function sampleLine(name: string, sample: MetricSample): string {
  const labels = Object.entries(sample.labels).map(([key, value]) => `${key}="${escapeLabel(value)}"`);
  return `${name}${labels.length > 0 ? `{${labels.join(",")}}` : ""} ${sample.value}`;
}

/**
 * The families as one text document (ending with a newline).
 *
 * @example
 * prometheusText([{ name: "up", help: "Up.", type: "gauge", samples: [{ labels: {}, value: 1 }] }]); // "# HELP up Up.\n# TYPE up gauge\nup 1\n"
 */
export function prometheusText(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) lines.push(sampleLine(family.name, sample));
  }
  return `${lines.join("\n")}\n`;
}
