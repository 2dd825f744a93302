/**
 * Limits of one `GET /v1/metrics` scrape (PROTOCOL.md METRICS-3, METRICS-5): what it visits is
 * bounded, what lies past a bound is counted in an `edgelog_metrics_*_skipped` family.
 *
 * @example
 * const visited = partitions.slice(0, METRICS_PARTITIONS_MAX);
 */

/**
 * The partitions one `GET /v1/metrics` scrape asks for stats (one RPC each, METRICS-3); the
 * partitions past it are counted in `edgelog_metrics_partitions_skipped`, not visited.
 *
 * @example
 * const visited = partitions.slice(0, METRICS_PARTITIONS_MAX);
 */
export const METRICS_PARTITIONS_MAX = 512;

/**
 * The groups one `GET /v1/metrics` scrape describes and measures lag for (METRICS-3); the groups
 * past it are counted in `edgelog_metrics_groups_skipped`.
 *
 * @example
 * const measured = groups.slice(0, METRICS_GROUPS_MAX);
 */
export const METRICS_GROUPS_MAX = 64;

/**
 * The processor partitions one `GET /v1/metrics` scrape reads the status of (METRICS-5: one call
 * to the processor object and one to its input partition each); a processor whose partitions do
 * not fit what is left is counted in `edgelog_metrics_processors_skipped`, not visited.
 *
 * @example
 * if (meta.partitions > left) skipped += 1;
 */
export const METRICS_PROCESSOR_PARTITIONS_MAX = 256;
