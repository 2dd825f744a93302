/**
 * A feed message: the JSON value of each record on the feed topic, keyed by its author (so one
 * author's messages keep their order, on one partition). Records anyone else wrote to the topic
 * (the admin console takes any JSON) are shown as their JSON rather than refused.
 *
 * @example
 * const value = newMessage("ada", "hello"); // { author: "ada", text: "hello", id: "4f0c..." }
 * const shown = readMessage(record.value); // { author, text, id } or null
 */
import type { JsonValue } from "../../client/index.ts";
import { AUTHOR_LENGTH_MAX, MESSAGE_LENGTH_MAX } from "./feed-limits.ts";

/**
 * What one message holds.
 *
 * @example
 * const message: FeedMessage = { author: "ada", text: "hello", id: "4f0c..." };
 */
export interface FeedMessage {
  author: string;
  text: string;
  /** Unique per message: what tells two equal texts apart (and lets a test count them). */
  id: string;
}

/**
 * A new message with a fresh id; author and text trimmed to their limits.
 *
 * @example
 * await client.enqueue("feed", { key: "ada", value: { ...newMessage("ada", "hi") } });
 */
export function newMessage(author: string, text: string): FeedMessage {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  const id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return { author: author.trim().slice(0, AUTHOR_LENGTH_MAX) || "anonymous", text: text.trim().slice(0, MESSAGE_LENGTH_MAX), id };
}

/**
 * The message in a record's value, or null when the value is something else.
 *
 * @example
 * readMessage({ author: "ada", text: "hi", id: "1" }); // the message
 * readMessage(42); // null
 */
export function readMessage(value: JsonValue): FeedMessage | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const { author, text, id } = value;
  if (typeof author !== "string" || typeof text !== "string" || typeof id !== "string") return null;
  return { author, text, id };
}
