/**
 * The test deployment's auth settings, shared by test/vitest.config.ts (the worker-auth project's
 * bindings) and the tests that mint tokens for it. A test secret, never a deployment's.
 *
 * @example
 * import { TEST_JWT_SECRET } from "./test-keys.ts";
 */

/** The HS256 secret of the worker-auth project (at least 32 bytes). */
export const TEST_JWT_SECRET = "edgelog-test-secret-0123456789abcdef";

/** The one origin the worker-auth project allows (EDGELOG_ALLOWED_ORIGINS). */
export const TEST_ALLOWED_ORIGIN = "https://app.example";
