/**
 * Partition assignors for consumer groups: given the members (by id) and the partition count,
 * which partitions each member owns. Pure functions, deterministic for the same input.
 * - range: Kafka's RangeAssignor for one topic: members sorted, each gets a contiguous run; the
 *   first `partitions % members` get one more.
 * - roundrobin: members sorted, partition p goes to member p % members.
 * - sticky: as balanced as round-robin (everyone gets floor or ceil of the share), but a member
 *   keeps the partitions it owned before wherever balance allows, so a rebalance moves as few
 *   partitions as it can.
 *
 * Rules: PROTOCOL.md GROUP-7.
 *
 * @example
 * assign("range", ["a", "b", "c"], 6, new Map()); // Map { a: [0, 1], b: [2, 3], c: [4, 5] }
 */

import type { AssignorName } from "../../client/protocol/index.ts";

/**
 * A member id to its partitions, ascending.
 *
 * @example
 * const previous: Assignment = new Map([["a", [0, 1, 2]], ["b", [3, 4, 5]]]);
 */
export type Assignment = Map<string, number[]>;

function range(members: readonly string[], partitions: number): Assignment {
  const result: Assignment = new Map();
  const share = Math.floor(partitions / members.length);
  const extra = partitions % members.length;
  let next = 0;
  members.forEach((member, i) => {
    const count = share + (i < extra ? 1 : 0);
    result.set(
      member,
      Array.from({ length: count }, (_, k) => next + k),
    );
    next += count;
  });
  return result;
}

function roundRobin(members: readonly string[], partitions: number): Assignment {
  const result: Assignment = new Map(members.map((m) => [m, [] as number[]]));
  for (let p = 0; p < partitions; p++) result.get(members[p % members.length]!)!.push(p);
  return result;
}

function sticky(members: readonly string[], partitions: number, previous: Assignment): Assignment {
  const share = Math.floor(partitions / members.length);
  const extra = partitions % members.length;
  const result: Assignment = new Map(members.map((m) => [m, [] as number[]]));
  const taken = new Set<number>();
  // Members that owned the most keep first, so the `extra` larger quotas go to them.
  const byOwned = [...members].sort((a, b) => (previous.get(b)?.length ?? 0) - (previous.get(a)?.length ?? 0) || (a < b ? -1 : 1));
  let largerQuotasLeft = extra;
  const quota = new Map<string, number>();
  for (const member of byOwned) {
    const wantsMore = (previous.get(member)?.length ?? 0) > share && largerQuotasLeft > 0;
    if (wantsMore) largerQuotasLeft--;
    quota.set(member, share + (wantsMore ? 1 : 0));
  }
  for (const member of byOwned) {
    for (const p of previous.get(member) ?? []) {
      if (p < partitions && !taken.has(p) && result.get(member)!.length < quota.get(member)!) {
        result.get(member)!.push(p);
        taken.add(p);
      }
    }
  }
  // Hand out the rest: to members under quota, then the remaining larger quotas in member order.
  const free = Array.from({ length: partitions }, (_, p) => p).filter((p) => !taken.has(p));
  for (const member of members) {
    while (free.length > 0 && result.get(member)!.length < quota.get(member)!) result.get(member)!.push(free.shift()!);
  }
  for (const member of members) {
    if (free.length === 0) break;
    if (largerQuotasLeft > 0 && result.get(member)!.length === share) {
      result.get(member)!.push(free.shift()!);
      largerQuotasLeft--;
    }
  }
  for (const list of result.values()) list.sort((a, b) => a - b);
  return result;
}

/**
 * Assigns `partitions` partitions to `members` with the named assignor. Members are sorted by id
 * first, so every coordinator computes the same answer. No members: an empty assignment.
 *
 * @example
 * assign("sticky", ["a", "b", "c"], 6, new Map([["a", [0, 1, 2]], ["b", [3, 4, 5]]]));
 * // Map { a: [0, 1], b: [3, 4], c: [2, 5] }: a and b keep what they can
 */
export function assign(name: AssignorName, members: readonly string[], partitions: number, previous: Assignment): Assignment {
  const sorted = [...members].sort();
  if (sorted.length === 0) return new Map();
  if (name === "range") return range(sorted, partitions);
  if (name === "roundrobin") return roundRobin(sorted, partitions);
  return sticky(sorted, partitions, previous);
}
