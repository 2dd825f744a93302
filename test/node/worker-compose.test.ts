/**
 * edgelog inside a user's own Worker, composed from this checkout's sources (test/compose, with
 * `edgelog/worker` and `edgelog/protocol` aliased to worker/edgelog.ts and the protocol's door):
 * the suite in compose-suite.ts.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/worker-compose.test.ts
 */

import { startComposition } from "./compose-runtime.ts";
import { describeComposition } from "./compose-suite.ts";

describeComposition("edgelog/worker from the sources", (dir) => startComposition({ dir }));
