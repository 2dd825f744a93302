/**
 * RECORD-7's measure, jsonDepthExceeds, on texts JSON.stringify writes: brackets in strings
 * (escaped quotes and backslashes included) never count, and the limit is exact; and the client
 * refuses a value nested past VALUE_DEPTH_MAX as the server does (encodeRecord, shared).
 */
import { describe, expect, it } from "vitest";
import { EdgelogError, encodeRecord, jsonDepthExceeds, VALUE_DEPTH_MAX } from "../../client/protocol/index.ts";

const nested = (levels: number): unknown => JSON.parse("[".repeat(levels) + "]".repeat(levels));

describe("jsonDepthExceeds", () => {
  it("counts arrays and objects outside strings, exactly at the limit", () => {
    expect(jsonDepthExceeds("[[[]]]", 3)).toBe(false);
    expect(jsonDepthExceeds("[[[[]]]]", 3)).toBe(true);
    expect(jsonDepthExceeds('{"a":{"b":[1]}}', 2)).toBe(true);
    expect(jsonDepthExceeds('{"a":{"b":[1]}}', 3)).toBe(false);
  });

  it("ignores brackets inside strings, after escaped quotes and backslashes too", () => {
    const text = JSON.stringify(["[[[[{{{{", 'a "[[[[" b', "\\", "\\[[[[", { k: '"{{{{' }]);
    expect(jsonDepthExceeds(text, 2)).toBe(false);
    expect(jsonDepthExceeds(text, 1)).toBe(true);
  });
});

describe("encodeRecord and VALUE_DEPTH_MAX", () => {
  it("takes a value nested VALUE_DEPTH_MAX levels and refuses one more with INVALID_RECORD", () => {
    expect(encodeRecord({ value: nested(VALUE_DEPTH_MAX) }, "r").tail).toContain("[".repeat(VALUE_DEPTH_MAX));
    let refused: unknown = null;
    try {
      encodeRecord({ value: nested(VALUE_DEPTH_MAX + 1) }, "r");
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(EdgelogError);
    expect((refused as EdgelogError).code).toBe("INVALID_RECORD");
  });
});
