/**
 * A strict reader of Prometheus's text format (0.0.4), for tests: every line is a `# HELP`, a
 * `# TYPE` (counter or gauge) or a sample of a family whose TYPE came first; names and label
 * names match the format's grammar, label values are quoted with only `\\`, `\"`, `\n` escapes,
 * values are numbers, no family is declared twice and no sample repeats its labels. Anything
 * else throws, naming the line.
 *
 * @example
 * const families = parsePrometheus(await (await fetch(`${url}/v1/metrics`)).text());
 * families.get("edgelog_partition_high_watermark")?.samples[0]?.value;
 */

/** One parsed family. */
export interface ParsedFamily {
  type: "counter" | "gauge";
  help: string;
  samples: { labels: Record<string, string>; value: number }[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?(?:\d+(?:\.\d+)?(?:e[+-]?\d+)?|NaN|\+Inf|-Inf))$/;

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const match = LABEL.exec(text);
    if (match === null) throw new Error(`bad labels in: ${line}`);
    const [, name = "", raw = ""] = match;
    if (name in labels) throw new Error(`label ${name} twice in: ${line}`);
    labels[name] = raw.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
  }
  return labels;
}

/** Parses a whole exposition; throws on the first line that breaks the format. */
export function parsePrometheus(text: string): Map<string, ParsedFamily> {
  if (!text.endsWith("\n")) throw new Error("the exposition must end with a newline");
  const families = new Map<string, ParsedFamily>();
  const helps = new Map<string, string>();
  for (const line of text.slice(0, -1).split("\n")) {
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta !== null) {
      const [, kind, name = "", rest = ""] = meta;
      if (!NAME.test(name)) throw new Error(`bad metric name: ${line}`);
      if (kind === "HELP") helps.set(name, rest);
      else {
        if (families.has(name)) throw new Error(`TYPE twice: ${line}`);
        if (rest !== "counter" && rest !== "gauge") throw new Error(`unexpected type: ${line}`);
        families.set(name, { type: rest, help: helps.get(name) ?? "", samples: [] });
      }
      continue;
    }
    const sample = SAMPLE.exec(line);
    if (sample === null) throw new Error(`not a sample: ${JSON.stringify(line)}`);
    const [, name = "", labelText, value = ""] = sample;
    const family = families.get(name);
    if (family === undefined) throw new Error(`sample before its TYPE: ${line}`);
    const labels = labelText === undefined ? {} : parseLabels(labelText, line);
    const key = JSON.stringify(labels);
    if (family.samples.some((s) => JSON.stringify(s.labels) === key)) throw new Error(`sample repeated: ${line}`);
    family.samples.push({ labels, value: Number(value) });
  }
  return families;
}

/** The value of `name`'s sample with exactly `labels`, or throws. */
export function sampleValue(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string>): number {
  const key = JSON.stringify(labels);
  const sample = families.get(name)?.samples.find((s) => JSON.stringify(s.labels) === key);
  if (sample === undefined) throw new Error(`no sample ${name}${key}`);
  return sample.value;
}
