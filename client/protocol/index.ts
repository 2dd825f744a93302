/**
 * edgelog's wire contract, the one door to it: error codes and statuses, limits, wire shapes,
 * names, value checks, HTTP sources' configuration, token claims and grants, record/commit/topic-config parsing (and the one-scan produce parse), socket messages and their parser,
 * close codes, route paths, the start rule, murmur2 and the partitioner. The worker and the
 * browser client import this module and nothing else of this folder, so the two sides can never
 * drift. It has no DOM, no IndexedDB and no Workers types (its own tsconfig refuses them);
 * PROTOCOL.md beside it is the spec, and its rule numbers are cited from the code.
 *
 * @example
 * import { parseProduceRequest, partitionForKey, EdgelogError } from "edgelog/protocol";
 */

export * from "./auth-limits.ts";
export * from "./checks.ts";
export * from "./claims.ts";
export * from "./close-codes.ts";
export * from "./commits.ts";
export * from "./compact-ack.ts";
export * from "./connector-limits.ts";
export * from "./connectors.ts";
export * from "./errors.ts";
export * from "./frames.ts";
export * from "./grants.ts";
export * from "./json-depth.ts";
export * from "./json-scan.ts";
export * from "./limits.ts";
export * from "./membership.ts";
export * from "./messages.ts";
export * from "./metrics-limits.ts";
export * from "./murmur2.ts";
export * from "./names.ts";
export * from "./parse-message.ts";
export * from "./partitioner.ts";
export * from "./processors.ts";
export * from "./produce-scan.ts";
export * from "./quota.ts";
export * from "./quota-limits.ts";
export * from "./records.ts";
export * from "./routes.ts";
export * from "./rpc-errors.ts";
export * from "./schema-compatibility.ts";
export * from "./schema-document.ts";
export * from "./schema-keywords.ts";
export * from "./schema-limits.ts";
export * from "./schema-subjects.ts";
export * from "./schema-subset.ts";
export * from "./schema-validate.ts";
export * from "./source-limits.ts";
export * from "./sources.ts";
export * from "./start.ts";
export * from "./stream-limits.ts";
export * from "./topic-config.ts";
export * from "./wire.ts";
