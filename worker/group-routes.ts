/**
 * Consumer-group routes: committed offsets and lag (any consumer), and membership with
 * rebalancing (members join, heartbeat and leave over HTTP, or hold a WebSocket to the group's
 * coordinator and get assignments pushed). Thin: path parameters and bodies come parsed from the
 * middleware; the coordinator is the Group object.
 *
 * Rules: PROTOCOL.md COMMIT-2, COMMIT-7, GROUP-2, GROUP-14, GROUP-8, GROUP-9, GROUP-11, GSOCKET-1, AUTH-5, AUTH-15.
 *
 * @example
 * app.route("/", groupRoutes);
 */
import { Hono } from "hono";
import { parseCommitRequest, parseJoin, ROUTE, topicName } from "../client/protocol/index.ts";
import { can, requireGrant } from "./auth/access.ts";
import type { AppEnv } from "./env.ts";
import { GROUP_NAME_HEADER } from "./group/group.ts";
import { commitGroupOffsets, groupOffsets } from "./group-offsets.ts";
import { jsonBody } from "./middleware/json-body.ts";
import { socketOrigin } from "./middleware/origins.ts";
import { groupParams, memberParams } from "./middleware/path-params.ts";
import { requireUpgrade } from "./middleware/require-upgrade.ts";
import { routeGrant } from "./middleware/route-grant.ts";
import { groupStub, registryStub } from "./object-names.ts";
import { describeGroup } from "./operations.ts";
import { requiredParam } from "./params.ts";
import { unwrap } from "./result.ts";

const groupRoutes = new Hono<AppEnv>();

groupRoutes.put(ROUTE.groupOffsets, groupParams(), routeGrant("PUT groupOffsets"), jsonBody(), async (c) => {
  const { group } = c.var;
  const { offsets, member } = parseCommitRequest(c.var.body);
  for (const entry of offsets) requireGrant(c.var.access, "read", entry.topic);
  const coordinator = groupStub(c.env, group);
  if (member === null) {
    // One call to the coordinator: a group with members refuses a standalone commit.
    const topics = offsets.map((entry) => entry.topic);
    const { unnoted } = unwrap(await coordinator.vet(group, null, topics));
    const committed = await commitGroupOffsets(c.env, group, offsets);
    // Listed once committed (GROUP-14): a second call only the first time a topic is committed on.
    if (unnoted.length > 0) await coordinator.note(group, unnoted);
    return c.json(committed);
  }
  unwrap(await coordinator.commit({ group, member, offsets }));
  return c.json({ offsets: offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })) });
});

groupRoutes.get(ROUTE.groupOffsets, groupParams(), routeGrant("GET groupOffsets"), async (c) => {
  const topic = topicName(requiredParam(c.req.query("topic"), "topic"));
  requireGrant(c.var.access, "read", topic);
  return c.json(await groupOffsets(c.env, c.var.group, topic));
});

groupRoutes.post(ROUTE.groupMembers, groupParams(), routeGrant("POST groupMembers"), jsonBody(), async (c) => {
  const join = parseJoin(c.var.body);
  requireGrant(c.var.access, "read", join.topic);
  return c.json(unwrap(await groupStub(c.env, c.var.group).join(join, c.var.group)));
});

groupRoutes.post(ROUTE.groupHeartbeat, memberParams(), routeGrant("POST groupHeartbeat"), async (c) => {
  return c.json(unwrap(await groupStub(c.env, c.var.group).heartbeat(c.var.member)));
});

groupRoutes.delete(ROUTE.groupMember, memberParams(), routeGrant("DELETE groupMember"), async (c) => {
  unwrap(await groupStub(c.env, c.var.group).leave(c.var.member));
  return c.body(null, 204);
});

groupRoutes.get(ROUTE.groupSocket, groupParams(), routeGrant("GET groupSocket"), requireUpgrade(), socketOrigin(), async (c) => {
  const headers = new Headers(c.req.raw.headers);
  headers.set(GROUP_NAME_HEADER, c.var.group);
  return groupStub(c.env, c.var.group).fetch(c.req.url, { headers });
});

groupRoutes.get(ROUTE.groups, routeGrant("GET groups"), async (c) => {
  const groups = await registryStub(c.env).listGroups();
  return c.json({ groups: groups.filter((listed) => can(c.var.access, "group", listed.group)) });
});

groupRoutes.get(ROUTE.group, groupParams(), routeGrant("GET group"), async (c) => {
  return c.json(await describeGroup(c.env, c.var.group));
});

export { groupRoutes };
