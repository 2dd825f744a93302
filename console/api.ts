/**
 * The console's door to the `/v1` API: every request carries the admin token from sessionStorage
 * (when one was given) as the Authorization header, is bounded by a timeout, and fails with an
 * error that carries the server's stable code (or NETWORK, TIMEOUT, HTTP_<status>).
 *
 * @example
 * const { topics } = await api<{ topics: TopicSummary[] }>("GET", "/v1/topics");
 */

/** A request that gets no answer within this long fails with TIMEOUT. */
const REQUEST_MS_MAX = 10_000;

/** Where the admin token is kept (this tab only). */
const TOKEN_KEY = "edgelog.token";

/**
 * A failed API call: the server's error code and message.
 *
 * @example
 * try { await api("GET", "/v1/topics"); } catch (e) { if (e instanceof ApiError) console.log(e.code); }
 */
export class ApiError extends Error {
  /** The stable code: the server's EdgelogError code, or NETWORK, TIMEOUT, HTTP_<status>. */
  readonly code: string;
  /**
   * An error with `code` and `message`.
   *
   * @example
   * new ApiError("UNKNOWN_TOPIC", "no topic orders");
   */
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * The admin token kept in this tab's sessionStorage, or null.
 *
 * @example
 * tokenGet(); // "eyJhbGciOi..." or null
 */
export function tokenGet(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/**
 * Keeps `token` in sessionStorage (null forgets it).
 *
 * @example
 * tokenSet(input.value.trim());
 */
export function tokenSet(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage off: the token lasts for no request
  }
}

/**
 * The request headers: accept JSON, and the bearer token when there is one.
 *
 * @example
 * fetch(url, { headers: authHeaders() });
 */
export function authHeaders(): Record<string, string> {
  const headers: Record<string, string> = { accept: "application/json" };
  const token = tokenGet();
  if (token) headers.authorization = `Bearer ${token}`;
  return headers;
}

/**
 * The path edgelog is mounted at ("" at the root): the page is served there, the API lives under it.
 *
 * @example
 * fetch(`${BASE}/v1/topics`); // "/events/v1/topics" when the page is at /events
 */
export const BASE = location.pathname.replace(/\/+$/, "");

/** Called with every UNAUTHENTICATED answer (the page shows the token form). */
let onUnauthenticated: (message: string) => void = () => undefined;

/**
 * Sets what happens when the server says UNAUTHENTICATED.
 *
 * @example
 * setUnauthenticatedHandler((message) => showTokenForm(message));
 */
export function setUnauthenticatedHandler(handler: (message: string) => void): void {
  onUnauthenticated = handler;
}

/** The error an answer carries, as an ApiError. */
function answerError(status: number, text: string, data: unknown): ApiError {
  const error = typeof data === "object" && data !== null ? (data as { error?: { code?: unknown; message?: unknown } }).error : undefined;
  if (error && typeof error.code === "string") {
    if (error.code === "UNAUTHENTICATED") onUnauthenticated(String(error.message ?? ""));
    return new ApiError(error.code, String(error.message ?? ""));
  }
  return new ApiError(`HTTP_${status}`, text.slice(0, 200));
}

/**
 * Calls the API and returns its JSON answer; throws ApiError on any failure.
 *
 * @example
 * await api("POST", "/v1/topics/orders/records", { records: [{ value: 1 }] });
 */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers = authHeaders();
  const init: RequestInit = { method, headers, signal: AbortSignal.timeout(REQUEST_MS_MAX) };
  if (body !== undefined) {
    headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response: Response;
  let text: string;
  try {
    response = await fetch(BASE + path, init);
    text = await response.text();
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    if (name === "TimeoutError")
      throw new ApiError("TIMEOUT", `no answer within ${REQUEST_MS_MAX / 1000} s (a write may still have happened)`);
    throw new ApiError("NETWORK", `no answer from the server (${String(error)})`);
  }
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: an error below
  }
  if (!response.ok || (text !== "" && data === null)) throw answerError(response.status, text, data);
  return data as T;
}

/**
 * The path of topic `name` under /v1.
 *
 * @example
 * topicPath("orders"); // "/v1/topics/orders"
 */
export function topicPath(name: string): string {
  return `/v1/topics/${encodeURIComponent(name)}`;
}
