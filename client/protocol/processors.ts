/**
 * The stream processors' state as the API shows it (PROC-6), and the list answers of the
 * processor, connector and source routes: the shapes `GET /v1/processors`, `GET
 * /v1/connectors` and `GET /v1/sources` answer, so the client and the command line read them
 * typed.
 *
 * Rules: PROTOCOL.md PROC-6, CONNECT-8, SOURCE-3.
 *
 * @example
 * const { processors } = (await res.json()) as ProcessorListResponse;
 * const lagging = processors.filter((p) => p.lag > 0).map((p) => p.name);
 */
import type { ConnectorStatus } from "./connectors.ts";
import type { ErrorCode } from "./errors.ts";
import type { SourceStatus } from "./sources.ts";

/**
 * One input partition's line of a processor (PROC-6).
 *
 * @example
 * const { inputOffset, highWatermark, lag, lastError } = line;
 */
export interface ProcessorPartitionStatus {
  partition: number;
  /** The next input offset to process (everything below was processed and its output appended). */
  inputOffset: number;
  /** The input's high watermark now. */
  highWatermark: number;
  lag: number;
  recordsIn: number;
  recordsOut: number;
  /** Records dropped because their window had closed. */
  lateRecords: number;
  steps: number;
  lastStepMs: number | null;
  /** Input records per second over the last full minute (0 before one). */
  recordsInPerS: number;
  openWindows: number;
  lastError: { code: ErrorCode; message: string; atMs: number } | null;
}

/**
 * One processor's state (`GET /v1/processors/:name`, PROC-6): the top level adds up the partitions'.
 *
 * @example
 * const { state, lag, recordsInPerS, partitions } = await client.admin.describeProcessor("views-by-page");
 */
export interface ProcessorStatus {
  name: string;
  input: string;
  output: string;
  group: string;
  windowed: boolean;
  /** "running" once every input partition is woken; "waiting" while the input topic does not exist (no partitions). */
  state: "running" | "waiting";
  lag: number;
  recordsIn: number;
  recordsOut: number;
  recordsInPerS: number;
  partitions: ProcessorPartitionStatus[];
}

/**
 * What `GET /v1/processors` answers: every registered processor, in registration order.
 *
 * @example
 * const names = ((await res.json()) as ProcessorListResponse).processors.map((p) => p.name);
 */
export interface ProcessorListResponse {
  processors: ProcessorStatus[];
}

/**
 * A connector as `GET /v1/connectors` lists it: its status without the partitions' lines, its
 * lag as of its last step (CONNECT-8).
 *
 * @example
 * const { name, config, lag, deliveredRecords }: ConnectorSummary = connectors[0]!;
 */
export type ConnectorSummary = Omit<ConnectorStatus, "partitions">;

/**
 * What `GET /v1/connectors` answers.
 *
 * @example
 * const names = ((await res.json()) as ConnectorListResponse).connectors.map((c) => c.name);
 */
export interface ConnectorListResponse {
  connectors: ConnectorSummary[];
}

/**
 * What `GET /v1/sources` answers: every source's status, in name order (SOURCE-3).
 *
 * @example
 * const accepted = ((await res.json()) as SourceListResponse).sources.reduce((n, s) => n + s.accepted, 0);
 */
export interface SourceListResponse {
  sources: SourceStatus[];
}
