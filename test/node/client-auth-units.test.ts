/**
 * The client's credentials alone (client/auth-token.ts, client/credentials.ts), on an injected
 * clock: a token's `sub` and `exp` read without verification, the `auth` option called once for
 * many callers, a token refreshed TOKEN_REFRESH_LEAD_MS before its `exp`, refreshes rate-limited
 * (TOKEN_REFRESH_INTERVAL_MS_MIN), a failing `auth` reported and retried with the reconnect
 * backoff, and a token of another `sub` refused.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-auth-units.test.ts
 */
import { describe, expect, it } from "vitest";
import { tokenClaims } from "../../client/auth-token.ts";
import { Credentials } from "../../client/credentials.ts";
import { type EdgelogClientError, errorCode } from "../../client/local-errors.ts";
import { RECONNECT_DELAY_MS_MIN, TOKEN_REFRESH_INTERVAL_MS_MIN, TOKEN_REFRESH_LEAD_MS } from "../../client/local-limits.ts";

/** An unsigned JWT-shaped token (the client never verifies; the signature part is junk). */
function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "HS256", typ: "JWT" })}.${part(claims)}.c2lnbmF0dXJl`;
}

/** A manual clock: `sleep` resolves when `advance` passes its time. */
function manualClock(start = 1_800_000_000_000) {
  let now = start;
  const sleepers: { at: number; wake: () => void }[] = [];
  const slept: number[] = [];
  return {
    now: () => now,
    sleep: (ms: number) =>
      new Promise<void>((wake) => {
        slept.push(ms);
        sleepers.push({ at: now + ms, wake });
      }),
    slept,
    async advance(ms: number) {
      now += ms;
      for (const sleeper of sleepers.splice(0)) {
        if (sleeper.at <= now) sleeper.wake();
        else sleepers.push(sleeper);
      }
      for (let i = 0; i < 10; i++) await Promise.resolve();
    },
  };
}

function credentials(auth: ConstructorParameters<typeof Credentials>[0]["auth"], clock = manualClock()) {
  const reported: EdgelogClientError[] = [];
  const made = new Credentials({ auth, now: clock.now, sleep: clock.sleep, random: () => 0, report: (e) => reported.push(e) });
  return { made, reported, clock };
}

describe("a token's claims, unverified", () => {
  it("reads sub and exp (in ms) from the payload, including UTF-8 and base64url's - and _", () => {
    expect(tokenClaims(jwt({ sub: "alice", exp: 1_900_000_000 }))).toEqual({ sub: "alice", expiresAt: 1_900_000_000_000 });
    const unicode = "ünï-??>>~~";
    expect(tokenClaims(jwt({ sub: unicode, exp: 5 })).sub).toBe(unicode);
  });

  it("answers nulls for what it cannot read: an opaque token, bad JSON, claims of the wrong type", () => {
    const none = { sub: null, expiresAt: null };
    expect(tokenClaims("opaque-token")).toEqual(none);
    expect(tokenClaims("a.%%%.c")).toEqual(none);
    expect(tokenClaims(`a.${Buffer.from("not json").toString("base64url")}.c`)).toEqual(none);
    expect(tokenClaims(jwt({ sub: 7, exp: "soon" }))).toEqual(none);
    expect(tokenClaims(jwt({ sub: "", exp: 1.5 }))).toEqual(none);
  });
});

describe("credentials", () => {
  it("calls a function once for concurrent callers and keeps the token until the lead time", async () => {
    const clock = manualClock();
    let calls = 0;
    const { made } = credentials(async () => {
      calls++;
      return jwt({ sub: "alice", exp: Math.floor(clock.now() / 1000) + 3_600 });
    }, clock);
    const [a, b] = await Promise.all([made.token(), made.token()]);
    expect(a).toBe(b);
    expect(calls).toBe(1);
    expect(made.sub).toBe("alice");
    await clock.advance(3_600_000 - TOKEN_REFRESH_LEAD_MS - 1_000);
    expect(await made.token()).toBe(a);
    expect(calls).toBe(1);
    await clock.advance(2_000);
    const refreshed = await made.token();
    expect(calls).toBe(2);
    expect(refreshed).not.toBe(a);
  });

  it("takes a string as the token, and a sync function", async () => {
    const token = jwt({ sub: "svc", exp: 2_000_000_000 });
    expect(await credentials(token).made.token()).toBe(token);
    expect(await credentials(() => token).made.token()).toBe(token);
    expect(credentials(token).made.sub).toBe("svc");
  });

  it("rate-limits refreshes: a fresh token is asked at most once per TOKEN_REFRESH_INTERVAL_MS_MIN", async () => {
    const clock = manualClock();
    let calls = 0;
    // A token of 10 s: always inside the lead time.
    const { made } = credentials(() => {
      calls++;
      return jwt({ sub: "alice", exp: Math.floor(clock.now() / 1000) + 10, n: calls });
    }, clock);
    const first = await made.token();
    // Still valid: answered at once with the token there is, rather than a call.
    for (let i = 0; i < 100; i++) expect(await made.token()).toBe(first);
    expect(calls).toBe(1);
    // A forced refresh (a 401) waits out the interval.
    const forced = made.fresh(first);
    await clock.advance(TOKEN_REFRESH_INTERVAL_MS_MIN - 1);
    expect(calls).toBe(1);
    await clock.advance(1);
    const second = await forced;
    expect([calls, second !== first]).toEqual([2, true]);
    // Someone already refreshed past the stale token: no call.
    expect(await made.fresh(first)).toBe(second);
    expect(calls).toBe(2);
  });

  it("reports a failing function with AUTH_FAILED and retries it with the backoff", async () => {
    const clock = manualClock();
    let calls = 0;
    const { made, reported } = credentials(async () => {
      calls++;
      if (calls <= 2) throw new Error("the auth server is down");
      return jwt({ sub: "alice", exp: 2_000_000_000 });
    }, clock);
    expect(errorCode(await made.token().catch((e: unknown) => e))).toBe("AUTH_FAILED");
    expect(reported.map((e) => e.code)).toEqual(["AUTH_FAILED"]);
    expect(reported[0]!.message).toContain("the auth server is down");
    const next = made.token();
    await clock.advance(0);
    expect(calls).toBe(1);
    await clock.advance(RECONNECT_DELAY_MS_MIN);
    expect(errorCode(await next.catch((e: unknown) => e))).toBe("AUTH_FAILED");
    expect(calls).toBe(2);
    const third = made.token();
    await clock.advance(RECONNECT_DELAY_MS_MIN);
    expect(typeof (await third)).toBe("string");
    expect([calls, reported.length, made.failures]).toEqual([3, 2, 0]);
  });

  it("refuses what is not a token, and a token of another sub than the first", async () => {
    const clock = manualClock();
    const answers: unknown[] = [
      "",
      "has space",
      42,
      jwt({ sub: "alice", exp: 2_000_000_000 }),
      jwt({ sub: "mallory", exp: 2_000_000_000 }),
    ];
    const { made, reported } = credentials(() => answers.shift() as string, clock);
    for (let i = 0; i < 3; i++) {
      const attempt = made.token().catch((e: unknown) => e);
      await clock.advance(60_000);
      expect(errorCode(await attempt)).toBe("AUTH_FAILED");
    }
    const alice = made.token();
    await clock.advance(60_000);
    expect(typeof (await alice)).toBe("string");
    const other = made.fresh(await alice).catch((e: unknown) => e);
    await clock.advance(60_000);
    const refused = await other;
    expect(errorCode(refused)).toBe("AUTH_FAILED");
    expect((refused as Error).message).toContain('"mallory"');
    expect(reported).toHaveLength(4);
    expect(made.sub).toBe("alice");
  });

  it("ends its waits with CLOSED when closed", async () => {
    const { made } = credentials(() => new Promise<string>(() => undefined));
    const waiting = made.token().catch((e: unknown) => e);
    made.close();
    expect(errorCode(await waiting)).toBe("CLOSED");
    expect(errorCode(await made.token().catch((e: unknown) => e))).toBe("CLOSED");
  });
});
