/**
 * The wire shapes the console reads, from the protocol module (types only: nothing of it is
 * bundled into the page).
 *
 * @example
 * import type { TopicDescription } from "./types.ts";
 */

export type {
  ConnectorListResponse,
  ConnectorStatus,
  ConnectorSummary,
  ProcessorListResponse,
  ProcessorStatus,
  SourceListResponse,
  SourceStatus,
} from "../client/protocol/index.ts";
export type {
  GroupDescription,
  GroupListResponse,
  GroupOffsetsResponse,
  PartitionStatsResponse,
  TopicDescription,
  TopicSummary,
} from "../client/protocol/wire.ts";
