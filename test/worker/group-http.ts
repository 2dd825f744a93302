/**
 * Consumer-group helpers for the workerd tests: join, heartbeat, leave, describe and commit over
 * the real HTTP API (each asserting its status where a test wants the value), and topics with
 * records to consume.
 *
 * @example
 * const topic = await topicWith("orders", 6);
 * const member = await join(uniqueGroup("billing"), { topic });
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { GroupDescription, GroupOffsetsResponse } from "../../client/protocol/index.ts";
import type { MemberAssignment } from "../../worker/group/members.ts";
import { groupStub as groupObject } from "../../worker/object-names.ts";
import { type Answer, api, createTopic, produce, uniqueTopic } from "./http.ts";

export interface JoinBody {
  topic: string;
  memberId?: string;
  assignor?: string;
  sessionTimeoutMs?: number;
}

/** Joins and asserts 200. */
export async function join(group: string, body: JoinBody): Promise<MemberAssignment> {
  const answer = await api<MemberAssignment>("POST", `/v1/groups/${group}/members`, body);
  expect(answer.status, JSON.stringify(answer.json)).toBe(200);
  return answer.json;
}

export function heartbeat(group: string, memberId: string): Promise<Answer<MemberAssignment>> {
  return api<MemberAssignment>("POST", `/v1/groups/${group}/members/${memberId}/heartbeat`);
}

/** Heartbeats and asserts 200. */
export async function current(group: string, memberId: string): Promise<MemberAssignment> {
  const answer = await heartbeat(group, memberId);
  expect(answer.status, JSON.stringify(answer.json)).toBe(200);
  return answer.json;
}

export function leave(group: string, memberId: string): Promise<Answer> {
  return api("DELETE", `/v1/groups/${group}/members/${memberId}`);
}

export async function describeGroup(group: string): Promise<GroupDescription> {
  const answer = await api<GroupDescription>("GET", `/v1/groups/${group}`);
  expect(answer.status).toBe(200);
  return answer.json;
}

export function commit(group: string, body: unknown): Promise<Answer> {
  return api("PUT", `/v1/groups/${group}/offsets`, body);
}

export async function groupOffsets(group: string, topic: string): Promise<GroupOffsetsResponse> {
  const answer = await api<GroupOffsetsResponse>("GET", `/v1/groups/${group}/offsets?topic=${topic}`);
  expect(answer.status).toBe(200);
  return answer.json;
}

export function uniqueGroup(prefix: string): string {
  return uniqueTopic(`group-${prefix}`);
}

export function groupStub(group: string) {
  return groupObject(env, group);
}

/** Asserts the assignments split `partitions` partitions: disjoint, all covered, one generation. */
export function expectSplit(assignments: MemberAssignment[], partitions: number): void {
  const all = assignments.flatMap((a) => a.partitions).sort((a, b) => a - b);
  expect(all).toEqual(Array.from({ length: partitions }, (_, p) => p));
  expect(new Set(assignments.map((a) => a.generation)).size).toBe(1);
}

/** A topic with `partitions` partitions and `perPartition` records on each. */
export async function topicWith(prefix: string, partitions: number, perPartition = 0): Promise<string> {
  const topic = uniqueTopic(prefix);
  await createTopic(topic, partitions);
  for (let p = 0; p < partitions && perPartition > 0; p++) {
    await produce(topic, { records: Array.from({ length: perPartition }, (_, i) => ({ value: i })) }, p);
  }
  return topic;
}
