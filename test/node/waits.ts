/**
 * Bounded waiting for tests and the bench: free ports on 127.0.0.1, polling with a deadline,
 * sleeps, and a timeout around any promise. Nothing here waits without a bound.
 *
 * @example
 * const port = await freePort();
 * await waitFor("the server", async () => (await ping(port)) || undefined, 10_000);
 */
import { createServer } from "node:net";

/**
 * A TCP port free on 127.0.0.1 right now (the OS picks it; another process could still take it
 * before it is used, which is unlikely within a test).
 *
 * @example
 * const port = await freePort(); // e.g. 40123
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0 }, () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === "object") resolve(address.port);
        else reject(new Error("no port from the OS"));
      });
    });
  });
}

/**
 * Waits until `check` returns a value other than undefined, polling every `intervalMs`, and fails
 * after `timeoutMs` naming `what` (and the last error `check` threw, if any).
 *
 * @example
 * await waitFor("the server to answer", async () => ((await fetch(url)).ok ? true : undefined), 10_000);
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (let attempt = 0; ; attempt++) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() + intervalMs > deadline) {
      const cause = lastError instanceof Error ? `: ${lastError.message}` : "";
      throw new Error(`timed out after ${timeoutMs} ms (${attempt + 1} tries) waiting for ${what}${cause}`);
    }
    await sleep(intervalMs);
  }
}

/**
 * Resolves after `ms` milliseconds. With `keepAlive` false the timer does not hold the process
 * open (for a deadline raced against something else).
 *
 * @example
 * await sleep(50);
 * await Promise.race([exited, sleep(10_000, false)]);
 */
export function sleep(ms: number, keepAlive = true): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (!keepAlive) timer.unref();
  });
}

/**
 * Rejects if `promise` has not settled within `ms`, naming `what`.
 *
 * @example
 * await withTimeout(miniflare.ready, 30_000, "Miniflare to start");
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
