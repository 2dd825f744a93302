/**
 * The console's forms: create a topic (partitions, cleanup.policy, retention.bytes), produce a
 * record (key, JSON value, partition by key or explicit), and the admin token login.
 *
 * @example
 * wireForms({ selectedTopic: () => state.topic, onChange: () => void refresh() });
 */
import { api, tokenGet, tokenSet, topicPath } from "./api.ts";
import { byId, el, showError } from "./dom.ts";

/**
 * What the forms need from the page.
 *
 * @example
 * const options: FormsOptions = { selectedTopic: () => "orders", onChange: refresh, onCreated: select };
 */
export interface FormsOptions {
  /** The topic produce writes to. */
  selectedTopic: () => string | null;
  /** Something changed on the server (or the token did): refresh now. */
  onChange: () => void;
  /** A topic was created. */
  onCreated: (topic: string) => void;
}

const input = (id: string) => byId<HTMLInputElement>(id);

function note(id: string, text: string): void {
  const node = byId(id);
  node.textContent = text;
  node.hidden = text === "";
}

/** The create-topic body from the form, or an error for a bad field. */
function createBody(): { partitions: number; config: Record<string, string | number> } {
  const config: Record<string, string | number> = { "cleanup.policy": byId<HTMLSelectElement>("create-policy").value };
  const bytes = input("create-retention-bytes").value.trim();
  if (bytes !== "") config["retention.bytes"] = Number(bytes);
  return { partitions: Number(input("create-partitions").value), config };
}

function wireCreate(options: FormsOptions): void {
  byId<HTMLFormElement>("create-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = input("create-name").value.trim();
    try {
      await api("PUT", topicPath(name), createBody());
      showError(byId("create-error"), null);
      note("create-note", `created ${name}`);
      options.onCreated(name);
    } catch (error) {
      note("create-note", "");
      showError(byId("create-error"), error);
    }
  });
}

/** The record the produce form describes (the value parsed as JSON). */
function produceRecord(): Record<string, unknown> {
  const record: Record<string, unknown> = { value: JSON.parse(byId<HTMLTextAreaElement>("produce-value").value) };
  const key = input("produce-key").value;
  if (key !== "") record.key = key;
  const partition = byId<HTMLSelectElement>("produce-partition").value;
  if (partition !== "") record.partition = Number(partition);
  return record;
}

function wireProduce(options: FormsOptions): void {
  byId<HTMLFormElement>("produce-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const topic = options.selectedTopic();
    if (topic === null) return;
    try {
      const answer = await api<{ offsets: { partition: number; offset: number }[] }>("POST", `${topicPath(topic)}/records`, {
        records: [produceRecord()],
      });
      const at = answer.offsets[0];
      showError(byId("produce-error"), null);
      note("produce-note", at ? `appended at partition ${at.partition}, offset ${at.offset}` : "appended");
      options.onChange();
    } catch (error) {
      note("produce-note", "");
      showError(
        byId("produce-error"),
        error instanceof SyntaxError ? Object.assign(new Error(`the value is not JSON: ${error.message}`), { code: "BAD_JSON" }) : error,
      );
    }
  });
}

/**
 * Fills the produce form's partition choice for a topic of `partitions`.
 *
 * @example
 * setProducePartitions(3); // by key, 0, 1, 2
 */
export function setProducePartitions(partitions: number): void {
  const select = byId<HTMLSelectElement>("produce-partition");
  if (select.options.length === partitions + 1) return;
  select.replaceChildren(
    el("option", { value: "" }, "by key"),
    ...Array.from({ length: partitions }, (_, p) => el("option", { value: p }, String(p))),
  );
}

/**
 * Shows the token form (with the server's message) when auth is required and no token works.
 *
 * @example
 * askToken("token expired");
 */
export function askToken(message: string): void {
  byId("token-panel").hidden = false;
  const error = byId("token-error");
  error.textContent = message;
  error.hidden = message === "";
}

function wireToken(options: FormsOptions): void {
  byId<HTMLFormElement>("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    tokenSet(input("token-input").value.trim());
    input("token-input").value = "";
    byId("token-panel").hidden = true;
    options.onChange();
  });
  byId("token-forget").addEventListener("click", () => {
    tokenSet(null);
    askToken("");
  });
  if (document.body.dataset.auth === "required" && tokenGet() === null) askToken("");
}

/**
 * Wires the create, produce and token forms.
 *
 * @example
 * wireForms({ selectedTopic: () => "orders", onChange: () => undefined, onCreated: () => undefined });
 */
export function wireForms(options: FormsOptions): void {
  wireCreate(options);
  wireProduce(options);
  wireToken(options);
}
