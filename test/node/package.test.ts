/**
 * The npm package works where a user installs it (issue 11, "Done when"): the packed tarball is
 * installed into a fresh directory (test/node/packed-package.ts), and there
 * - plain `node` (no TypeScript, no loader) imports `edgelog` and `edgelog/protocol`, produces
 *   records to a real edgelog (the worker under Miniflare) and consumes them back, and a CommonJS
 *   script requires both;
 * - the app's own strict tsconfig (bundler, and node16/nodenext resolution) type-checks an app
 *   file against the package's .d.ts alone: no edgelog source file is in the program;
 * - a browser app installs no server framework (hono, jose) and the client's code imports none;
 * and `npm pack` in the checkout ships only the built package (no tests, bench, tools, sources).
 */
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ROOT } from "./local-env.ts";
import { packPackage, runCommand, usePackedApp } from "./packed-package.ts";
import { useScratchRuntime } from "./scratch-runtime.ts";

const TOPIC = "packed-orders"; // not the README example's "orders", which that example creates itself
const PARTITIONS = 3;
const runtime = useScratchRuntime("edgelog-package-", { [TOPIC]: PARTITIONS });
const app = usePackedApp({ extraDependencies: ["ws"] });

/** The client entries' built files, as installed in the app. */
const CLIENT_ENTRIES = ["index", "protocol", "react"] as const;

/** A user's script: plain ESM JavaScript, run by `node` with no loader, `ws` as the WebSocket. */
const PRODUCE_CONSUME_MJS = `
import { createClient, EdgelogError } from "edgelog";
import { EdgelogError as ProtocolError, partitionForKey, topicName } from "edgelog/protocol";
import WebSocket from "ws";

const url = process.env.EDGELOG_URL;
const topic = topicName(process.env.EDGELOG_TOPIC);
const client = createClient({ url, cache: "memory", WebSocket });
try {
  const keys = ["alice", "bob", "carol", "dave"];
  const got = [];
  let allGot;
  const done = new Promise((resolve) => (allGot = resolve));
  client.subscribe(topic, { from: "earliest" }, (record) => {
    got.push({ partition: record.partition, offset: record.offset, key: record.key, value: record.value });
    if (got.length === keys.length) allGot();
  });
  const sent = [];
  for (const key of keys) sent.push(await client.produce(topic, { key, value: { key, n: sent.length } }));
  await done;
  const partitions = (await client.admin.describeTopic(topic)).partitions.length;
  const expected = keys.map((key) => partitionForKey(key, partitions));
  console.log(JSON.stringify({ sent, got, expected, oneErrorClass: EdgelogError === ProtocolError }));
} finally {
  client.close();
}
`;

/** A CommonJS script: `require()` of both entry points (the `default` export condition). */
const REQUIRE_CJS = `
const edgelog = require("edgelog");
const protocol = require("edgelog/protocol");
console.log(JSON.stringify({
  createClient: typeof edgelog.createClient,
  partitionForKey: protocol.partitionForKey("user-1", 6),
  oneErrorClass: edgelog.EdgelogError === protocol.EdgelogError,
}));
`;

/** An app's TypeScript, checked with the app's own strict settings. */
const APP_TS = `
import { type ClientStatus, createClient, type EdgelogClient, RECORD_BYTES_MAX, type TopicRecord } from "edgelog";
import { EdgelogError, type ProduceRequest, partitionForKey } from "edgelog/protocol";

const client: EdgelogClient = createClient({ url: "https://events.example.com", cache: "memory" });
client.onStatus((status: ClientStatus) => console.log(status));
const sub = client.subscribe("orders", { from: "earliest" }, (record: TopicRecord) => console.log(record.partition, record.offset));
sub.onError((error) => console.warn(error.code));

export async function send(item: string): Promise<number> {
  const { offset } = await client.produce("orders", { key: "alice", value: { item } });
  return offset;
}

export const request: ProduceRequest = { records: [{ key: "alice", value: { item: "book" } }] };
export const partition: number = partitionForKey("alice", 3);
export const fits = (bytes: number): boolean => bytes <= RECORD_BYTES_MAX;
export const isEdgelog = (error: unknown): boolean => error instanceof EdgelogError;

// @ts-expect-error: not a status (the types are real: with \`any\` this line would not be an error)
export const wrong: ClientStatus = "online";
// @ts-expect-error: a client needs its url
createClient({ cache: "memory" });

interface Order { id: string; qty: number; note?: string }
const orders = client.topic<Order>("orders");
export const placed = orders.produce({ key: "alice", value: { id: "o-1", qty: 2 } });
orders.subscribe({ from: "earliest" }, (record) => console.log(record.value.qty, record.value.note));
// @ts-expect-error: a typed topic refuses a wrong value type
void orders.produce({ value: { id: 1, qty: 2 } });
// @ts-expect-error: a Date is not JSON
client.topic<{ at: Date }>("orders");
`;

/** The README's fenced code block whose first line is `firstLine` (the user pastes it as it stands). */
async function readmeBlock(firstLine: string): Promise<string> {
  const readme = await readFile(join(ROOT, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? "");
  const found = blocks.filter((block) => block.startsWith(`${firstLine}`));
  expect(found, `one README block starts with ${firstLine}`).toHaveLength(1);
  return found[0]!;
}

/** The strict settings an app may well have; skipLibCheck off, so edgelog's .d.ts are checked too. */
function appTsconfig(module: "ESNext" | "NodeNext", moduleResolution: "Bundler" | "NodeNext"): string {
  const compilerOptions = {
    target: "ES2022",
    module,
    moduleResolution,
    lib: ["ES2022", "DOM", "DOM.Iterable"],
    types: [],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    noPropertyAccessFromIndexSignature: true,
    noImplicitOverride: true,
    skipLibCheck: false,
    noEmit: true,
  };
  return JSON.stringify({ compilerOptions, files: ["app.ts"] }, null, 2);
}

/** The import and reference specifiers of a module (comments, where the JSDoc examples are, aside). */
function specifiers(text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  return [...info.importedFiles, ...info.referencedFiles, ...info.typeReferenceDirectives, ...info.libReferenceDirectives].map(
    (ref) => ref.fileName,
  );
}

describe("the packed tarball, installed in a fresh directory", () => {
  it("runs the README's Node example as it stands", async () => {
    await app().write("main.mjs", await readmeBlock("// main.mjs"));
    const { stdout } = await app().run("node", ["main.mjs"], { env: { EDGELOG_URL: runtime().url }, timeoutMs: 60_000 });
    expect(stdout).toMatch(/^acknowledged at \d \d+\nread back alice \{ item: 'book' \}\n$/);
  });

  it("plain node imports edgelog and edgelog/protocol, produces records and consumes them back", async () => {
    await app().write("produce-consume.mjs", PRODUCE_CONSUME_MJS);
    const env = { EDGELOG_URL: runtime().url, EDGELOG_TOPIC: TOPIC };
    const { stdout } = await app().run("node", ["produce-consume.mjs"], { env, timeoutMs: 60_000 });
    const out = JSON.parse(stdout.trim().split("\n").at(-1)!) as {
      sent: { partition: number; offset: number }[];
      got: { partition: number; offset: number; key: string; value: { key: string; n: number } }[];
      expected: number[];
      oneErrorClass: boolean;
    };
    expect(out.sent.map((s) => s.partition)).toEqual(out.expected);
    const byKey = [...out.got].sort((a, b) => a.value.n - b.value.n);
    expect(byKey.map((r) => r.key)).toEqual(["alice", "bob", "carol", "dave"]);
    expect(byKey.map((r) => ({ partition: r.partition, offset: r.offset }))).toEqual(out.sent);
    // The two entry points share one copy of the wire contract (an error from either is instanceof both).
    expect(out.oneErrorClass).toBe(true);
  });

  it("npx edgelog runs the command line from the installed package, against the server", async () => {
    const env = { EDGELOG_URL: runtime().url };
    await app().write("records.txt", 'npx:{"via":"bin"}\n');
    const produced = await app().run("npx", ["--no-install", "edgelog", "produce", TOPIC, "-K", ":", "--file", "records.txt"], {
      env,
      timeoutMs: 60_000,
    });
    expect(produced.stderr).toBe("");
    const { stdout } = await app().run("npx", ["--no-install", "edgelog", "consume", TOPIC, "-e", "-J"], { env, timeoutMs: 60_000 });
    const records = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { key: string | null; value: unknown });
    expect(records.filter((r) => r.key === "npx")).toEqual([expect.objectContaining({ key: "npx", value: { via: "bin" } })]);
  });

  it("a CommonJS caller requires it (Node >= 20.19 loads ES modules with require)", async () => {
    await app().write("require.cjs", REQUIRE_CJS);
    const { stdout } = await app().run("node", ["require.cjs"], { timeoutMs: 30_000 });
    expect(JSON.parse(stdout)).toEqual({ createClient: "function", partitionForKey: 2, oneErrorClass: true });
  });

  it("a strict app tsconfig type-checks an app against edgelog's .d.ts only (bundler and nodenext)", async () => {
    await app().write("app.ts", APP_TS);
    const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const settings = [
      { name: "tsconfig.bundler.json", module: "ESNext", resolution: "Bundler" },
      { name: "tsconfig.nodenext.json", module: "NodeNext", resolution: "NodeNext" },
    ] as const;
    for (const { name, module, resolution } of settings) {
      await app().write(name, appTsconfig(module, resolution));
      // --listFiles checks the program and names every file in it (it fails on any type error).
      const run = await app()
        .run("node", [tsc, "-p", name, "--listFiles"])
        .catch((error: Error) => {
          throw new Error(`${name}: ${error.message}`);
        });
      const files = run.stdout.split("\n").filter((line) => line.trim() !== "");
      const fromEdgelog = files
        .map((file) => relative(app().dir, file))
        .filter((file) => file.startsWith(`node_modules${sep}edgelog${sep}`));
      // The entries' declarations and the chunks they share (dist/<chunk>-<hash>.d.ts): declarations only.
      const dist = join("node_modules", "edgelog", "dist");
      expect(fromEdgelog, name).toEqual(expect.arrayContaining(["index", "protocol"].map((entry) => join(dist, `${entry}.d.ts`))));
      for (const file of fromEdgelog) expect(file, name).toMatch(/^node_modules[\\/]edgelog[\\/]dist[\\/][A-Za-z0-9_-]+\.d\.ts$/);
      const sources = files.filter((file) => !file.endsWith(".d.ts") && relative(app().dir, file) !== "app.ts");
      expect(sources, `${name}: only the app's own file is TypeScript source`).toEqual([]);
    }
  });

  it("installs no server framework, and the client's code imports only idb, @cfworker/json-schema and itself (its types also @standard-schema/spec; edgelog/worker its peers)", async () => {
    const modules = join(app().dir, "node_modules");
    expect(existsSync(join(modules, "edgelog", "package.json"))).toBe(true);
    for (const server of ["hono", "jose", "react"]) expect(existsSync(join(modules, server)), server).toBe(false);
    // Every built file (entries and the chunks they share); React only from edgelog/react's own
    // files; a typed topic's schema is typed by the Standard Schema interface, a types-only
    // dependency: in the .d.ts files, never in the code.
    const dist = join(modules, "edgelog", "dist");
    const built = (await readdir(dist)).filter((file) => file.endsWith(".js") || file.endsWith(".d.ts"));
    expect(built).toEqual(expect.arrayContaining(CLIENT_ENTRIES.map((entry) => `${entry}.js`)));
    for (const file of built) {
      // @cfworker/json-schema validates registry schemas on both sides (SCHEMA-6, SCHEMA-8).
      const allowed = [/^idb$/, /^@cfworker\/json-schema$/, /^\.\/[a-z0-9_-]+\.js$/i];
      if (file.endsWith(".d.ts")) allowed.push(/^@standard-schema\/spec$/);
      if (file.startsWith("react.")) allowed.push(/^react(\/jsx-runtime)?$/);
      // edgelog/worker runs in a Worker, beside its optional peers (never what a browser app loads).
      if (file.startsWith("worker.")) allowed.push(/^(hono(\/[a-z-]+)?|jose|cloudflare:workers|edgelog\/protocol)$/);
      for (const specifier of specifiers(await readFile(join(dist, file), "utf8"))) {
        expect(
          allowed.some((rule) => rule.test(specifier)),
          `${file} imports ${specifier}`,
        ).toBe(true);
      }
    }
  });

  it("holds the built package and nothing else", async () => {
    const { files } = await packPackage();
    for (const entry of CLIENT_ENTRIES) {
      for (const suffix of [".js", ".d.ts"]) expect(files).toContain(`dist/${entry}${suffix}`);
    }
    // Every file with code names its source map, and the map is shipped (an entry made only of
    // re-exports of a shared chunk has no code and no map).
    const staged = join(app().dir, "node_modules", "edgelog");
    const scripts = files.filter((file) => file.endsWith(".js"));
    for (const script of scripts) {
      const mapped = (await readFile(join(staged, script), "utf8")).includes("//# sourceMappingURL=");
      if (mapped) expect(files, script).toContain(`${script}.map`);
    }
    expect(files.filter((file) => file.endsWith(".js.map")).length).toBeGreaterThan(0);
    expect(files.filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))).toEqual([]);
  });
});

describe("npm pack in the checkout", () => {
  it("lists only dist/, README.md, LICENSE and package.json", async () => {
    const { stdout } = await runCommand("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, timeoutMs: 60_000 });
    const [packed] = JSON.parse(stdout) as { files: { path: string }[] }[];
    const paths = packed!.files.map((file) => file.path);
    expect(paths).toEqual(expect.arrayContaining(["LICENSE", "README.md", "package.json"]));
    expect(paths.filter((path) => !/^(dist\/.+|README\.md|LICENSE|package\.json)$/.test(path))).toEqual([]);
  });

  it("declares only idb, the JSON Schema validator and the Standard Schema types for a browser app; hono, jose and react are optional peers", async () => {
    const manifest = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as {
      private?: boolean;
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
    };
    expect(manifest.private).toBeUndefined();
    expect(Object.keys(manifest.dependencies).sort()).toEqual(["@cfworker/json-schema", "@standard-schema/spec", "idb"]);
    for (const peer of ["hono", "jose", "react"]) {
      expect(manifest.peerDependencies[peer], peer).toBeDefined();
      expect(manifest.peerDependenciesMeta[peer]?.optional, peer).toBe(true);
    }
  });
});
