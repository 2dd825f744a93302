/**
 * The live tail of one partition: the SSE route (`GET .../records?offset=N&live=sse`, PROTOCOL.md
 * SSE-1) read through fetch rather than EventSource, so the admin token goes in the Authorization
 * header. The newest TAIL_RECORDS_MAX records are shown, newest first; a stream that ends (the
 * server ends each after a while) resumes from the next offset.
 *
 * @example
 * const tail = new LiveTail();
 * tail.start("orders", 0, 42);
 * tail.stop();
 */
import { authHeaders, BASE, topicPath } from "./api.ts";
import { byId, el, showError } from "./dom.ts";

/** Records the tail shows. */
const TAIL_RECORDS_MAX = 50;

/** Characters of a value shown. */
const VALUE_CHARS_SHOWN = 200;

/** Bytes of one SSE event kept while it is parsed (a record is far below). */
const EVENT_CHARS_MAX = 2_000_000;

/** How long a failed stream waits before it is opened again. */
const RETRY_MS = 2_000;

interface TailRecord {
  offset: number;
  key: string | null;
  value: unknown;
  timestamp: number;
}

/**
 * A partition's live tail in #tail.
 *
 * @example
 * new LiveTail().start("orders", 0, 0);
 */
export class LiveTail {
  #abort: AbortController | null = null;
  #records: TailRecord[] = [];
  #next = 0;

  /**
   * Tails `topic`/`partition` from `offset`, replacing any tail running.
   *
   * @example
   * tail.start("orders", 2, description.partitions[2].highWatermark);
   */
  start(topic: string, partition: number, offset: number): void {
    this.stop();
    this.#records = [];
    this.#next = offset;
    const abort = new AbortController();
    this.#abort = abort;
    byId("tail-partition").textContent = `${topic} / ${partition}`;
    this.#render();
    void this.#loop(topic, partition, abort.signal);
  }

  /**
   * Stops the tail.
   *
   * @example
   * tail.stop();
   */
  stop(): void {
    this.#abort?.abort();
    this.#abort = null;
  }

  async #loop(topic: string, partition: number, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.#stream(topic, partition, signal);
        showError(byId("tail-error"), null);
      } catch (error) {
        if (signal.aborted) return;
        showError(byId("tail-error"), error);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  async #stream(topic: string, partition: number, signal: AbortSignal): Promise<void> {
    const url = `${BASE}${topicPath(topic)}/partitions/${partition}/records?offset=${this.#next}&live=sse`;
    const response = await fetch(url, { headers: { ...authHeaders(), accept: "text/event-stream" }, signal });
    if (!response.ok || response.body === null) throw new Error(`the tail got HTTP ${response.status}`);
    byId("tail-state").textContent = "live";
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += value;
      if (buffer.length > EVENT_CHARS_MAX) throw new Error("an SSE event too large to show");
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        this.#event(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
      }
    }
  }

  #event(text: string): void {
    const lines = text.split("\n");
    const kind = lines.find((line) => line.startsWith("event: "))?.slice(7) ?? "message";
    const data = lines
      .filter((line) => line.startsWith("data: "))
      .map((line) => line.slice(6))
      .join("\n");
    if (kind === "reset") this.#records = [];
    if (kind === "error") throw new Error(`the stream ended with an error: ${data.slice(0, 200)}`);
    if (kind !== "record") return;
    const record = JSON.parse(data) as TailRecord;
    this.#next = record.offset + 1;
    this.#records.unshift(record);
    if (this.#records.length > TAIL_RECORDS_MAX) this.#records.length = TAIL_RECORDS_MAX;
    this.#render();
  }

  #render(): void {
    const items = this.#records.map((r) => {
      const value = JSON.stringify(r.value) ?? "null";
      return el(
        "li",
        { "data-offset": r.offset },
        el("span", { class: "offset" }, `#${r.offset}`),
        el("span", { class: "key" }, r.key ?? "∅"),
        el("code", { class: "value" }, value.length > VALUE_CHARS_SHOWN ? `${value.slice(0, VALUE_CHARS_SHOWN)}…` : value),
        el("span", { class: "time" }, new Date(r.timestamp).toISOString()),
      );
    });
    byId("tail").replaceChildren(...items);
    if (items.length === 0) byId("tail").replaceChildren(el("li", { class: "hint" }, "Waiting for new records…"));
  }
}
