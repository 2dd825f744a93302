/**
 * The module boundaries the layout promises, checked on the source: the worker reaches the
 * client folder only through the wire contract's one door (client/protocol/index.ts), the
 * browser library does too, the contract imports nothing outside itself, no two files of client/
 * and worker/ share a name, and no cycle of value imports exists (`import type` aside).
 */
import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { importGraph, sourceFiles, valueCycles } from "./imports.ts";

const DOOR = "client/protocol/index.ts";

describe("module boundaries", () => {
  it("the worker imports nothing of client/ but the protocol's door", () => {
    const crossings = importGraph(["worker"]).filter((edge) => edge.to.startsWith("client/") && edge.to !== DOOR);
    expect(crossings).toEqual([]);
  });

  it("the browser library imports the protocol only through its door", () => {
    const edges = importGraph(["client"]).filter((edge) => !edge.from.startsWith("client/protocol/"));
    const inside = edges.filter((edge) => edge.to.startsWith("client/protocol/") && edge.to !== DOOR);
    expect(inside).toEqual([]);
  });

  it("the protocol imports only its own files", () => {
    const outside = importGraph(["client/protocol"]).filter((edge) => !edge.to.startsWith("client/protocol/"));
    expect(outside).toEqual([]);
  });

  it("the tests of the worker import the protocol through its door too", () => {
    const inside = importGraph(["test/worker"]).filter((edge) => edge.to.startsWith("client/protocol/") && edge.to !== DOOR);
    expect(inside).toEqual([]);
  });

  it("no two files of client/ and worker/ share a name", () => {
    const byName = new Map<string, string[]>();
    for (const file of [...sourceFiles("client"), ...sourceFiles("worker")]) {
      const name = basename(file);
      if (name === "index.ts") continue;
      byName.set(name, [...(byName.get(name) ?? []), file]);
    }
    const shared = [...byName.values()].filter((files) => files.length > 1);
    expect(shared).toEqual([]);
  });

  it("finds a cycle when there is one, and ignores one closed by a type-only import", () => {
    const edge = (from: string, to: string, typeOnly = false) => ({ from, to, typeOnly });
    expect(valueCycles([edge("a", "b"), edge("b", "c"), edge("c", "a")])).toEqual([["a", "b", "c", "a"]]);
    expect(valueCycles([edge("a", "b"), edge("b", "a", true)])).toEqual([]);
  });

  it("no cycle of value imports in client/ or worker/", () => {
    expect(valueCycles(importGraph(["client", "worker"]))).toEqual([]);
  });
});
