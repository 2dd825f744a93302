/**
 * What a client tells the application: its status, its storage status and its background
 * errors, each with listeners that can unsubscribe (and `cached`, the cache calls that move the
 * storage status). Background failures (a cache write, a dropped
 * batch, a subscriber's callback) arrive here as events with stable codes; none is ever left as
 * an unhandled rejection.
 *
 * @example
 * const events = new ClientEvents();
 * events.onStatus((status) => console.log(status));
 * events.setStatus("catching-up");
 */

import { Listeners } from "./listeners.ts";
import { cacheError, EdgelogClientError } from "./local-errors.ts";
import type { EdgelogError } from "./protocol/index.ts";
import { type ClientStatus, statusPath } from "./status.ts";

/**
 * Whether the cache is storing: "quota-exceeded" and "failed" recover on the next good write.
 *
 * @example
 * client.onStorage((storage: StorageStatus) => { if (storage === "quota-exceeded") askToFreeSpace(); });
 */
export type StorageStatus = "ok" | "quota-exceeded" | "failed";

/**
 * Any error the client reports in the background (never thrown at you, never unhandled).
 *
 * @example
 * client.onError((error: ClientError) => console.warn(error.code, error.message));
 */
export type ClientError = EdgelogError | EdgelogClientError;

/**
 * The status, storage status and error events of one client.
 *
 * @example
 * const events = new ClientEvents();
 * const off = events.onError((error) => console.warn(error.code));
 * events.reportError(new EdgelogClientError("NETWORK", "offline"));
 * off();
 */
export class ClientEvents {
  private readonly statusListeners = new Listeners<ClientStatus>();
  private readonly storageListeners = new Listeners<StorageStatus>();
  private readonly errorListeners = new Listeners<ClientError>();
  private currentStatus: ClientStatus = "connecting";
  private currentStorage: StorageStatus = "ok";
  private muted = false;

  get status(): ClientStatus {
    return this.currentStatus;
  }

  get storage(): StorageStatus {
    return this.currentStorage;
  }

  onStatus(listener: (status: ClientStatus) => void): () => void {
    return this.statusListeners.add(listener);
  }

  onStorage(listener: (storage: StorageStatus) => void): () => void {
    return this.storageListeners.add(listener);
  }

  onError(listener: (error: ClientError) => void): () => void {
    return this.errorListeners.add(listener);
  }

  /** Moves the status to `status` along STATUS_TRANSITIONS (through `connecting` where it must); `closed` is final. */
  setStatus(status: ClientStatus): void {
    if (this.muted) return;
    for (const step of statusPath(this.currentStatus, status)) {
      this.currentStatus = step;
      this.statusListeners.emit(step);
    }
  }

  setStorage(storage: StorageStatus): void {
    if (this.muted || this.currentStorage === storage) return;
    this.currentStorage = storage;
    this.storageListeners.emit(storage);
  }

  /** Reports a background error (a cache error also moves the storage status). */
  reportError(error: ClientError): void {
    if (this.muted) return;
    // The client's own closing is not news.
    if (error instanceof EdgelogClientError && error.code === "CLOSED") return;
    this.noteStorage(error);
    this.errorListeners.emit(error);
  }

  /** Moves the storage status for a cache error (without reporting it as an event). */
  noteStorage(error: ClientError): void {
    if (error.code === "CACHE_QUOTA_EXCEEDED") this.setStorage("quota-exceeded");
    else if (error.code === "CACHE_FAILED") this.setStorage("failed");
  }

  /** Runs a cache call; a failure is reported (and shown in `storage`) and `fallback` answered. */
  async cached<T>(doing: string, op: () => Promise<T>, fallback: T, isWrite = /^(storing|dropping)/.test(doing)): Promise<T> {
    try {
      const value = await op();
      if (isWrite) this.setStorage("ok");
      return value;
    } catch (error) {
      this.reportError(cacheError(error, doing));
      return fallback;
    }
  }

  /** The client closed: the last status, `closed`, then silence. */
  close(): void {
    this.setStatus("closed");
    this.muted = true;
    this.statusListeners.clear();
    this.storageListeners.clear();
    this.errorListeners.clear();
  }
}
