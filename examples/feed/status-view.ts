/**
 * The page's header line: the connection status (exactly the client's: connecting, catching-up,
 * live, offline, closed), this tab's part in the shared connection (electing until it knows), the
 * storage status, whether the page works offline yet, and the last error worth showing.
 *
 * @example
 * const status = new StatusView(document);
 * client.onStatus((s) => status.showStatus(s));
 */
import type { ClientError, ClientStatus, StorageStatus, TabRole } from "../../client/index.ts";

/** What each tab role means to a reader. */
const ROLE_TEXT: Readonly<Record<TabRole, string>> = {
  solo: "this tab connects on its own",
  electing: "this tab is finding out which tab holds the connection",
  leader: "this tab holds the connection for all tabs",
  follower: "this tab shares another tab's connection",
};

/** Errors that only say the network is away: the status already says so. */
const QUIET_CODES: ReadonlySet<string> = new Set(["NETWORK", "TIMEOUT", "CLOSED"]);

function byId(doc: Document, id: string): HTMLElement {
  const node = doc.getElementById(id);
  if (node === null) throw new Error(`the page has no #${id}`);
  return node;
}

/**
 * The header's live parts.
 *
 * @example
 * status.showRole(client.role);
 */
export class StatusView {
  private readonly status: HTMLElement;
  private readonly role: HTMLElement;
  private readonly storage: HTMLElement;
  private readonly shell: HTMLElement;
  private readonly error: HTMLElement;

  constructor(doc: Document) {
    this.status = byId(doc, "status");
    this.role = byId(doc, "role");
    this.storage = byId(doc, "storage");
    this.shell = byId(doc, "shell");
    this.error = byId(doc, "error");
  }

  showStatus(status: ClientStatus): void {
    this.status.textContent = status;
    this.status.dataset.status = status;
  }

  showRole(role: TabRole): void {
    this.role.textContent = ROLE_TEXT[role];
    this.role.dataset.role = role;
  }

  showStorage(storage: StorageStatus): void {
    this.storage.hidden = storage === "ok";
    this.storage.textContent =
      storage === "quota-exceeded"
        ? "Storage is full: new records are not cached, and producing may fail until space is freed."
        : "Storage failed: this tab keeps working from memory.";
  }

  showShell(ready: boolean): void {
    this.shell.textContent = ready ? "works offline: reload without a network and the feed comes back" : "offline reload not ready yet";
    this.shell.dataset.ready = String(ready);
  }

  showError(error: ClientError | Error): void {
    if ("code" in error && QUIET_CODES.has(error.code)) return;
    this.error.hidden = false;
    this.error.textContent = "code" in error ? `${error.code}: ${error.message}` : error.message;
  }
}
