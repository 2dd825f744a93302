/**
 * Values in cases are templates: `${name}` stands for a variable (`run`, a capture, `i` inside a
 * generator), and a few one-key objects generate large or repetitive values so case files stay
 * small. Resolving a template gives the JSON value to send or to match against.
 *
 * - `"${name}"` alone is the variable's value, whatever its type; inside a longer string its text.
 * - `{"$repeat": [text, count]}`: the text `count` times.
 * - `{"$concat": [part, ...]}`: the parts (strings after resolving) joined.
 * - `{"$list": {"count": n, "item": template}}`: an array of n items, `${i}` the index.
 * - `{"$dict": {"count": n, "key": template, "value": template}}`: an object of n entries.
 * - `{"$stringify": template}`: the JSON text of the resolved value.
 * - `{"$literal": value}`: the value as it is, nothing resolved inside.
 *
 * @example
 * resolve({ name: "t-${run}", big: { $repeat: ["x", 3] } }, { run: "ab12cd34" });
 * // { name: "t-ab12cd34", big: "xxx" }
 */
import type { Json } from "./types.ts";

/** Variables a template may name. */
export type Vars = Record<string, Json>;

/** The most items or characters one generator may make (a bound, far above any case's need). */
const GENERATED_MAX = 16 * 1_048_576;

/**
 * A case-file mistake (not a server's failure): a missing variable, a malformed generator.
 *
 * @example
 * throw new CaseError('no variable "topicId" (captured or given) at this step');
 */
export class CaseError extends Error {
  override name = "CaseError";
}

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const WHOLE_VARIABLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

function lookup(vars: Vars, name: string): Json {
  if (!(name in vars)) throw new CaseError(`no variable "${name}" (captured or given) at this step`);
  return vars[name]!;
}

/** A string with its variables replaced. */
function resolveString(text: string, vars: Vars): Json {
  const whole = WHOLE_VARIABLE.exec(text);
  if (whole) return lookup(vars, whole[1]!);
  return text.replace(VARIABLE, (_, name: string) => {
    const value = lookup(vars, name);
    return typeof value === "string" ? value : JSON.stringify(value);
  });
}

function count(value: Json | undefined, where: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > GENERATED_MAX) {
    throw new CaseError(`${where} needs a count from 0 to ${GENERATED_MAX}`);
  }
  return value;
}

function text(value: Json, where: string): string {
  if (typeof value !== "string") throw new CaseError(`${where} makes strings; got ${JSON.stringify(value)}`);
  return value;
}

type Generator = (argument: Json, vars: Vars) => Json;

const GENERATORS: Record<string, Generator> = {
  $repeat(argument, vars) {
    if (!Array.isArray(argument) || argument.length !== 2) throw new CaseError("$repeat takes [text, count]");
    const unit = text(resolve(argument[0]!, vars), "$repeat");
    return unit.repeat(count(argument[1], "$repeat"));
  },
  $concat(argument, vars) {
    if (!Array.isArray(argument)) throw new CaseError("$concat takes an array of parts");
    return argument.map((part) => text(resolve(part, vars), "$concat")).join("");
  },
  $list(argument, vars) {
    const spec = argument as { count?: Json; item?: Json };
    const n = count(spec?.count, "$list");
    return Array.from({ length: n }, (_, i) => resolve(spec.item ?? null, { ...vars, i }));
  },
  $dict(argument, vars) {
    const spec = argument as { count?: Json; key?: Json; value?: Json };
    const n = count(spec?.count, "$dict");
    const out: Record<string, Json> = {};
    for (let i = 0; i < n; i++)
      out[text(resolve(spec.key ?? "", { ...vars, i }), "$dict key")] = resolve(spec.value ?? null, { ...vars, i });
    return out;
  },
  $stringify(argument, vars) {
    return JSON.stringify(resolve(argument, vars));
  },
  $literal(argument) {
    return argument;
  },
};

/**
 * Resolves a template: variables replaced, generators run. Objects that are not generators
 * (matchers such as `$capture` among them) are resolved member by member.
 *
 * @example
 * resolve("${offset}", { offset: 7 }); // 7
 */
export function resolve(template: Json, vars: Vars): Json {
  if (typeof template === "string") return resolveString(template, vars);
  if (Array.isArray(template)) return template.map((item) => resolve(item, vars));
  if (template === null || typeof template !== "object") return template;
  const keys = Object.keys(template);
  const generator = keys.length === 1 ? GENERATORS[keys[0]!] : undefined;
  if (generator !== undefined) return generator(template[keys[0]!]!, vars);
  const out: Record<string, Json> = {};
  for (const key of keys) out[key] = resolve(template[key]!, vars);
  return out;
}

/**
 * The bytes of a `bodyBytes`/`binary` list: strings as UTF-8, arrays of numbers as raw bytes.
 *
 * @example
 * bytesOf(['{"v":"', [0xff], '"}'], {}); // 0x7b 0x22 ... 0xff ...
 */
export function bytesOf(parts: Json[], vars: Vars): Uint8Array {
  const chunks: number[] = [];
  const encoder = new TextEncoder();
  for (const part of parts) {
    const value = resolve(part, vars);
    if (typeof value === "string") chunks.push(...encoder.encode(value));
    else if (Array.isArray(value) && value.every((b) => typeof b === "number" && Number.isInteger(b) && b >= 0 && b <= 255)) {
      chunks.push(...(value as number[]));
    } else throw new CaseError(`bytes are strings or arrays of byte values; got ${JSON.stringify(value)}`);
  }
  return new Uint8Array(chunks);
}
