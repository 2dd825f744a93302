/**
 * The client's HTTP calls (topic metadata, produce, commit), typed with the shared wire shapes.
 * Every call has a deadline (HTTP_TIMEOUT_MS). A server error comes back as the server's
 * `EdgelogError` with its code; failing to reach edgelog at all is an `EdgelogClientError`
 * (NETWORK, TIMEOUT, or BAD_RESPONSE for an answer that is not edgelog's). Each exchange is
 * reported to `onReach`, which the client's status uses when it has no sockets.
 *
 * With credentials (the `auth` option), every call carries `Authorization: Bearer <token>` (never
 * a token in the URL); a `401` is answered by asking for a fresh token and sending the request
 * once more (the server appended nothing: authentication comes first). A second `401` fails the
 * call with AUTH_FAILED, retriable, so the outbox keeps its records and tries again after its
 * backoff. A produce asks for protocol version 2's compact answer and expands it to a position
 * per record. Rules: PROTOCOL.md AUTH-1, AUTH-18, PRODUCE-7.
 *
 * @example
 * const http = new HttpApi("http://127.0.0.1:8787", fetch, (reached) => console.log(reached));
 * const topic = await http.describeTopic("orders"); // topic.partitions.length
 */
import type { Credentials } from "./credentials.ts";
import { EdgelogClientError } from "./local-errors.ts";
import { HTTP_TIMEOUT_MS } from "./local-limits.ts";
import type {
  CommitRequest,
  CommitResponse,
  ConnectorListResponse,
  ConnectorStatus,
  CreateTopicRequest,
  FetchResponse,
  GroupDescription,
  GroupListResponse,
  GroupOffsetsResponse,
  OffsetLookupResponse,
  ProcessorListResponse,
  ProcessorStatus,
  ProduceRangesResponse,
  ProduceRequest,
  ProduceResponse,
  SchemaVersionAnswer,
  SourceListResponse,
  SourceStatus,
  TopicDescription,
  TopicSchemas,
  TopicSummary,
} from "./protocol/index.ts";
import {
  connectorPath,
  type EdgelogError,
  errorFromBody,
  groupPath,
  isErrorBody,
  PROTOCOL_HEADER,
  PROTOCOL_VERSION_COMPACT_ACK,
  partitionPath,
  processorPath,
  producePositions,
  ROUTE,
  sourcePath,
  subjectVersionPath,
  topicPath,
  topicSubject,
} from "./protocol/index.ts";

const NO_HEADERS: Readonly<Record<string, string>> = {};

/** A produce asks for version 2's answer, runs of offsets (PRODUCE-7). */
const COMPACT_ANSWER: Readonly<Record<string, string>> = { [PROTOCOL_HEADER]: String(PROTOCOL_VERSION_COMPACT_ACK) };

/**
 * The part of `fetch` the client uses (the browser's, Node's, or a test's wrapper).
 *
 * @example
 * const logged: FetchFunction = (url, init) => { console.log(init.method, url); return fetch(url, init); };
 */
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

/**
 * `base` + `path`, keeping any path prefix the base has ("https://x.dev/edgelog" + "/v1/...").
 *
 * @example
 * apiUrl("http://127.0.0.1:8787/", "/v1/topics/orders"); // "http://127.0.0.1:8787/v1/topics/orders"
 */
export function apiUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}${path}`;
}

/**
 * The WebSocket URL for `path` on `base`: http becomes ws, https becomes wss.
 *
 * @example
 * socketUrl("https://x.dev", "/v1/topics/t/partitions/0/ws"); // "wss://x.dev/v1/topics/t/partitions/0/ws"
 */
export function socketUrl(base: string, path: string): string {
  return apiUrl(base, path).replace(/^http(s?):/i, "ws$1:");
}

/**
 * The HTTP calls of one client, against one server.
 *
 * @example
 * const http = new HttpApi(url, fetch, () => undefined);
 * await http.produce("orders", 0, { records: [{ value: 1 }] });
 */
export class HttpApi {
  private readonly base: string;
  private readonly fetchFn: FetchFunction;
  private readonly onReach: (reached: boolean) => void;
  private readonly credentials: Credentials | null;

  constructor(base: string, fetchFn: FetchFunction, onReach: (reached: boolean) => void, credentials: Credentials | null = null) {
    this.base = base;
    this.fetchFn = fetchFn;
    this.onReach = onReach;
    this.credentials = credentials;
  }

  /** GET /v1/topics/:topic: its partitions (the count is `partitions.length`). */
  describeTopic(topic: string): Promise<TopicDescription> {
    return this.call<TopicDescription>("GET", topicPath(topic));
  }

  /**
   * A topic's schemas (SCHEMA-5, SCHEMA-8): its subjects listed by prefix, then the latest version
   * of its `-value` and `-key` subjects that exist (no request, and no 404, for those that do not).
   */
  async topicSchemas(topic: string): Promise<TopicSchemas> {
    const prefix = `${topic}-`;
    const subjects = await this.call<string[]>("GET", `${ROUTE.schemaSubjects}?subjectPrefix=${encodeURIComponent(prefix)}`);
    const latest = async (role: "value" | "key") => {
      const subject = topicSubject(topic, role);
      if (!subjects.includes(subject)) return null;
      try {
        return await this.call<SchemaVersionAnswer>("GET", subjectVersionPath(subject, "latest"));
      } catch (error) {
        // Deleted between the two requests.
        if ((error as EdgelogError).code === "UNKNOWN_SUBJECT") return null;
        throw error;
      }
    };
    const [value, key] = await Promise.all([latest("value"), latest("key")]);
    return { seq: 0, value, key };
  }

  /** GET /v1/topics: the topics (with auth, those the token may read). */
  listTopics(): Promise<{ topics: TopicSummary[] }> {
    return this.call<{ topics: TopicSummary[] }>("GET", ROUTE.topics);
  }

  /** PUT /v1/topics/:topic: creates it, or answers the existing one when it matches (TOPIC-2). */
  createTopic(topic: string, body: CreateTopicRequest): Promise<TopicDescription> {
    return this.call<TopicDescription>("PUT", topicPath(topic), body);
  }

  /** DELETE /v1/topics/:topic: answered 204, no body (TOPIC-6). */
  async deleteTopic(topic: string): Promise<void> {
    await this.call<undefined>("DELETE", topicPath(topic));
  }

  /** GET /v1/groups: the groups the registry lists (GROUP-14). */
  listGroups(): Promise<GroupListResponse> {
    return this.call<GroupListResponse>("GET", ROUTE.groups);
  }

  /** GET /v1/topics/:topic/partitions/:p/records: one page from `offset` (a long-poll with `maxWaitMs`). */
  fetchRecords(topic: string, partition: number, query: { offset: number; limit?: number; maxWaitMs?: number }): Promise<FetchResponse> {
    const params = new URLSearchParams({ offset: String(query.offset) });
    if (query.limit !== undefined) params.set("limit", String(query.limit));
    if (query.maxWaitMs !== undefined) params.set("maxWaitMs", String(query.maxWaitMs));
    return this.call<FetchResponse>("GET", `${partitionPath(topic, partition)}/records?${params}`);
  }

  /** GET /v1/groups/:group: its state, generation and members. */
  describeGroup(group: string): Promise<GroupDescription> {
    return this.call<GroupDescription>("GET", groupPath(group));
  }

  /**
   * POST /v1/topics/:topic/partitions/:p/records, asking for version 2's compact answer
   * (PRODUCE-7) and answering a position per record whichever version the server wrote (an
   * older server ignores the header). An answer that does not hold every record is BAD_RESPONSE.
   */
  async produce(topic: string, partition: number, body: ProduceRequest): Promise<ProduceResponse> {
    const path = `${partitionPath(topic, partition)}/records`;
    const answer = await this.call<ProduceResponse | ProduceRangesResponse>("POST", path, body, COMPACT_ANSWER);
    try {
      return producePositions(answer, body.records.length);
    } catch (error) {
      throw new EdgelogClientError("BAD_RESPONSE", `POST ${path}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** PUT /v1/groups/:group/offsets. */
  commit(group: string, body: CommitRequest): Promise<CommitResponse> {
    return this.call<CommitResponse>("PUT", `${groupPath(group)}/offsets`, body);
  }

  /** GET /v1/topics/:topic/partitions/:p/offsets?timestamp=T: the first record at or after T. */
  offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<OffsetLookupResponse> {
    return this.call<OffsetLookupResponse>("GET", `${partitionPath(topic, partition)}/offsets?timestamp=${timestamp}`);
  }

  /** GET /v1/groups/:group/offsets?topic=T: the group's committed offsets on a topic. */
  groupOffsets(group: string, topic: string): Promise<GroupOffsetsResponse> {
    return this.call<GroupOffsetsResponse>("GET", `${groupPath(group)}/offsets?topic=${encodeURIComponent(topic)}`);
  }

  /** GET /v1/processors, GET /v1/processors/:name (PROC-6). */
  listProcessors(): Promise<ProcessorListResponse> {
    return this.call<ProcessorListResponse>("GET", ROUTE.processors);
  }

  describeProcessor(name: string): Promise<ProcessorStatus> {
    return this.call<ProcessorStatus>("GET", processorPath(name));
  }

  /** GET /v1/connectors; PUT, GET and DELETE /v1/connectors/:name (CONNECT-2, CONNECT-8). */
  listConnectors(): Promise<ConnectorListResponse> {
    return this.call<ConnectorListResponse>("GET", ROUTE.connectors);
  }

  putConnector(name: string, config: unknown): Promise<ConnectorStatus> {
    return this.call<ConnectorStatus>("PUT", connectorPath(name), config);
  }

  describeConnector(name: string): Promise<ConnectorStatus> {
    return this.call<ConnectorStatus>("GET", connectorPath(name));
  }

  async deleteConnector(name: string): Promise<void> {
    await this.call<undefined>("DELETE", connectorPath(name));
  }

  /** GET /v1/sources; PUT, GET and DELETE /v1/sources/:name (SOURCE-1, SOURCE-3). */
  listSources(): Promise<SourceListResponse> {
    return this.call<SourceListResponse>("GET", ROUTE.sources);
  }

  putSource(name: string, config: unknown): Promise<SourceStatus> {
    return this.call<SourceStatus>("PUT", sourcePath(name), config);
  }

  describeSource(name: string): Promise<SourceStatus> {
    return this.call<SourceStatus>("GET", sourcePath(name));
  }

  async deleteSource(name: string): Promise<void> {
    await this.call<undefined>("DELETE", sourcePath(name));
  }

  private async call<T>(method: string, path: string, body?: unknown, extra: Readonly<Record<string, string>> = NO_HEADERS): Promise<T> {
    const credentials = this.credentials;
    if (credentials === null) return this.send<T>(method, path, body, null, extra);
    let token: string;
    try {
      token = await credentials.token();
    } catch (error) {
      // No token, no request: the status counts it as a failed exchange (AUTH-21).
      this.onReach(false);
      throw error;
    }
    const first = await this.send<T | Unauthenticated>(method, path, body, token, extra);
    if (!(first instanceof Unauthenticated)) return first;
    const fresh = await credentials.fresh(token);
    const second = await this.send<T | Unauthenticated>(method, path, body, fresh, extra);
    if (!(second instanceof Unauthenticated)) return second;
    throw credentials.refused(`${method} ${path}: ${second.error.message} (twice, the second time with a fresh token)`, second.error);
  }

  /** One exchange; with a token, a 401 is answered as Unauthenticated rather than thrown. */
  private async send<T>(
    method: string,
    path: string,
    body: unknown,
    token: string | null,
    extra: Readonly<Record<string, string>>,
  ): Promise<T> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), HTTP_TIMEOUT_MS);
    const headers: Record<string, string> = { ...extra };
    const init: RequestInit = { method, signal: controller.signal, headers };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      headers["content-type"] = "application/json";
    }
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let status: number;
    let text: string;
    try {
      const response = await this.fetchFn(apiUrl(this.base, path), init);
      status = response.status;
      text = await response.text();
    } catch (error) {
      this.onReach(false);
      if (controller.signal.aborted) {
        throw new EdgelogClientError("TIMEOUT", `${method} ${path}: no answer within ${HTTP_TIMEOUT_MS} ms`, { cause: error });
      }
      throw new EdgelogClientError("NETWORK", `${method} ${path}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
    return this.parse<T>(method, path, status, text, token !== null);
  }

  /** The answer's body; with a token sent, a 401 UNAUTHENTICATED is answered as Unauthenticated. */
  private parse<T>(method: string, path: string, status: number, text: string, tokenSent: boolean): T {
    let parsed: unknown;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: not edgelog's answer (a proxy's page); reported below.
    }
    if (isErrorBody(parsed)) {
      this.onReach(true);
      const error = errorFromBody(parsed.error); // retryAfterMs kept (QUOTA_EXCEEDED)
      if (tokenSent && status === 401 && error.code === "UNAUTHENTICATED") return new Unauthenticated(error) as T;
      throw error;
    }
    if (status === 204 && text.length === 0) {
      this.onReach(true);
      return undefined as T;
    }
    if (status >= 200 && status < 300 && parsed !== undefined) {
      this.onReach(true);
      return parsed as T;
    }
    this.onReach(false);
    throw new EdgelogClientError("BAD_RESPONSE", `${method} ${path} answered ${status} with ${text.slice(0, 120) || "no body"}`);
  }
}

/** A 401 UNAUTHENTICATED answer to a request that carried a token: the caller asks for a fresh one. */
class Unauthenticated {
  readonly error: EdgelogError;
  constructor(error: EdgelogError) {
    this.error = error;
  }
}
