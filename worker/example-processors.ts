/**
 * This repository's example stream processors (README "Stream processors"), registered by its
 * Worker (index.ts): they run only once woken (GET /v1/processors) and only act on their own
 * topics, created by whoever wants to try them.
 *
 * - `example-views-by-page`: `example-page-views` (values `{page, ms}`) re-keyed by page into
 *   `example-page-views-by-page` (the repartition a window needs: PROC-5).
 * - `example-page-views-per-minute`: `example-page-views-by-page` counted per page and minute,
 *   `sum` the ms, into the compacted `example-page-view-counts`.
 * - `example-slow-views`: the views slower than 1 s, as `{page, ms}` keyed by page, into
 *   `example-slow-views`.
 *
 * @example
 * createEdgelog({ processors: EXAMPLE_PROCESSORS });
 */
import type { JsonValue } from "../client/protocol/index.ts";
import { filter, map, type ProcessorDefinition, rekey } from "./processors/processor-definition.ts";

/** A page view's value, as the examples read it (anything else counts as page "unknown", 0 ms). */
function view(value: JsonValue): { page: string; ms: number } {
  const object = typeof value === "object" && value !== null && !Array.isArray(value) ? value : {};
  const page = typeof object.page === "string" ? object.page : "unknown";
  const ms = typeof object.ms === "number" && Number.isFinite(object.ms) ? object.ms : 0;
  return { page, ms };
}

/**
 * The example processors.
 *
 * @example
 * const [byPage, perMinute, slow] = EXAMPLE_PROCESSORS;
 */
export const EXAMPLE_PROCESSORS: readonly ProcessorDefinition[] = [
  {
    name: "example-views-by-page",
    input: "example-page-views",
    output: "example-page-views-by-page",
    operators: [rekey((r) => view(r.value).page)],
  },
  {
    name: "example-page-views-per-minute",
    input: "example-page-views-by-page",
    output: "example-page-view-counts",
    window: { sizeMs: 60_000, graceMs: 10_000, sum: (r) => view(r.value).ms },
  },
  {
    name: "example-slow-views",
    input: "example-page-views",
    output: "example-slow-views",
    operators: [filter((r) => view(r.value).ms > 1_000), map((r) => view(r.value)), rekey((r) => view(r.value).page)],
  },
];
