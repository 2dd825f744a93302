/**
 * What keeps `edgelog/react` to one client under StrictMode and hot reloads, on its own with a
 * hand-driven clock: a value made by a render and never held is closed after RENDER_GRACE_MS; a
 * value let go is closed only if nobody holds it again within RELEASE_DELAY_MS (StrictMode's
 * unmount and mount again keep it); a stale release or a second one changes nothing; a closed
 * client is replaced; the number shared is bounded; the registry lives on `globalThis`, so the
 * module evaluated again (a hot reload) finds the same clients; and `client/react` is the only
 * part of client/ that imports React. The hooks themselves run in Chromium (test/browser/react.test.ts).
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/react-shared.test.ts
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { createClient } from "../../client/index.ts";
import { RELEASE_DELAY_MS, RENDER_GRACE_MS } from "../../client/react/react-limits.ts";
import { SharedRefs } from "../../client/react/shared-refs.ts";
import { ROOT, sourceFiles } from "./imports.ts";
import { withTimeout } from "./waits.ts";

/** A clock driven by hand: `run(ms)` fires what is due within `ms`. */
function handClock() {
  let now = 0;
  const timers = new Set<{ at: number; run: () => void }>();
  return {
    later: (run: () => void, ms: number) => {
      const timer = { at: now + ms, run };
      timers.add(timer);
      return () => timers.delete(timer);
    },
    advance: (ms: number) => {
      now += ms;
      for (const timer of [...timers].sort((a, b) => a.at - b.at)) {
        if (timer.at > now) continue;
        timers.delete(timer);
        timer.run();
      }
    },
  };
}

function refs(sizeMax = 4) {
  const clock = handClock();
  const disposed: string[] = [];
  let made = 0;
  const shared = new SharedRefs<{ name: string; open: boolean }>({
    what: "things",
    sizeMax,
    dispose: (value) => {
      value.open = false;
      disposed.push(value.name);
    },
    usable: (value) => value.open,
    later: clock.later,
  });
  const make = (name: string) => () => ({ name: `${name}#${++made}`, open: true });
  return { shared, clock, disposed, make };
}

describe("values shared by React components", () => {
  it("keeps one value through StrictMode's mount, unmount and mount, and closes it once nobody holds it", () => {
    const { shared, clock, disposed, make } = refs();
    const rendered = shared.get("a", make("a"));
    expect(shared.get("a", make("a"))).toBe(rendered); // the second StrictMode render
    const held = shared.hold("a", make("a"));
    shared.release("a", held);
    const again = shared.hold("a", make("a"));
    expect(again).toBe(rendered);
    clock.advance(RENDER_GRACE_MS + RELEASE_DELAY_MS + 1);
    expect(disposed).toEqual([]);
    shared.release("a", again);
    shared.release("a", again); // a second release is nothing
    expect(disposed).toEqual([]);
    clock.advance(RELEASE_DELAY_MS);
    expect(disposed).toEqual(["a#1"]);
    expect(shared.stats()).toEqual({ open: 0, created: 1 });
  });

  it("closes what a render made and no effect held, after the grace, and makes it again for a late effect", () => {
    const { shared, clock, disposed, make } = refs();
    const rendered = shared.get("a", make("a"));
    clock.advance(RENDER_GRACE_MS - 1);
    expect(disposed).toEqual([]);
    clock.advance(1);
    expect(disposed).toEqual(["a#1"]);
    const late = shared.hold("a", make("a"));
    expect(late).not.toBe(rendered);
    shared.release("a", rendered); // the old one's release changes nothing
    clock.advance(RELEASE_DELAY_MS);
    expect(late.open).toBe(true);
  });

  it("replaces a value closed elsewhere, and bounds how many are shared", () => {
    const { shared, make } = refs(2);
    const first = shared.hold("a", make("a"));
    first.open = false; // the app closed its client
    expect(shared.hold("a", make("a"))).not.toBe(first);
    shared.hold("b", make("b"));
    expect(() => shared.hold("c", make("c"))).toThrow(expect.objectContaining({ code: "INVALID_USE" }));
  });

  it("keeps the shared clients on globalThis, so a module evaluated again finds them", async () => {
    const before = await import("../../client/react/shared-state.ts");
    const options = { url: "http://127.0.0.1:9", cache: "memory" as const };
    const key = before.sharedClientKey(options);
    const client = before.sharedClients().hold(key, () => createClient(options));
    vi.resetModules();
    const after = await import("../../client/react/shared-state.ts");
    expect(after).not.toBe(before);
    expect(after.sharedClients().get(key, () => createClient(options))).toBe(client);
    expect(after.sharedClientStats()).toEqual({ open: 1, created: 1 });
    const closed = new Promise<void>((resolve) => client.onStatus((status) => status === "closed" && resolve()));
    after.sharedClients().release(key, client);
    expect(before.sharedClientKey({ ...options, dbName: "edgelog" })).toBe(key);
    expect(before.sharedClientKey(options, "alice")).not.toBe(key);
    expect(() => before.sharedClientKey({ ...options, cache: createClientCacheStandIn() })).toThrow(
      expect.objectContaining({ code: "INVALID_USE" }),
    );
    // Past a macrotask, nobody held it again: closed.
    await withTimeout(closed, 1_000, "the released client to close");
  });

  it("imports React only in client/react", () => {
    const importsReact = (file: string): boolean =>
      /from\s+["']react(?:-dom)?(?:\/[^"']*)?["']/.test(readFileSync(join(ROOT, file), "utf8"));
    const outside = sourceFiles("client").filter((file) => !file.startsWith("client/react/") && importsReact(file));
    expect(outside).toEqual([]);
    expect(sourceFiles("client/react").some(importsReact)).toBe(true);
  });
});

/** A cache object of the app's own (its shape does not matter: the key is refused before it is used). */
function createClientCacheStandIn() {
  return { kind: "memory" } as unknown as NonNullable<Parameters<typeof createClient>[0]["cache"]>;
}
