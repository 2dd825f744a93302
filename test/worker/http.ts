/**
 * Shared helpers for the workerd feature tests: one call per HTTP request through the real Hono
 * app (`app.request(path, init, env)` with the runtime's bindings), answers parsed as JSON, and
 * short wrappers for the routes most tests need. Storage is isolated per test file, not per test,
 * so each test names its topics with `uniqueTopic`.
 *
 * @example
 * const topic = uniqueTopic("orders");
 * await createTopic(topic, 3);
 * const { status, json } = await api("POST", `/v1/topics/${topic}/records`, { records: [{ value: 1 }] });
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type {
  FetchedRecord,
  FetchResponse,
  ProduceRequest,
  ProduceResponse,
  TopicConfig,
  TopicDescription,
} from "../../client/protocol/index.ts";
import { app } from "../../worker/index.ts";
import { partitionStub as partitionObject, registryStub as registryObject } from "../../worker/object-names.ts";
import type { Partition } from "../../worker/partition/partition.ts";
import type { Registry } from "../../worker/registry.ts";
import type { TopicMeta } from "../../worker/topic-meta.ts";

/** An answer: its status and its body parsed as JSON (null for an empty body). */
// biome-ignore lint/suspicious/noExplicitAny: tests read answers of every shape; `any` by default keeps each assertion short.
export interface Answer<T = any> {
  status: number;
  json: T;
}

/** Sends one request to the app; a non-string body is sent as JSON. */
// biome-ignore lint/suspicious/noExplicitAny: as Answer's default above.
export async function api<T = any>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    init.headers = { "content-type": "application/json" };
  }
  const response = await app.request(path, init, env);
  const text = await response.text();
  return { status: response.status, json: (text === "" ? null : JSON.parse(text)) as T };
}

let counter = 0;

/** A topic name no other test in this file uses. */
export function uniqueTopic(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${crypto.randomUUID().slice(0, 8)}`;
}

/** Creates a topic and asserts it was created (201). */
export async function createTopic(name: string, partitions: number, config?: TopicConfig): Promise<TopicDescription> {
  const body = config === undefined ? { partitions } : { partitions, config };
  const answer = await api<TopicDescription>("PUT", `/v1/topics/${name}`, body);
  expect(answer.status, JSON.stringify(answer.json)).toBe(201);
  return answer.json;
}

/** Produces through the topic route (or a partition's route) and asserts 200. */
export async function produce(topic: string, request: ProduceRequest, partition?: number): Promise<ProduceResponse> {
  const path = partition === undefined ? `/v1/topics/${topic}/records` : `/v1/topics/${topic}/partitions/${partition}/records`;
  const answer = await api<ProduceResponse>("POST", path, request);
  expect(answer.status, JSON.stringify(answer.json)).toBe(200);
  return answer.json;
}

/** Reads one partition with query parameters (offset, limit, maxBytes, maxWaitMs) and asserts 200. */
export async function fetchRecords(topic: string, partition: number, query: Record<string, string | number> = {}): Promise<FetchResponse> {
  const answer = await api<FetchResponse>("GET", recordsPath(topic, partition, query));
  expect(answer.status, JSON.stringify(answer.json)).toBe(200);
  return answer.json;
}

/** The records path of a partition with a query string. */
export function recordsPath(topic: string, partition: number, query: Record<string, string | number> = {}): string {
  const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
  return `/v1/topics/${topic}/partitions/${partition}/records${search === "" ? "" : `?${search}`}`;
}

/** Reads a whole partition from `from` to its high watermark, page by page (bounded). */
export async function readAll(topic: string, partition: number, from: number | "earliest" = "earliest"): Promise<FetchedRecord[]> {
  const records: FetchedRecord[] = [];
  let offset: number | "earliest" = from;
  for (let page = 0; page < 1_000; page++) {
    const answer = await fetchRecords(topic, partition, { offset, limit: 10_000 });
    records.push(...answer.records);
    if (answer.nextOffset >= answer.highWatermark) return records;
    expect(answer.records.length).toBeGreaterThan(0);
    offset = answer.nextOffset;
  }
  throw new Error("readAll: more than 1,000 pages");
}

/** Asserts an error answer: its status and its stable code. */
export function expectError(answer: Answer, status: number, code: string): void {
  expect(answer.status, JSON.stringify(answer.json)).toBe(status);
  expect(answer.json?.error?.code).toBe(code);
}

/** The one Registry object. */
export function registryStub(): DurableObjectStub<Registry> {
  return registryObject(env);
}

/** A topic's registry metadata (its topicId is not in the HTTP API). */
export async function topicMeta(name: string): Promise<TopicMeta> {
  const meta = await runInDurableObject(registryStub(), (instance) => instance.get(name));
  if (meta === null) throw new Error(`topic ${name} is not registered`);
  return meta;
}

/** The Partition object of a topic's partition. */
export async function partitionStub(name: string, partition: number): Promise<DurableObjectStub<Partition>> {
  const meta = await topicMeta(name);
  return partitionObject(env, meta.topicId, partition);
}
