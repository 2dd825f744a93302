/**
 * Row 9: the partition object's memory per subscribed socket (bench/scenarios/socket-memory.ts:
 * workerd's resident set before and after SOCKET_MEMORY_SOCKETS subscribed sockets, divided by
 * their number), against issue 12's target of SOCKET_MEMORY_TARGET_KIB on the Miniflare API
 * (under wrangler dev the proxy's own workerd holds a second copy of every connection, and is
 * printed for the record).
 *
 * @example
 * const [row] = socketMemoryRows(measurements, PROFILES.full);
 * row?.edgelogDirect?.median; // KiB per socket on Miniflare, e.g. 120
 */
import type { BenchProfile } from "../profiles.ts";
import type { ComparisonRow, Measurement } from "../result.ts";
import { SOCKET_MEMORY_SOCKETS, SOCKET_MEMORY_TARGET_KIB } from "../scenarios/socket-memory.ts";
import type { Summary } from "../stats.ts";
import type { SystemId } from "../systems/types.ts";

function kibPerSocket(measurements: readonly Measurement[], system: SystemId): Summary | null {
  const m = measurements.find((x) => x.system === system && x.scenario === "socket-memory" && x.runs.length > 0);
  const s = m?.summary.kibPerSocket;
  return s && s.n > 0 && Number.isFinite(s.median) ? s : null;
}

/**
 * The socket-memory row, pass or miss on the Miniflare figure; none when neither edgelog system
 * measured it (scenario 6 alone, or `--systems` without edgelog).
 *
 * @example
 * socketMemoryRows(runner.measurements, profile).map((r) => r.result); // ["miss"]
 */
export function socketMemoryRows(measurements: readonly Measurement[], profile: BenchProfile): ComparisonRow[] {
  const wrangler = kibPerSocket(measurements, "edgelog-wrangler");
  const direct = kibPerSocket(measurements, "edgelog-miniflare");
  if (wrangler === null && direct === null) return [];
  const sockets = SOCKET_MEMORY_SOCKETS[profile.name].toLocaleString("en-US");
  return [
    {
      label: `9 workerd memory per subscribed socket (${sockets} sockets)`,
      unit: "KiB/socket",
      better: "lower",
      edgelog: wrangler,
      edgelogDirect: direct,
      ratioOf: "miniflare",
      peer: null,
      peerLabel: "",
      peerValue: null,
      ratio: null,
      target: `<= ${SOCKET_MEMORY_TARGET_KIB} KiB`,
      targetValue: SOCKET_MEMORY_TARGET_KIB,
      result: direct === null ? "n/a" : direct.median <= SOCKET_MEMORY_TARGET_KIB ? "pass" : "miss",
      note: "workerd's resident set before and after, per socket; the target is on the Miniflare API (wrangler dev's proxy holds each connection too)",
    },
  ];
}
