/**
 * Kafka's default partitioner, bit for bit: murmur2 against Kafka's own UtilsTest vectors and an
 * independent BigInt model of the hash, toPositive, partitionForKey, UTF-8 keys, and the HTTP
 * produce path landing a keyed record on the partition Kafka would choose.
 */
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { murmur2, partitionForKey, toPositive } from "../../client/protocol/index.ts";
import { app } from "../../worker/index.ts";

const utf8 = new TextEncoder();

/** Kafka's UtilsTest.testMurmur2 vectors. */
const KAFKA_VECTORS: [string, number][] = [
  ["21", -973932308],
  ["foobar", -790332482],
  ["a-little-bit-long-string", -985981536],
  ["a-little-bit-longer-string", -1486304829],
  ["abc", 479470107],
];

/**
 * A second, deliberately different implementation of murmur2 (Kafka's variant): unsigned 32-bit
 * arithmetic in BigInt, no Math.imul and no signed shifts, so a bug in one is unlikely in both.
 */
function murmur2Model(data: Uint8Array): number {
  const mask = 0xffffffffn;
  const m = 0x5bd1e995n;
  const mul = (a: bigint, b: bigint): bigint => (a * b) & mask;
  let h = (0x9747b28cn ^ BigInt(data.length)) & mask;
  const whole = data.length - (data.length % 4);
  for (let i = 0; i < whole; i += 4) {
    let k = 0n;
    for (let b = 3; b >= 0; b--) k = (k << 8n) | BigInt(data[i + b]!);
    k = mul(k, m);
    k ^= k >> 24n;
    k = mul(k, m);
    h = mul(h, m) ^ k;
  }
  const rest = data.length % 4;
  if (rest > 0) {
    for (let b = rest - 1; b >= 0; b--) h ^= BigInt(data[whole + b]!) << BigInt(8 * b);
    h = mul(h, m);
  }
  h ^= h >> 13n;
  h = mul(h, m);
  h ^= h >> 15n;
  return Number(BigInt.asIntN(32, h));
}

async function call(path: string, init?: RequestInit): Promise<{ status: number; json: unknown }> {
  const res = await app.request(path, init, env);
  return { status: res.status, json: await res.json() };
}

describe("murmur2", () => {
  it.each(KAFKA_VECTORS)("hashes %j as Kafka does", (text, expected) => {
    expect(murmur2(utf8.encode(text))).toBe(expected);
    expect(murmur2Model(utf8.encode(text))).toBe(expected);
  });

  it("agrees with the BigInt model on arbitrary bytes (every tail length)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const hash = murmur2(bytes);
        expect(Number.isInteger(hash) && hash >= -(2 ** 31) && hash < 2 ** 31).toBe(true);
        expect(hash).toBe(murmur2Model(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it("hashes the empty input and single bytes with the high bit set", () => {
    for (const bytes of [
      new Uint8Array([]),
      new Uint8Array([0x80]),
      new Uint8Array([0xff, 0xff, 0xff]),
      new Uint8Array([0xff, 0xff, 0xff, 0xff]),
    ]) {
      expect(murmur2(bytes)).toBe(murmur2Model(bytes));
    }
  });
});

describe("toPositive", () => {
  it("clears the sign bit, as Kafka's Utils.toPositive (not Math.abs)", () => {
    expect(toPositive(-973932308)).toBe(1173551340);
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(-(2 ** 31))).toBe(0);
    expect(toPositive(0)).toBe(0);
    expect(toPositive(479470107)).toBe(479470107);
    expect(toPositive(-5)).not.toBe(Math.abs(-5));
  });

  it("always lands in [0, 2^31) and keeps the low 31 bits", () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (n) => {
        const p = toPositive(n);
        expect(p >= 0 && p <= 0x7fffffff).toBe(true);
        expect(p % 2 ** 16).toBe(((n % 2 ** 16) + 2 ** 16) % 2 ** 16);
      }),
    );
  });
});

describe("partitionForKey", () => {
  it("is (murmur2 & 0x7fffffff) % n on Kafka's vectors", () => {
    for (const [key, hash] of KAFKA_VECTORS) {
      for (const n of [1, 2, 3, 6, 7, 64]) {
        expect(partitionForKey(key, n)).toBe((hash & 0x7fffffff) % n);
      }
    }
    expect(partitionForKey("21", 6)).toBe(1173551340 % 6);
  });

  it("hashes multi-byte keys as their UTF-8 bytes, not UTF-16 units", () => {
    const cases: [string, number[]][] = [
      ["é", [0xc3, 0xa9]],
      ["日本", [0xe6, 0x97, 0xa5, 0xe6, 0x9c, 0xac]],
      ["😀", [0xf0, 0x9f, 0x98, 0x80]],
      ["a\u0000b", [0x61, 0x00, 0x62]],
      // A lone surrogate is hashed as TextEncoder's U+FFFD (Java's String.getBytes writes '?').
      ["\ud800", [0xef, 0xbf, 0xbd]],
    ];
    for (const [key, bytes] of cases) {
      const hash = murmur2Model(new Uint8Array(bytes));
      expect(murmur2(utf8.encode(key))).toBe(hash);
      for (const n of [3, 5, 64]) expect(partitionForKey(key, n)).toBe((hash & 0x7fffffff) % n);
    }
  });

  it("matches the model for arbitrary strings and partition counts", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), fc.integer({ min: 1, max: 64 }), (key, n) => {
        const p = partitionForKey(key, n);
        expect(p).toBe(toPositive(murmur2Model(utf8.encode(key))) % n);
        expect(Number.isInteger(p) && p >= 0 && p < n).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe("HTTP produce routes keyed records by the partitioner", () => {
  const PARTITIONS = 7;
  const KEYS = ["21", "foobar", "abc", "a-little-bit-long-string", "a-little-bit-longer-string", "é", "日本語", "😀-key", "user-42"];

  it("lands each keyed record on partitionForKey(key, partitions), readable there", async () => {
    const topic = "partitioner-keys";
    expect((await call(`/v1/topics/${topic}`, { method: "PUT", body: JSON.stringify({ partitions: PARTITIONS }) })).status).toBe(201);
    // The chosen partitions must spread: a partitioner always answering 0 would fail here.
    expect(new Set(KEYS.map((key) => partitionForKey(key, PARTITIONS))).size).toBeGreaterThan(2);
    const records = KEYS.map((key, i) => ({ key, value: { i } }));
    const produced = await call(`/v1/topics/${topic}/records`, { method: "POST", body: JSON.stringify({ records }) });
    expect(produced.status).toBe(200);
    const { offsets } = produced.json as { offsets: { partition: number; offset: number }[] };
    expect(offsets).toHaveLength(KEYS.length);
    for (const [i, key] of KEYS.entries()) {
      const at = offsets[i]!;
      expect(at.partition).toBe(partitionForKey(key, PARTITIONS));
      const read = await call(`/v1/topics/${topic}/partitions/${at.partition}/records?offset=${at.offset}&limit=1`);
      expect(read.status).toBe(200);
      const [record] = (read.json as { records: { key: string; value: unknown }[] }).records;
      expect(record).toMatchObject({ offset: at.offset, key, value: { i } });
    }
  });

  it("keeps a key on one partition across requests, and an explicit partition overrides the key", async () => {
    const topic = "partitioner-stable";
    expect((await call(`/v1/topics/${topic}`, { method: "PUT", body: JSON.stringify({ partitions: PARTITIONS }) })).status).toBe(201);
    const home = partitionForKey("foobar", PARTITIONS);
    const elsewhere = (home + 1) % PARTITIONS;
    const seen: { partition: number; offset: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await call(`/v1/topics/${topic}/records`, {
        method: "POST",
        body: JSON.stringify({ records: [{ key: "foobar", value: i }] }),
      });
      seen.push(...(res.json as { offsets: { partition: number; offset: number }[] }).offsets);
    }
    expect(seen).toEqual([0, 1, 2].map((offset) => ({ partition: home, offset })));
    const forced = await call(`/v1/topics/${topic}/records`, {
      method: "POST",
      body: JSON.stringify({ records: [{ key: "foobar", value: "forced", partition: elsewhere }] }),
    });
    expect(forced.json).toEqual({ offsets: [{ partition: elsewhere, offset: 0 }] });
  });
});
