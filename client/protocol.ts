/**
 * edgelog's wire contract: limits, error codes, message shapes, validation and the partitioner.
 * Worker and browser client both import this module (it has no DOM and no IndexedDB), so the two
 * sides can never drift.
 *
 * @example
 * import { parseProduceRequest, partitionForKey, EdgelogError } from "edgelog/protocol";
 */
export * from "./limits.ts";
export * from "./errors.ts";
export * from "./wire.ts";
export * from "./names.ts";
export * from "./records.ts";
export * from "./topic-config.ts";
export * from "./commits.ts";
export { decimal } from "./checks.ts";
export { murmur2, toPositive } from "./murmur2.ts";
export { partitionForKey, stickyPartition } from "./partitioner.ts";
