/**
 * Helpers for the flow-control tests (subscribe-flow, subscribe-window, subscribe-consumed):
 * read what a subscriber gets up to a `paused` or `live`, measure frames as the window does
 * (UTF-8 bytes of the whole `records` frame, envelope included), and make records of a given size.
 *
 * @example
 * const round = await readRound(sock);
 * expect(round.bytes).toBeLessThanOrEqual(SUBSCRIBER_WINDOW_BYTES_MAX);
 */
import { expect } from "vitest";
import type { FetchedRecord } from "../../client/protocol/index.ts";
import { SUBSCRIBER_WINDOW_BYTES_MAX, SUBSCRIBER_WINDOW_MESSAGES_MAX, utf8Length } from "../../client/protocol/index.ts";
import type { TestSocket } from "./socket.ts";

/** What arrived up to a flow-control stop: its records, their frames' bytes, and how it ended. */
export interface Round {
  records: FetchedRecord[];
  /** The records per `records` message, in order. */
  perMessage: number[];
  messages: number;
  /** UTF-8 bytes of every `records` frame of the round, whole frames. */
  bytes: number;
  end: "paused" | "live";
  endId: string;
  endOffset: number;
}

/**
 * Takes frames in arrival order until `paused` or `live`; any other frame fails the test.
 *
 * @example
 * const { records, end } = await readRound(sock);
 */
export async function readRound(sock: TestSocket): Promise<Round> {
  const round: Round = { records: [], perMessage: [], messages: 0, bytes: 0, end: "live", endId: "", endOffset: -1 };
  for (let turn = 0; turn < 10_000; turn++) {
    const { message, raw, bytes } = await sock.nextFrame();
    if (message.type === "records") {
      round.records.push(...message.records);
      round.perMessage.push(message.records.length);
      round.messages += 1;
      round.bytes += bytes;
    } else if (message.type === "paused" || message.type === "live") {
      round.end = message.type;
      round.endId = message.id;
      round.endOffset = message.offset;
      return round;
    } else {
      throw new Error(`unexpected frame in a round: ${raw.slice(0, 200)}`);
    }
  }
  throw new Error("a round of more than 10,000 frames");
}

/**
 * The UTF-8 bytes of a `records` frame holding `record` alone, as the partition writes it (the
 * stored line is JSON.stringify's own output, so stringifying the parsed record gives it back).
 *
 * @example
 * aloneFrameBytes(topic, 0, record, 12); // what pushing just this record would cost the window
 */
export function aloneFrameBytes(topic: string, partition: number, record: FetchedRecord, highWatermark: number): number {
  const frame = { type: "records", topic, partition, records: [record], highWatermark };
  return utf8Length(JSON.stringify(frame));
}

/**
 * Asserts a round kept the window (D1): at most SUBSCRIBER_WINDOW_MESSAGES_MAX messages and
 * SUBSCRIBER_WINDOW_BYTES_MAX bytes, or a single message of a single record.
 *
 * @example
 * expectWithinWindow(await readRound(sock));
 */
export function expectWithinWindow(round: Round, label = ""): void {
  expect(round.messages, label).toBeLessThanOrEqual(SUBSCRIBER_WINDOW_MESSAGES_MAX);
  const aloneException = round.messages === 1 && round.perMessage[0] === 1;
  if (!aloneException) expect(round.bytes, label).toBeLessThanOrEqual(SUBSCRIBER_WINDOW_BYTES_MAX);
}

/**
 * A string value whose JSON encoding is `bytes` UTF-8 bytes of `char` repeated (plus its quotes):
 * "x" is one byte, "世" three (one UTF-16 unit, so `string.length` would count a third of it).
 *
 * @example
 * filler(300_000, "世"); // 100,000 characters, 300,000 bytes
 */
export function filler(bytes: number, char: "x" | "世"): string {
  const width = utf8Length(char);
  if (bytes % width !== 0) throw new Error(`${bytes} bytes is not a whole number of ${width}-byte characters`);
  return char.repeat(bytes / width);
}
