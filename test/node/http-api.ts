/**
 * edgelog's HTTP API from Node, for black-box tests: JSON requests with a timeout, answers that
 * must have an expected status, and a typed wrapper over every route the tests use.
 *
 * @example
 * const api = edgelogApi(runtime.url);
 * await api.createTopic("demo", 2);
 * const { records } = await api.fetch("demo", 0, 0);
 */
import type {
  CommitRequest,
  CommitResponse,
  ErrorBody,
  FetchedRecord,
  FetchResponse,
  GroupOffsetsResponse,
  ProduceRequest,
  ProduceResponse,
  TopicDescription,
} from "../../client/protocol/index.ts";

/**
 * An HTTP answer: its status and its parsed JSON body (null when empty).
 *
 * @example
 * const answer: JsonAnswer<ProduceResponse | ErrorBody> = await api.tryProduce("demo", body);
 * if (answer.status === 409) retryLater();
 */
export interface JsonAnswer<T> {
  status: number;
  body: T;
}

/**
 * Sends one request with a JSON body (when given) and parses the JSON answer; fails after
 * `timeoutMs` (default 15 s). Does not throw on error statuses: check `status`.
 *
 * @example
 * const { status, body } = await requestJson<TopicDescription>("PUT", `${url}/v1/topics/demo`, { partitions: 2 });
 */
export async function requestJson<T>(method: string, url: string, body?: unknown, timeoutMs = 15_000): Promise<JsonAnswer<T>> {
  const init: RequestInit = { method, signal: AbortSignal.timeout(timeoutMs) };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { "content-type": "application/json" };
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let parsed: unknown = null;
  if (text.length > 0) {
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`${method} ${url} answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
    }
  }
  return { status: res.status, body: parsed as T };
}

/** Either the answer's body or its error body. */
type Answer<T> = JsonAnswer<T | ErrorBody>;

/**
 * Like `requestJson`, but fails unless the status is one of `expect` (default 2xx), with the
 * error body in the message.
 *
 * @example
 * const produced = await expectJson<ProduceResponse>("POST", `${url}/v1/topics/demo/records`, body);
 */
export async function expectJson<T>(method: string, url: string, body?: unknown, expect?: number[]): Promise<T> {
  const answer = await requestJson<T | ErrorBody>(method, url, body);
  const ok = expect ? expect.includes(answer.status) : answer.status >= 200 && answer.status < 300;
  if (!ok) throw new Error(`${method} ${url} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body as T;
}

/**
 * A small typed client of the HTTP API, for tests (made by `edgelogApi`).
 *
 * @example
 * const api: EdgelogApi = edgelogApi(runtime.url);
 * const { offsets } = await api.produce("demo", { records: [{ value: 1 }] });
 */
export interface EdgelogApi {
  /** PUT /v1/topics/:topic; answers 201 (created) or 200 (exists with these settings). */
  createTopic(topic: string, partitions: number): Promise<TopicDescription>;
  /** GET /v1/topics/:topic. */
  describeTopic(topic: string): Promise<TopicDescription>;
  /** DELETE /v1/topics/:topic (its partition sockets close with 4404). */
  deleteTopic(topic: string): Promise<void>;
  /** POST /v1/topics/:topic/records (or .../partitions/:p/records); fails on an error status. */
  produce(topic: string, request: ProduceRequest, partition?: number): Promise<ProduceResponse>;
  /** The same, but answers the status and body whatever they are. */
  tryProduce(topic: string, request: ProduceRequest, partition?: number): Promise<Answer<ProduceResponse>>;
  /** One read: GET .../partitions/:p/records?offset=&limit=. */
  fetch(topic: string, partition: number, offset: number, limit?: number): Promise<FetchResponse>;
  /** Reads a partition from `offset` (default 0) to its high watermark, page by page (bounded). */
  readAll(topic: string, partition: number, offset?: number): Promise<{ records: FetchedRecord[]; highWatermark: number }>;
  /** PUT /v1/groups/:group/offsets. */
  commit(group: string, request: CommitRequest): Promise<CommitResponse>;
  /** GET /v1/groups/:group/offsets?topic=. */
  groupOffsets(group: string, topic: string): Promise<GroupOffsetsResponse>;
}

/**
 * A typed client of the HTTP API at `baseUrl`, for tests.
 *
 * @example
 * const api = edgelogApi("http://127.0.0.1:8787");
 * await api.createTopic("demo", 2);
 * await api.produce("demo", { records: [{ key: "k", value: 1 }] });
 * const { records } = await api.readAll("demo", 0);
 */
export function edgelogApi(baseUrl: string): EdgelogApi {
  const topicUrl = (topic: string): string => `${baseUrl}/v1/topics/${encodeURIComponent(topic)}`;
  const recordsUrl = (topic: string, partition?: number): string =>
    partition === undefined ? `${topicUrl(topic)}/records` : `${topicUrl(topic)}/partitions/${partition}/records`;
  const api: EdgelogApi = {
    createTopic: (topic, partitions) => expectJson("PUT", topicUrl(topic), { partitions }, [200, 201]),
    describeTopic: (topic) => expectJson("GET", topicUrl(topic)),
    deleteTopic: async (topic) => {
      await expectJson("DELETE", topicUrl(topic));
    },
    produce: (topic, request, partition) => expectJson("POST", recordsUrl(topic, partition), request),
    tryProduce: (topic, request, partition) => requestJson("POST", recordsUrl(topic, partition), request),
    fetch: (topic, partition, offset, limit = 1_000) =>
      expectJson("GET", `${recordsUrl(topic, partition)}?offset=${offset}&limit=${limit}`),
    readAll: async (topic, partition, offset = 0) => {
      const records: FetchedRecord[] = [];
      let next = offset;
      for (let page = 0; page < 10_000; page++) {
        const answer = await api.fetch(topic, partition, next);
        records.push(...answer.records);
        if (answer.nextOffset >= answer.highWatermark || answer.records.length === 0) {
          return { records, highWatermark: answer.highWatermark };
        }
        next = answer.nextOffset;
      }
      throw new Error(`readAll ${topic}/${partition}: more than 10,000 pages`);
    },
    commit: (group, request) => expectJson("PUT", `${baseUrl}/v1/groups/${encodeURIComponent(group)}/offsets`, request),
    groupOffsets: (group, topic) =>
      expectJson("GET", `${baseUrl}/v1/groups/${encodeURIComponent(group)}/offsets?topic=${encodeURIComponent(topic)}`),
  };
  return api;
}
