/**
 * Web Locks (`navigator.locks`) as the tabs use them: to hold a lock for as long as something
 * lives (the leader's lock, each tab's own lock), and to hear when another tab's lock is freed,
 * which is how a tab learns that another one closed or crashed: the browser frees a tab's locks
 * when it goes, however it goes, so no heartbeat is needed.
 *
 * @example
 * const own = holdLock(navigator.locks, "edgelog/tab/abc");
 * await own.granted;
 * const stop = watchLock(navigator.locks, "edgelog/tab/def", () => console.log("tab def is gone"));
 */

/**
 * The part of the Web Locks API the tabs use (the browser's LockManager fits it).
 *
 * @example
 * const locks: LockManagerLike = navigator.locks;
 */
export interface LockManagerLike {
  /** Runs `callback` once the named lock is held, and holds it until the callback's promise settles. */
  request(name: string, options: { signal?: AbortSignal }, callback: (lock: unknown) => unknown): Promise<unknown>;
}

/**
 * A lock held until released.
 *
 * @example
 * const held: HeldLock = holdLock(locks, "edgelog/leader");
 * await held.granted; // this tab leads
 * held.release();
 */
export interface HeldLock {
  /** Resolves once the lock is held (never, if released first). */
  readonly granted: Promise<void>;
  /** Lets the lock go, or withdraws the request if it is not held yet. */
  release(): void;
}

/**
 * Requests lock `name` and holds it until `release()`.
 *
 * @example
 * const leader = holdLock(locks, "edgelog/tabs/v1/app/leader");
 * leader.granted.then(() => becomeLeader());
 */
export function holdLock(locks: LockManagerLike, name: string): HeldLock {
  let grant: () => void = () => undefined;
  const granted = new Promise<void>((resolve) => (grant = resolve));
  let letGo: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (letGo = resolve));
  const abort = new AbortController();
  locks
    .request(name, { signal: abort.signal }, () => {
      grant();
      return released;
    })
    // Withdrawn before it was granted (AbortError), or the document went away.
    .catch(() => undefined);
  return {
    granted,
    release: () => {
      abort.abort();
      letGo();
    },
  };
}

/**
 * Calls `onFree` once lock `name` is free: at once if nobody holds it, else when its holder lets
 * it go (or closes). Returns a function that stops watching.
 *
 * @example
 * const stop = watchLock(locks, `edgelog/tab/${leaderId}`, () => leaderGone(leaderId));
 */
export function watchLock(locks: LockManagerLike, name: string, onFree: () => void): () => void {
  const abort = new AbortController();
  let stopped = false;
  locks
    .request(name, { signal: abort.signal }, () => {
      // Taken only to learn that it was free: let it go again at once.
      if (!stopped) onFree();
    })
    .catch(() => undefined);
  return () => {
    stopped = true;
    abort.abort();
  };
}
