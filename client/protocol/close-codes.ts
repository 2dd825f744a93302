/**
 * WebSocket close codes: the ones edgelog sends (4000-4999 are the application's, RFC 6455
 * section 7.4.2) and the reserved ones no endpoint may put in a close frame. PROTOCOL.md lists
 * what each means for a client (which ones to reconnect after).
 * Rules: PROTOCOL.md section 20, CLOSE-1 to CLOSE-4, QUOTA-7.
 *
 * @example
 * if (event.code === CLOSE_TOPIC_DELETED) stopReconnecting("UNKNOWN_TOPIC");
 */

/**
 * A normal close: the client or server is done.
 *
 * @example
 * closeCodeToSend(1006); // 1000, CLOSE_NORMAL: a reserved code is answered with it
 */
export const CLOSE_NORMAL = 1000;

/**
 * The client sent faster than it was answered: more than SOCKET_PENDING_FRAMES_MAX frames, or
 * SOCKET_PENDING_CHARACTERS_MAX characters of them, waited to be handled (SOCKET-19; RFC 6455's
 * policy violation). Reconnect after a back-off, and wait for answers before sending more.
 * @example
 * sockets.close(ws, CLOSE_POLICY_VIOLATION, "too many frames waiting"); // the 1,025th frame not yet answered
 */
export const CLOSE_POLICY_VIOLATION = 1008;

/**
 * The client's `hello` named a protocol version this server does not speak. Do not reconnect.
 *
 * @example
 * sockets.close(ws, CLOSE_UNSUPPORTED_VERSION, "unsupported protocol version"); // after such a hello
 */
export const CLOSE_UNSUPPORTED_VERSION = 4400;

/**
 * The socket did not authenticate in time (no `auth` within SOCKET_AUTH_DEADLINE_MS of the upgrade),
 * its `auth` or first message was refused, or its token expired with no fresh one sent (AUTH-9 to
 * AUTH-12): reconnect with a fresh token.
 *
 * @example
 * sockets.close(ws, CLOSE_UNAUTHENTICATED, "token expired"); // at the token's exp, unless re-authenticated
 */
export const CLOSE_UNAUTHENTICATED = 4401;

/**
 * The topic was deleted under the socket. Do not reconnect: the topic is gone (UNKNOWN_TOPIC).
 *
 * @example
 * sockets.close(ws, CLOSE_TOPIC_DELETED, "topic deleted"); // Partition.drop, on each of its sockets
 */
export const CLOSE_TOPIC_DELETED = 4404;

/**
 * The principal already holds its bound of sockets on this partition (QUOTA-7; `socketsMax`):
 * sent after an `error` QUOTA_EXCEEDED when the socket authenticates. Reconnect only after a
 * back-off (at least QUOTA_RECONNECT_DELAY_MS_MIN, growing), or close another socket first.
 *
 * @example
 * sockets.close(ws, CLOSE_QUOTA_EXCEEDED, "too many sockets"); // the principal's socketsMax+1st
 */
export const CLOSE_QUOTA_EXCEEDED = 4429;

/**
 * A group member's session ran out (no ping or join within sessionTimeoutMs, GSOCKET-7): join again.
 *
 * @example
 * sockets.close(ws, CLOSE_SESSION_EXPIRED, "session timed out"); // Group.alarm, to an expired member
 */
export const CLOSE_SESSION_EXPIRED = 4408;

/**
 * Codes reserved by RFC 6455: 1005 (no status), 1006 (abnormal) and 1015 (TLS failure) describe a
 * close to the application and must never be sent in a close frame.
 *
 * @example
 * CLOSE_CODES_RESERVED.includes(1005); // true: never sent, answered with 1000 (closeCodeToSend)
 */
export const CLOSE_CODES_RESERVED: readonly number[] = [1005, 1006, 1015];

/**
 * Close codes after which a client must not reconnect: the server will refuse it again.
 *
 * @example
 * CLOSE_CODES_FINAL.includes(4404); // true
 */
export const CLOSE_CODES_FINAL: readonly number[] = [CLOSE_UNSUPPORTED_VERSION, CLOSE_TOPIC_DELETED];

/**
 * The code to answer a peer's close with: its own code, except a reserved one (then 1000).
 *
 * @example
 * ws.close(closeCodeToSend(1005), reason); // sends 1000
 */
export function closeCodeToSend(code: number): number {
  return CLOSE_CODES_RESERVED.includes(code) ? CLOSE_NORMAL : code;
}
