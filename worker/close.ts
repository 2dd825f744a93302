/**
 * Completes a WebSocket's closing handshake from a Durable Object's `webSocketClose`. Without this
 * reply (this compatibility date does not auto-reply to close frames), a client's socket hangs in
 * CLOSING until its own timeout and is then reported as abnormal (1006).
 *
 * @example
 * override async webSocketClose(ws, code, reason) { answerClose(ws, code, reason); }
 */
export function answerClose(ws: WebSocket, code: number, reason: string): void {
  // 1005 (no status) and 1006 (abnormal) are reserved: they may not be sent in a close frame.
  const sendable = code === 1005 || code === 1006 ? 1000 : code;
  try {
    ws.close(sendable, reason);
  } catch {
    // Already closed or never open: nothing left to answer.
  }
}
