/**
 * Consumer-group routes: committed offsets and lag (any consumer), and membership with
 * rebalancing (members join, heartbeat and leave over HTTP, or hold a WebSocket to the group's
 * coordinator and get assignments pushed).
 *
 * @example
 * app.route("/v1/groups", groupRoutes);
 */
import { Hono } from "hono";
import type { GroupDescription } from "../client/protocol/index.ts";
import { groupName, memberId, parseCommitRequest, parseJoin, topicName } from "../client/protocol/index.ts";
import type { Env } from "./env.ts";
import { errorJson, readJson } from "./error-response.ts";
import { commitGroupOffsets, groupOffsets } from "./group-offsets.ts";
import { requiredParam } from "./params.ts";
import { unwrap } from "./result.ts";

const groupRoutes = new Hono<{ Bindings: Env }>();

function coordinator(env: Env, group: string) {
  return env.GROUP.get(env.GROUP.idFromName(group));
}

groupRoutes.put("/:group/offsets", async (c) => {
  const group = groupName(c.req.param("group"));
  const { offsets, member } = parseCommitRequest(await readJson(c.req.raw));
  if (member === null) return c.json(await commitGroupOffsets(c.env, group, offsets));
  unwrap(await coordinator(c.env, group).commit(member.memberId, member.generation, offsets, group));
  return c.json({ offsets: offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })) });
});

groupRoutes.get("/:group/offsets", async (c) => {
  const group = groupName(c.req.param("group"));
  const topic = topicName(requiredParam(c.req.query("topic"), "topic"));
  return c.json(await groupOffsets(c.env, group, topic));
});

groupRoutes.post("/:group/members", async (c) => {
  const group = groupName(c.req.param("group"));
  const input = parseJoin(await readJson(c.req.raw));
  return c.json(unwrap(await coordinator(c.env, group).join(input)));
});

groupRoutes.post("/:group/members/:member/heartbeat", async (c) => {
  const group = groupName(c.req.param("group"));
  return c.json(unwrap(await coordinator(c.env, group).heartbeat(memberId(c.req.param("member")))));
});

groupRoutes.delete("/:group/members/:member", async (c) => {
  const group = groupName(c.req.param("group"));
  unwrap(await coordinator(c.env, group).leave(memberId(c.req.param("member"))));
  return c.body(null, 204);
});

groupRoutes.get("/:group/ws", async (c) => {
  const group = groupName(c.req.param("group"));
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    return errorJson("UPGRADE_REQUIRED", "this route takes a WebSocket (Upgrade: websocket)");
  }
  return coordinator(c.env, group).fetch(c.req.raw);
});

groupRoutes.get("/:group", async (c) => {
  const group = groupName(c.req.param("group"));
  const { state, members } = await coordinator(c.env, group).describe();
  const description: GroupDescription = { group, topic: state.topic, assignor: state.assignor, generation: state.generation, members };
  return c.json(description);
});

for (const path of [
  "/:group/offsets",
  "/:group/members",
  "/:group/members/:member/heartbeat",
  "/:group/members/:member",
  "/:group/ws",
  "/:group",
]) {
  groupRoutes.all(path, (c) => errorJson("METHOD_NOT_ALLOWED", `${c.req.method} is not allowed on /v1/groups${path}`));
}

export { groupRoutes };
