/**
 * The project's import graph, read from the source text: each module's static and dynamic
 * imports of other project files, with whether the import is `import type` only (erased at
 * build time, so it cannot form a cycle at run time).
 *
 * @example
 * const graph = importGraph(["worker", "client"]);
 * for (const edge of graph.edges) console.log(edge.from, "->", edge.to, edge.typeOnly);
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** One import of a project file by another, paths relative to the root. */
export interface ImportEdge {
  from: string;
  to: string;
  /** `import type { ... }` or `export type { ... }`: gone after compilation. */
  typeOnly: boolean;
}

/** Every .ts file under `folder` (relative to the root), sorted. */
export function sourceFiles(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(ROOT, dir)).sort()) {
      const path = join(dir, name);
      if (statSync(join(ROOT, path)).isDirectory()) walk(path);
      else if (name.endsWith(".ts")) out.push(path);
    }
  };
  walk(folder);
  return out;
}

/** `import ... from "x"`, `export ... from "x"`, `import "x"` and `import("x")`. */
const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^"';]*?\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** The project-relative imports of one file. */
export function importsOf(file: string): ImportEdge[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const edges: ImportEdge[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[3] ?? match[4];
    if (spec === undefined || !spec.startsWith(".")) continue;
    const to = normalize(join(dirname(file), spec));
    edges.push({ from: file, to: relative(ROOT, join(ROOT, to)), typeOnly: match[2] !== undefined });
  }
  return edges;
}

/** Every edge among the files under `folders`. */
export function importGraph(folders: readonly string[]): ImportEdge[] {
  return folders.flatMap((folder) => sourceFiles(folder)).flatMap(importsOf);
}

/**
 * The cycles of value imports (type-only edges left out), each as its list of files, found by a
 * depth-first search; empty when the graph is acyclic.
 */
export function valueCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const edge of edges) if (!edge.typeOnly) next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, "open");
    stack.push(file);
    for (const to of next.get(file) ?? []) {
      if (state.get(to) === "open") cycles.push([...stack.slice(stack.indexOf(to)), to]);
      else if (state.get(to) === undefined) visit(to);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of [...next.keys()].sort()) if (state.get(file) === undefined) visit(file);
  return cycles;
}
