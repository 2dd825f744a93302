/**
 * Completes a WebSocket's closing handshake from a Durable Object's `webSocketClose`. Without this
 * reply (this compatibility date does not auto-reply to close frames), a client's socket hangs in
 * CLOSING until its own timeout and is then reported as abnormal (1006).
 *
 * @example
 * override async webSocketClose(ws, code, reason) { answerClose(ws, code, reason); }
 */
import { closeCodeToSend } from "../client/protocol/index.ts";

export function answerClose(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(closeCodeToSend(code), reason);
  } catch {
    // Already closed or never open: nothing left to answer.
  }
}
