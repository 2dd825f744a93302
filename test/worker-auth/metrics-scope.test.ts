/**
 * With authentication required, GET /v1/metrics and GET /v1/groups show only what the token
 * allows (PROTOCOL.md METRICS-1, GROUP-14): the topics it has `admin` on, the groups it has
 * `group` on.
 */
import { describe, expect, it } from "vitest";
import { call, expectCall, tokenFor } from "./harness.ts";

describe("what a scoped token sees", () => {
  it("metrics of its admin topics and groups, and the groups it may use", async () => {
    const admin = await tokenFor("admin:* group:* read:*", { sub: "admin" });
    for (const topic of ["scope-mine", "scope-theirs"])
      await expectCall(`PUT /v1/topics/${topic}`, { token: admin, body: { partitions: 1 } }, 201);
    for (const [group, topic] of [
      ["scope-g-mine", "scope-mine"],
      ["scope-g-theirs", "scope-theirs"],
    ] as const) {
      await expectCall(`PUT /v1/groups/${group}/offsets`, { token: admin, body: { offsets: [{ topic, partition: 0, offset: 0 }] } }, 200);
    }
    const mine = await tokenFor("admin:scope-mine group:scope-g-mine", { sub: "ops" });
    const text = await (await call("GET /v1/metrics", { token: mine })).text();
    expect(text).toContain('edgelog_partition_high_watermark{topic="scope-mine",partition="0"} 0');
    expect(text).not.toContain("scope-theirs");
    expect(text).toContain('edgelog_group_members{group="scope-g-mine"} 0');
    expect(text).not.toContain("scope-g-theirs");
    const listed = (await expectCall("GET /v1/groups", { token: mine }, 200)) as { groups: { group: string }[] };
    expect(listed.groups.map((g) => g.group)).toEqual(["scope-g-mine"]);
    expect(await expectCall("GET /v1/metrics", { token: await tokenFor("read:*") }, 403)).toMatchObject({ error: { code: "FORBIDDEN" } });
  });
});
