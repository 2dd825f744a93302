/**
 * DOM helpers: elements are built with createElement and text nodes (never innerHTML), so topic
 * names, keys and values can hold anything; listeners are added with addEventListener (the CSP
 * forbids inline handlers).
 *
 * @example
 * el("tr", {}, el("td", {}, topic.name));
 */

/** What el() accepts as a child: text, a node, or nothing. */
type Child = Node | string | number | null | undefined | false;

/**
 * An element with attributes (`on…` functions become listeners) and children.
 *
 * @example
 * el("button", { type: "button", onclick: () => run() }, "Delete");
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Record<string, string | number | boolean | ((event: Event) => void) | undefined>,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") node.addEventListener(name.slice(2), value);
    else if (name === "class") node.className = String(value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/**
 * The element with id `id`; throws when the page has none (a page/script mismatch).
 *
 * @example
 * byId("topics").replaceChildren(table);
 */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`the page has no #${id}`);
  return node as T;
}

/**
 * Shows `error` (code and message) in `node`, or hides it for null.
 *
 * @example
 * showError(byId("topics-error"), error);
 */
export function showError(node: HTMLElement, error: unknown): void {
  if (error === null) {
    node.replaceChildren();
    node.hidden = true;
    return;
  }
  const code = typeof error === "object" && error !== null && "code" in error ? String((error as { code: unknown }).code) : "ERROR";
  const message = error instanceof Error ? error.message : String(error);
  node.replaceChildren(el("code", {}, code), " ", message);
  node.hidden = false;
}

/**
 * A number with thousands separators ("?" for a missing one).
 *
 * @example
 * fmt(12345); // "12,345"
 */
export function fmt(value: number | null | undefined): string {
  return typeof value === "number" ? value.toLocaleString("en-US") : "–";
}

/**
 * Bytes in B, KiB, MiB or GiB.
 *
 * @example
 * fmtBytes(2048); // "2.0 KiB"
 */
export function fmtBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * A table with a header row and body rows.
 *
 * @example
 * table(["Partition", "Lag"], rows.map((r) => el("tr", {}, ...)));
 */
export function table(headings: string[], rows: HTMLTableRowElement[], id?: string): HTMLTableElement {
  return el("table", { id }, el("thead", {}, el("tr", {}, ...headings.map((heading) => el("th", {}, heading)))), el("tbody", {}, ...rows));
}

/**
 * A table row that can be picked by click or Enter (focusable), marked when `selected`.
 *
 * @example
 * pickRow({ "data-topic": "orders" }, true, () => select("orders"), el("td", {}, "orders"));
 */
export function pickRow(
  data: Record<string, string>,
  selected: boolean,
  onPick: () => void,
  ...cells: HTMLTableCellElement[]
): HTMLTableRowElement {
  const keydown = (event: Event) => {
    if ((event as KeyboardEvent).key === "Enter") onPick();
  };
  return el("tr", { ...data, class: selected ? "pick selected" : "pick", tabindex: 0, onclick: onPick, onkeydown: keydown }, ...cells);
}

/**
 * Asks the user to confirm `message` in the page's dialog; resolves true for Confirm.
 *
 * @example
 * if (await confirmAction("Delete topic orders and all its records?")) await api("DELETE", topicPath("orders"));
 */
export function confirmAction(message: string): Promise<boolean> {
  const dialog = byId<HTMLDialogElement>("confirm-dialog");
  byId("confirm-message").textContent = message;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
  });
}
