/**
 * Kafka's murmur2 hash (the default partitioner's), bit for bit: the same key lands on the same
 * partition in edgelog as in a Kafka cluster with the same partition count.
 * Rules: PROTOCOL.md PART-2.
 *
 * @example
 * murmur2(new TextEncoder().encode("21")); // -973932308, as in Kafka's UtilsTest
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const m = 0x5bd1e995;
  const r = 24;
  // Kafka's seed 0x9747b28c, as a signed 32-bit integer.
  let h = (0x9747b28c ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24) | 0;
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const tail = length & ~3;
  // Java's switch falls through from 3 to 1; the same here with ifs.
  const rest = length % 4;
  if (rest >= 3) h ^= data[tail + 2]! << 16;
  if (rest >= 2) h ^= data[tail + 1]! << 8;
  if (rest >= 1) {
    h ^= data[tail]!;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * Kafka's `Utils.toPositive`: clears the sign bit (not Math.abs, which differs for negatives).
 *
 * @example
 * toPositive(-973932308); // 1173551340
 */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}
