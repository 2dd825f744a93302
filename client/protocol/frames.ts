/**
 * A socket frame as both sockets (partition and group) read it: text of at most
 * SOCKET_MESSAGE_BYTES_MAX, JSON, an object with a string `type`; and, for an error answer, the
 * request id the frame names even when it is none of those.
 * Rules: PROTOCOL.md SOCKET-2, SOCKET-12, GSOCKET-2.
 *
 * @example
 * const value = parseFrame('{"type":"leave","id":"l1"}'); // { type: "leave", id: "l1" }
 */
import { isObject, utf8Length } from "./checks.ts";
import { EdgelogError } from "./errors.ts";
import { SOCKET_MESSAGE_BYTES_MAX } from "./limits.ts";

/**
 * A frame's UTF-8 size, measured only when it matters: a frame has at least as many bytes as
 * UTF-16 units and at most three times as many, so only a frame between SOCKET_MESSAGE_BYTES_MAX / 3
 * and SOCKET_MESSAGE_BYTES_MAX units is measured byte by byte.
 */
function frameBytes(text: string): number {
  if (text.length > SOCKET_MESSAGE_BYTES_MAX || text.length * 3 <= SOCKET_MESSAGE_BYTES_MAX) return text.length;
  return utf8Length(text);
}

/**
 * Parses a frame into an object with a string `type`, or throws REQUEST_TOO_LARGE, INVALID_JSON
 * or INVALID_REQUEST.
 *
 * @example
 * parseFrame("[]"); // throws INVALID_REQUEST
 */
export function parseFrame(text: string): Record<string, unknown> & { type: string } {
  if (frameBytes(text) > SOCKET_MESSAGE_BYTES_MAX) {
    throw new EdgelogError("REQUEST_TOO_LARGE", `a message is at most ${SOCKET_MESSAGE_BYTES_MAX} bytes of UTF-8`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new EdgelogError("INVALID_JSON", `the message is not JSON: ${(error as Error).message}`);
  }
  if (!isObject(value) || typeof value.type !== "string") {
    throw new EdgelogError("INVALID_REQUEST", "a message is a JSON object with a string `type`");
  }
  return value as Record<string, unknown> & { type: string };
}

/**
 * The id a frame names, found without parsing it (the frame may not be JSON at all), so an error
 * answer can name the request it refuses; null when there is none to read. Best effort: an id
 * with escapes or past the first 512 characters is not found.
 *
 * @example
 * frameId('{"type":"subscribe","id":"s1","from":"yesterday"}'); // "s1"
 */
export function frameId(frame: string): string | null {
  const match = /"id"\s*:\s*"([^"\\]{1,64})"/.exec(frame.slice(0, 512));
  return match?.[1] ?? null;
}
