/**
 * The pipelines view: the stream processors (GET /v1/processors), the connectors (GET
 * /v1/connectors) with the picked one's partition lines (GET /v1/connectors/:name) and the HTTP
 * sources (GET /v1/sources). Its panels are built here and placed after the page's <main> (the
 * page's markup is the Worker's). A FORBIDDEN answer shows that the list needs admin on *; a
 * NOT_FOUND one, that the Worker has no such binding (the feature is not enabled).
 *
 * @example
 * mountPipelines();
 * const view = new PipelinesView({ onPick: (connector) => select(connector) });
 * await view.refresh("orders-hook");
 */
import { ApiError, api } from "./api.ts";
import { byId, el, showError } from "./dom.ts";
import { connectorPartitionsTable, connectorsTable, processorsTable, sourcesTable } from "./pipeline-rows.ts";
import type { ConnectorListResponse, ConnectorStatus, ProcessorListResponse, SourceListResponse } from "./types.ts";

/** Rows listed per table (the rest are not shown). */
const PIPELINES_SHOWN_MAX = 200;

/** One list panel: its title, the element ids it uses and what it says when empty. */
const LISTS = [
  { id: "processors", title: "Processors", empty: "No processors registered." },
  { id: "connectors", title: "Connectors", empty: "No connectors yet." },
  { id: "sources", title: "HTTP sources", empty: "No HTTP sources yet." },
] as const;

/**
 * What the pipelines view tells the page.
 *
 * @example
 * const options: PipelinesViewOptions = { onPick: (connector) => select(connector) };
 */
export interface PipelinesViewOptions {
  /** A connector row was picked. */
  onPick: (connector: string) => void;
}

function panel(id: string, title: HTMLElement | string, ...body: HTMLElement[]): HTMLDivElement {
  return el(
    "div",
    { class: "panel", id: `${id}-panel` },
    el("h2", {}, title),
    ...body,
    el("p", { class: "error", id: `${id}-error`, role: "alert", hidden: true }),
  );
}

/**
 * Adds the pipelines section (processors, connectors, the picked connector, sources) after the
 * page's <main>; does nothing when it is there already.
 *
 * @example
 * mountPipelines(); // document.getElementById("pipelines") !== null
 */
export function mountPipelines(): void {
  if (document.getElementById("pipelines") !== null) return;
  const lists = LISTS.map((list) => panel(list.id, list.title, el("div", { id: list.id })));
  const detail = panel(
    "connector",
    el("span", {}, "Connector ", el("span", { class: "name", id: "connector-name" })),
    el("div", { id: "connector-partitions" }),
  );
  detail.hidden = true;
  const section = el("section", { class: "pipelines", id: "pipelines", "aria-label": "Pipelines" }, el("h2", {}, "Pipelines"));
  section.append(...lists.slice(0, 2), detail, ...lists.slice(2));
  const main = document.querySelector("main");
  if (main) main.after(section);
  else document.body.append(section);
}

/**
 * Shows why a list could not be read: needs admin on * (FORBIDDEN), not enabled (NOT_FOUND: the
 * Worker has no binding for it), or the error itself.
 *
 * @example
 * showUnavailable("processors", new ApiError("FORBIDDEN", "needs admin"));
 */
export function showUnavailable(id: string, error: unknown): void {
  const code = error instanceof ApiError ? error.code : "";
  if (code !== "FORBIDDEN" && code !== "NOT_FOUND") {
    showError(byId(`${id}-error`), error);
    return;
  }
  showError(byId(`${id}-error`), null);
  const text = code === "FORBIDDEN" ? "Needs admin on * (a token with scope admin:*)." : "Not enabled on this Worker.";
  byId(id).replaceChildren(el("p", { class: "hint unavailable", "data-unavailable": code }, text));
}

/**
 * The pipelines panels.
 *
 * @example
 * new PipelinesView({ onPick: () => undefined });
 */
export class PipelinesView {
  readonly #options: PipelinesViewOptions;

  /**
   * A view reporting picks through `options`.
   *
   * @example
   * new PipelinesView({ onPick });
   */
  constructor(options: PipelinesViewOptions) {
    this.#options = options;
  }

  /**
   * Reloads the three lists and, when `selected` is set, that connector's partition lines.
   *
   * @example
   * await view.refresh(null);
   */
  async refresh(selected: string | null): Promise<void> {
    await Promise.all([this.#processors(), this.#connectors(selected), this.#sources(), this.#connector(selected)]);
  }

  async #list<T>(id: string, path: string, render: (body: T) => HTMLElement | null): Promise<void> {
    try {
      const shown = render(await api<T>("GET", path));
      const empty = LISTS.find((list) => list.id === id)?.empty ?? "";
      byId(id).replaceChildren(shown ?? el("p", { class: "hint" }, empty));
      showError(byId(`${id}-error`), null);
    } catch (error) {
      showUnavailable(id, error);
    }
  }

  #processors(): Promise<void> {
    return this.#list<ProcessorListResponse>("processors", "/v1/processors", ({ processors }) =>
      processors.length === 0 ? null : processorsTable(processors.slice(0, PIPELINES_SHOWN_MAX)),
    );
  }

  #connectors(selected: string | null): Promise<void> {
    return this.#list<ConnectorListResponse>("connectors", "/v1/connectors", ({ connectors }) =>
      connectors.length === 0 ? null : connectorsTable(connectors.slice(0, PIPELINES_SHOWN_MAX), selected, this.#options.onPick),
    );
  }

  #sources(): Promise<void> {
    return this.#list<SourceListResponse>("sources", "/v1/sources", ({ sources }) =>
      sources.length === 0 ? null : sourcesTable(sources.slice(0, PIPELINES_SHOWN_MAX)),
    );
  }

  async #connector(selected: string | null): Promise<void> {
    byId("connector-panel").hidden = selected === null;
    if (selected === null) return;
    try {
      const connector = await api<ConnectorStatus>("GET", `/v1/connectors/${encodeURIComponent(selected)}`);
      byId("connector-name").textContent = connector.name;
      byId("connector-partitions").replaceChildren(connectorPartitionsTable(connector));
      showError(byId("connector-error"), null);
    } catch (error) {
      showError(byId("connector-error"), error);
    }
  }
}
