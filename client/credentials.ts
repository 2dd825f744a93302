/**
 * The client's credentials: the token every HTTP request and socket uses, from the `auth` option
 * (a token, or a function answering one). Rules: PROTOCOL.md AUTH-17 to AUTH-21.
 *
 * - One call at a time: callers that ask while the function runs share its answer.
 * - A token is kept until TOKEN_REFRESH_LEAD_MS before its `exp` (read unverified, auth-token.ts);
 *   then the next caller asks for a fresh one. A 401, a `reauth` notice or a 4401 close asks
 *   `fresh(stale)`: a token other than `stale` if one came meanwhile, else a new call.
 * - Rate-limited: after a call that succeeded the next waits TOKEN_REFRESH_INTERVAL_MS_MIN (a
 *   caller that still holds a valid token gets it at once instead of waiting); after one that
 *   failed, the reconnect backoff (reconnectDelayMs, bounded by RECONNECT_DELAY_MS_MAX). So a
 *   short-lived token, or a server that keeps refusing, never makes a tight loop.
 * - A failure (the function threw, or answered something that is no token, or a token of another
 *   `sub` than the first) is reported once per call as AUTH_FAILED, and the callers' promises
 *   reject with it; their own retries come back through the backoff above.
 *
 * @example
 * const credentials = new Credentials({ auth: () => getToken(), report: (e) => console.warn(e.code) });
 * const token = await credentials.token();
 * const newer = await credentials.fresh(token); // after a 401
 */
import { type AuthOption, type TokenClaims, tokenClaims } from "./auth-token.ts";
import { reconnectDelayMs } from "./backoff.ts";
import { EdgelogClientError } from "./local-errors.ts";
import { TOKEN_REFRESH_INTERVAL_MS_MIN, TOKEN_REFRESH_LEAD_MS } from "./local-limits.ts";
import { TOKEN_BYTES_MAX } from "./protocol/index.ts";

/**
 * What credentials are made from.
 *
 * @example
 * const options: CredentialsOptions = { auth: token, report: (error) => events.reportError(error) };
 */
export interface CredentialsOptions {
  auth: AuthOption;
  /** Hears each failed call (AUTH_FAILED). */
  report(error: EdgelogClientError): void;
  /** The clock (Date.now by default). */
  now?: () => number;
  /** Waits (setTimeout by default). */
  sleep?: (ms: number) => Promise<void>;
  /** The backoff's jitter (Math.random by default). */
  random?: () => number;
}

interface Held extends TokenClaims {
  token: string;
}

/** A token may go in a header: visible ASCII, no spaces, at most TOKEN_BYTES_MAX. */
const TOKEN_SHAPE = /^[\x21-\x7e]+$/;

/**
 * One client's credentials (see the module comment).
 *
 * @example
 * const credentials = new Credentials({ auth: "eyJ...", report: console.warn });
 * credentials.sub; // "alice": the string's sub, known at once
 */
export class Credentials {
  /** Failed calls in a row (0 after one succeeds). */
  failures = 0;
  private readonly options: CredentialsOptions;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private held: Held | null = null;
  private first: string | null = null;
  private calling: Promise<string> | null = null;
  private lastCallAt: number | null = null;
  private closed = false;
  private readonly waits = new Set<() => void>();

  constructor(options: CredentialsOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    if (typeof options.auth === "string") this.first = tokenClaims(options.auth).sub;
  }

  /** The principal: the first token's `sub` (null before one came, or when it has none). */
  get sub(): string | null {
    return this.first;
  }

  /**
   * The principal, once the first token came: asked for until one does (each failure reported,
   * the next call after the backoff); null when the client closed first or the token has no `sub`.
   *
   * @example
   * const sub = await credentials.principal(); // names the tab group and the database
   */
  async principal(): Promise<string | null> {
    while (this.held === null && typeof this.options.auth !== "string" && !this.closed) {
      await this.token().catch(() => undefined);
    }
    return this.first;
  }

  /** A token to send now: the one held unless it is within the lead time of its `exp`. */
  token(): Promise<string> {
    if (this.closed) return Promise.reject(closedError());
    const held = this.held;
    if (held !== null && !this.due(held)) return Promise.resolve(held.token);
    // Due, but still valid and the last call was just now: use it, refresh on a later call.
    if (held !== null && this.waitMs() > 0 && (held.expiresAt === null || held.expiresAt > this.now())) {
      return Promise.resolve(held.token);
    }
    return this.call();
  }

  /** A token other than `stale` (the server refused it, or asked for a newer one). */
  fresh(stale: string): Promise<string> {
    if (this.closed) return Promise.reject(closedError());
    if (this.held !== null && this.held.token !== stale) return Promise.resolve(this.held.token);
    return this.call();
  }

  /**
   * The server refused a fresh token too: reported as AUTH_FAILED (the answer is what to fix), and
   * counted as a failure, so the next call waits for the backoff. Answers the error to throw.
   *
   * @example
   * throw credentials.refused("POST /v1/...: the token's signature does not verify", serverError);
   */
  refused(message: string, cause: unknown): EdgelogClientError {
    this.failures++;
    this.held = null;
    const error = new EdgelogClientError("AUTH_FAILED", `the server refused the auth option's token: ${message}`, { cause });
    this.options.report(error);
    return error;
  }

  /** Stops: waiting callers reject with CLOSED, and nothing calls `auth` again. */
  close(): void {
    this.closed = true;
    for (const wake of [...this.waits]) wake();
  }

  private due(held: Held): boolean {
    return held.expiresAt !== null && held.expiresAt - this.now() <= TOKEN_REFRESH_LEAD_MS;
  }

  /** How long until `auth` may be called again. */
  private waitMs(): number {
    if (this.lastCallAt === null) return 0;
    const gap = this.failures > 0 ? reconnectDelayMs(this.failures - 1, this.options.random) : TOKEN_REFRESH_INTERVAL_MS_MIN;
    return Math.max(0, this.lastCallAt + gap - this.now());
  }

  private call(): Promise<string> {
    if (this.calling !== null) return this.calling;
    const calling = this.callOnce().finally(() => {
      if (this.calling === calling) this.calling = null;
    });
    this.calling = calling;
    return calling;
  }

  private async callOnce(): Promise<string> {
    const wait = this.waitMs();
    if (wait > 0) await this.interruptible(this.sleep(wait));
    if (this.closed) throw closedError();
    this.lastCallAt = this.now();
    let answer: unknown;
    try {
      answer = await this.interruptible(
        Promise.resolve().then(() => (typeof this.options.auth === "string" ? this.options.auth : this.options.auth())),
      );
    } catch (error) {
      if (this.closed) throw closedError();
      return this.failed(`the auth function failed: ${(error as Error)?.message ?? String(error)}`, error);
    }
    if (this.closed) throw closedError();
    if (typeof answer !== "string" || !TOKEN_SHAPE.test(answer) || answer.length > TOKEN_BYTES_MAX) {
      return this.failed(`the auth function answered ${describe(answer)}, not a token (visible ASCII, at most ${TOKEN_BYTES_MAX} bytes)`);
    }
    const claims = tokenClaims(answer);
    if (this.first !== null && claims.sub !== null && claims.sub !== this.first) {
      return this.failed(`the token is for sub "${claims.sub}", this client's is "${this.first}": make a new client for another principal`);
    }
    this.first ??= claims.sub;
    this.failures = 0;
    this.held = { token: answer, ...claims };
    return answer;
  }

  private failed(message: string, cause?: unknown): never {
    this.failures++;
    const error = new EdgelogClientError("AUTH_FAILED", message, cause === undefined ? undefined : { cause });
    this.options.report(error);
    throw error;
  }

  /** `promise`, or CLOSED as soon as the credentials close. */
  private interruptible<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const wake = (): void => {
        this.waits.delete(wake);
        reject(closedError());
      };
      this.waits.add(wake);
      promise.then(
        (value) => {
          this.waits.delete(wake);
          resolve(value);
        },
        (error: unknown) => {
          this.waits.delete(wake);
          reject(error);
        },
      );
    });
  }
}

function closedError(): EdgelogClientError {
  return new EdgelogClientError("CLOSED", "the client is closed");
}

function describe(value: unknown): string {
  if (typeof value === "string") return value === "" ? "an empty string" : `a string of ${value.length} characters`;
  return value === null ? "null" : typeof value;
}
