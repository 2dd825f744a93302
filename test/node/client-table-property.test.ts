/**
 * client.table as a property (fast-check, seeded; fake-indexeddb): after any sequence of appends
 * (sets, tombstones, keyless records) and sessions of a scripted server — a first build from
 * `latest-per-key`, ordinary catch-ups in full or compacted form (only each key's latest, gaps in
 * the offsets), compactions that removed tombstones and so answer `reset` with the table, pages
 * of any size, sessions cut off before `live` (offline, a reload) — the table, once live, equals
 * the latest value per key of the log, and while a rebuild is under way a reader sees exactly the
 * view it had before the session (never half a table).
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-table-property.test.ts
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FetchedRecord } from "../../client/protocol/index.ts";
import { latestPerKey } from "./latest-per-key.ts";
import { entries, record, scriptedTable } from "./table-harness.ts";

type Step =
  | { kind: "append"; records: { key: string | null; value: number | null }[] }
  | { kind: "session"; compacted: boolean; removedTombstones: boolean; pageSize: number; cutAfterPages: number | null };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant("append" as const),
    records: fc.array(
      fc.record({
        key: fc.oneof({ weight: 9, arbitrary: fc.constantFrom("a", "b", "c", "d", "e") }, { weight: 1, arbitrary: fc.constant(null) }),
        value: fc.oneof({ weight: 3, arbitrary: fc.nat(99) }, { weight: 1, arbitrary: fc.constant(null) }),
      }),
      { minLength: 1, maxLength: 6 },
    ),
  }),
  fc.record({
    kind: fc.constant("session" as const),
    compacted: fc.boolean(),
    removedTombstones: fc.boolean(),
    pageSize: fc.integer({ min: 1, max: 4 }),
    cutAfterPages: fc.option(fc.nat(3), { nil: null }),
  }),
);

/** The records of `log` at or after `from` that are their key's latest (compaction's form). */
function compactedFrom(log: readonly FetchedRecord[], from: number, dropTombstones: boolean): FetchedRecord[] {
  const latest = new Map<string, number>();
  for (const r of log) if (r.key !== null) latest.set(r.key, r.offset);
  return log.filter((r) => r.offset >= from && r.key !== null && latest.get(r.key) === r.offset && !(dropTombstones && r.value === null));
}

function pages<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

describe("a table, as a property", () => {
  it("equals the log's latest value per key once live, and never shows half a rebuild", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 10 }), async (steps) => {
        const t = scriptedTable(`table-property-${run++}`);
        const log: FetchedRecord[] = [];
        const final: Step = { kind: "session", compacted: true, removedTombstones: false, pageSize: 4, cutAfterPages: null };
        let finalChecked = false;
        for (const step of [...steps, final]) {
          if (step.kind === "append") {
            for (const r of step.records) log.push(record(log.length, r.key, r.value));
            continue;
          }
          const link = t.links.at(-1) ?? (await t.link(0));
          const start = await link.hello({ highWatermark: log.length });
          const fromOffset = typeof start.from === "object" && "offset" in start.from ? start.from.offset : null;
          // A table resuming below a tombstone compaction removed is reset; so is every latest-per-key start.
          const reset = fromOffset === null || step.removedTombstones;
          const delivered = reset
            ? compactedFrom(log, 0, step.removedTombstones)
            : step.compacted
              ? compactedFrom(log, fromOffset, false)
              : log.filter((r) => r.offset >= fromOffset);
          const before = await entries(t.table);
          await link.subscribed(reset ? 0 : fromOffset, reset, log.length);
          const chunks = pages(delivered, step.pageSize);
          let cut = false;
          for (const [i, chunk] of chunks.entries()) {
            if (step.cutAfterPages !== null && i >= step.cutAfterPages) {
              cut = true;
              break;
            }
            await link.records(chunk);
            if (reset) expect(await entries(t.table)).toEqual(before);
          }
          if (cut || t.links.at(-1) !== link) continue;
          link.live();
          await t.table.whenLive();
          expect((await entries(t.table)).sort(([a], [b]) => (a < b ? -1 : 1))).toEqual(latestPerKey(log));
          expect(await t.table.size()).toBe(latestPerKey(log).length);
          finalChecked = step === final;
        }
        expect(finalChecked).toBe(true);
        t.table.close();
      }),
      { numRuns: 200, seed: 13 },
    );
  });
});
