/**
 * The partition assignors as pure functions: range and round-robin lay partitions out exactly as
 * Kafka's do; every assignor gives each partition one owner with balanced counts; sticky moves
 * no more partitions than a rebalance must; the answer never depends on the members' input order.
 */
import { describe, expect, it } from "vitest";
import { ASSIGNORS } from "../../client/protocol/index.ts";
import { type Assignment, assign } from "../../worker/group/assignors.ts";
import { seededRandom as random } from "./seeded-random.ts";

/** Member ids that sort in their numeric order: m00, m01, ... */
function memberIds(count: number, prefix = "m"): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(2, "0")}`);
}

/** An assignment as a plain object, for exact comparisons. */
function layout(assignment: Assignment): Record<string, number[]> {
  return Object.fromEntries([...assignment.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Asserts every partition has exactly one owner, every member is listed, and counts are floor/ceil. */
function expectValid(assignment: Assignment, members: readonly string[], partitions: number): void {
  expect([...assignment.keys()].sort()).toEqual([...members].sort());
  const owners = new Map<number, string>();
  for (const [member, list] of assignment) {
    expect(list, `${member}'s partitions ascend`).toEqual([...list].sort((a, b) => a - b));
    for (const p of list) {
      expect(Number.isInteger(p) && p >= 0 && p < partitions, `partition ${p} is in range`).toBe(true);
      expect(owners.has(p), `partition ${p} is owned by ${owners.get(p)} and ${member}`).toBe(false);
      owners.set(p, member);
    }
  }
  expect(owners.size).toBe(partitions);
  const floor = Math.floor(partitions / members.length);
  const ceil = Math.ceil(partitions / members.length);
  const counts = [...assignment.values()].map((list) => list.length);
  for (const count of counts) expect(count === floor || count === ceil, `count ${count} is ${floor} or ${ceil}`).toBe(true);
  // Exactly `partitions % members` members carry the larger share.
  expect(counts.filter((count) => count === ceil && ceil !== floor).length).toBe(partitions % members.length);
}

/** Partitions whose owner changed between two assignments (a partition owned before by anyone). */
function moved(before: Assignment, after: Assignment): number {
  const ownerBefore = new Map<number, string>();
  for (const [member, list] of before) for (const p of list) ownerBefore.set(p, member);
  let count = 0;
  for (const [member, list] of after) for (const p of list) if (ownerBefore.has(p) && ownerBefore.get(p) !== member) count++;
  return count;
}

/**
 * The fewest partitions a balanced rebalance can move: every member keeps at most its quota of
 * what it owned (floor, or ceil for `partitions % members` of them, best given to those who
 * owned more than the floor); everything else previously owned must change hands.
 */
function minimumMoves(before: Assignment, members: readonly string[], partitions: number): number {
  const share = Math.floor(partitions / members.length);
  const extra = partitions % members.length;
  const owned = members.map((m) => (before.get(m) ?? []).filter((p) => p < partitions).length);
  const keepable = owned.reduce((sum, n) => sum + Math.min(n, share), 0) + Math.min(extra, owned.filter((n) => n > share).length);
  const previouslyOwned = [...before.values()].reduce((sum, list) => sum + list.filter((p) => p < partitions).length, 0);
  return previouslyOwned - keepable;
}

function shuffled<T>(list: readonly T[], next: () => number): T[] {
  const copy = [...list];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

describe("range assignor", () => {
  it("gives 3 members 2 contiguous partitions each of 6", () => {
    expect(layout(assign("range", ["a", "b", "c"], 6, new Map()))).toEqual({ a: [0, 1], b: [2, 3], c: [4, 5] });
  });

  it("gives the first partitions % members one more (4 members, 6 partitions)", () => {
    expect(layout(assign("range", ["a", "b", "c", "d"], 6, new Map()))).toEqual({ a: [0, 1], b: [2, 3], c: [4], d: [5] });
  });

  it("leaves the last members empty when they outnumber the partitions (7 members, 3 partitions)", () => {
    expect(layout(assign("range", memberIds(7), 3, new Map()))).toEqual({
      m00: [0],
      m01: [1],
      m02: [2],
      m03: [],
      m04: [],
      m05: [],
      m06: [],
    });
  });

  it("orders members by id, not by the order given", () => {
    expect(layout(assign("range", ["c", "a", "b"], 7, new Map()))).toEqual({ a: [0, 1, 2], b: [3, 4], c: [5, 6] });
  });
});

describe("roundrobin assignor", () => {
  it("deals 6 partitions to 3 members in turn", () => {
    expect(layout(assign("roundrobin", ["a", "b", "c"], 6, new Map()))).toEqual({ a: [0, 3], b: [1, 4], c: [2, 5] });
  });

  it("deals 6 partitions to 4 members in turn", () => {
    expect(layout(assign("roundrobin", ["a", "b", "c", "d"], 6, new Map()))).toEqual({ a: [0, 4], b: [1, 5], c: [2], d: [3] });
  });

  it("leaves members past the partition count empty (7 members, 3 partitions)", () => {
    expect(layout(assign("roundrobin", memberIds(7), 3, new Map()))).toEqual({
      m00: [0],
      m01: [1],
      m02: [2],
      m03: [],
      m04: [],
      m05: [],
      m06: [],
    });
  });
});

describe("every assignor", () => {
  it("assigns nothing without members", () => {
    for (const name of ASSIGNORS) expect(assign(name, [], 6, new Map()).size).toBe(0);
  });

  it("gives members empty lists for a topic with no partitions", () => {
    for (const name of ASSIGNORS) expect(layout(assign(name, ["a", "b"], 0, new Map()))).toEqual({ a: [], b: [] });
  });

  it("gives each partition one owner with floor/ceil counts, for 1..12 members x 0..40 partitions", () => {
    for (const name of ASSIGNORS) {
      for (let members = 1; members <= 12; members++) {
        for (let partitions = 0; partitions <= 40; partitions++) {
          const ids = memberIds(members);
          expectValid(assign(name, ids, partitions, new Map()), ids, partitions);
        }
      }
    }
  });

  it("answers the same whatever order the members come in (and the same previous assignment)", () => {
    const next = random(7);
    for (const name of ASSIGNORS) {
      for (let round = 0; round < 60; round++) {
        const ids = memberIds(1 + Math.floor(next() * 9), "id-");
        const partitions = Math.floor(next() * 25);
        // A previous assignment from a different membership (one extra member that left).
        const previous = assign("roundrobin", [...ids, "zz-gone"], partitions, new Map());
        const expected = layout(assign(name, ids, partitions, previous));
        for (let order = 0; order < 4; order++) {
          const reordered = new Map(shuffled([...previous.entries()], next));
          expect(layout(assign(name, shuffled(ids, next), partitions, reordered)), `${name} ${ids.length}x${partitions}`).toEqual(expected);
        }
      }
    }
  });
});

describe("sticky assignor", () => {
  const previous: Assignment = new Map([
    ["a", [0, 3]],
    ["b", [1, 4]],
    ["c", [2, 5]],
  ]);

  it("keeps the survivors' partitions when a member leaves; only the leaver's move", () => {
    const next = assign("sticky", ["a", "c"], 6, previous);
    expectValid(next, ["a", "c"], 6);
    expect(next.get("a")).toEqual(expect.arrayContaining([0, 3]));
    expect(next.get("c")).toEqual(expect.arrayContaining([2, 5]));
    expect(moved(previous, next)).toBe(2);
  });

  it("takes only what the newcomer needs when a member joins", () => {
    const next = assign("sticky", ["a", "b", "c", "d"], 6, previous);
    expectValid(next, ["a", "b", "c", "d"], 6);
    // Two of the three keep both of theirs, one gives up one partition, and d gets exactly that one.
    expect(next.get("d")!.length).toBe(1);
    expect(moved(previous, next)).toBe(1);
    for (const member of ["a", "b", "c"]) {
      for (const p of next.get(member)!) expect(previous.get(member)).toContain(p);
    }
  });

  it("moves nothing when the membership did not change", () => {
    const next = assign("sticky", ["a", "b", "c"], 6, previous);
    expect(layout(next)).toEqual({ a: [0, 3], b: [1, 4], c: [2, 5] });
  });

  it("differs from range, which reshuffles everyone on a leave", () => {
    // The same leave under range moves more than the two orphaned partitions: proof that the
    // comparison above measures stickiness and is not met by any balanced assignor.
    const rangeBefore = assign("range", ["a", "b", "c"], 6, new Map());
    const rangeAfter = assign("range", ["b", "c"], 6, rangeBefore);
    expect(moved(rangeBefore, rangeAfter)).toBeGreaterThan(minimumMoves(rangeBefore, ["b", "c"], 6));
    const stickyAfter = assign("sticky", ["b", "c"], 6, rangeBefore);
    expect(moved(rangeBefore, stickyAfter)).toBe(minimumMoves(rangeBefore, ["b", "c"], 6));
  });

  it("moves the fewest partitions balance allows over a long run of joins and leaves", () => {
    const next = random(2024);
    for (let run = 0; run < 20; run++) {
      const partitions = 1 + Math.floor(next() * 30);
      let members = memberIds(1 + Math.floor(next() * 6), `r${run}-`);
      let current = assign("sticky", members, partitions, new Map());
      expectValid(current, members, partitions);
      let fresh = 0;
      for (let step = 0; step < 25; step++) {
        const leave = members.length > 1 && next() < 0.5;
        if (leave) {
          const gone = members[Math.floor(next() * members.length)]!;
          members = members.filter((m) => m !== gone);
        } else if (members.length < 15) {
          fresh += 1;
          members = [...members, `r${run}-new${String(fresh).padStart(2, "0")}`];
        }
        const after = assign("sticky", members, partitions, current);
        expectValid(after, members, partitions);
        expect(moved(current, after), `run ${run} step ${step}: ${members.length}x${partitions}`).toBe(
          minimumMoves(current, members, partitions),
        );
        current = after;
      }
    }
  });

  it("hands the larger shares to members that already owned more than the floor", () => {
    // 7 partitions over a, b, c: a and b own 3, c owns 1. After c leaves and d joins, the larger
    // share (ceil 3) goes to a member that has 3 already, so a and b keep all of theirs.
    const before: Assignment = new Map([
      ["a", [0, 1, 2]],
      ["b", [3, 4, 5]],
      ["c", [6]],
    ]);
    const after = assign("sticky", ["a", "b", "d"], 7, before);
    expectValid(after, ["a", "b", "d"], 7);
    expect(moved(before, after)).toBe(minimumMoves(before, ["a", "b", "d"], 7));
    expect(after.get("a")!.length + after.get("b")!.length).toBe(5);
  });
});
