/**
 * The client's admin calls (kafkajs's `admin()` in spirit): create, list, describe and delete
 * topics, describe a group and read its committed offsets and lag, and manage what runs beside the
 * topics: the stream processors (read only, the Worker registers them), the connectors and the HTTP
 * sources (list, put, describe, delete). Each checks its names and
 * arguments with the protocol's own rules before anything is sent (a bad name rejects at once, as
 * the server would answer it), then makes one HTTP call with the client's credentials (AUTH-18):
 * with authentication required, creating and deleting need `admin` on the topic, describing
 * `read`, a group's description and offsets `group` on it, processors, connectors and sources
 * `admin` on `*` (AUTH-5). Server errors reject with their stable code (`UNKNOWN_TOPIC`,
 * `FORBIDDEN`, `TOPIC_ALREADY_EXISTS`, `UNKNOWN_CONNECTOR`, ...).
 *
 * Rules: PROTOCOL.md TOPIC-1 to TOPIC-6, GROUP-11, COMMIT-7, AUTH-5, PROC-6, CONNECT-2, CONNECT-8, SOURCE-1 to SOURCE-3.
 *
 * @example
 * const admin = client.admin;
 * await admin.createTopic("orders", { partitions: 3, config: { "retention.ms": 604_800_000 } });
 * const { totalLag } = await admin.groupOffsets("billing", "orders");
 */
import type { HttpApi } from "./http-api.ts";
import {
  type CommitResponse,
  type ConnectorStatus,
  type ConnectorSummary,
  type CreateTopicRequest,
  connectorName,
  EdgelogError,
  FETCH_RECORDS_MAX,
  type FetchResponse,
  type GroupDescription,
  type GroupOffsetsResponse,
  type GroupTopics,
  groupName,
  LONG_POLL_WAIT_MS_MAX,
  type OffsetCommit,
  type OffsetLookupResponse,
  type ProcessorStatus,
  type ProduceRequest,
  type ProduceResponse,
  parseConnectorConfig,
  parseCreateTopic,
  parseSourceConfig,
  type SourceStatus,
  sourceName,
  type TopicDescription,
  type TopicSummary,
  topicName,
} from "./protocol/index.ts";

/** `what` unless it is a whole number from `min` to `max` (INVALID_PARAMETER, as the server says it). */
function checkWhole(value: number, what: string, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new EdgelogError("INVALID_PARAMETER", `${what} must be a whole number from ${min} to ${max}, not ${value}`);
  }
}

/**
 * Admin calls over one client's HTTP connection and credentials.
 *
 * @example
 * const topics = await client.admin.listTopics(); // [{ name, partitions, config, createdAt }]
 */
export class EdgelogAdmin {
  private readonly http: HttpApi;

  /** @internal The client makes it (`client.admin`). */
  constructor(http: HttpApi) {
    this.http = http;
  }

  /**
   * Creates a topic with 1 to 64 partitions and an optional config; creating one that exists
   * with the same partitions and config answers it again (TOPIC-1), else TOPIC_ALREADY_EXISTS.
   *
   * @example
   * const { topicId, partitions } = await client.admin.createTopic("orders", { partitions: 3 });
   */
  async createTopic(topic: string, request: CreateTopicRequest): Promise<TopicDescription> {
    topicName(topic);
    parseCreateTopic(request);
    return this.http.createTopic(topic, request);
  }

  /**
   * The topics, sorted by name (TOPIC-4; with auth, only those the token may read).
   *
   * @example
   * const names = (await client.admin.listTopics()).map((t) => t.name);
   */
  async listTopics(): Promise<TopicSummary[]> {
    return (await this.http.listTopics()).topics;
  }

  /**
   * A topic's id, config and partitions with their offsets (`logStartOffset`, `highWatermark`).
   *
   * @example
   * const backlog = (await client.admin.describeTopic("orders")).partitions.map((p) => p.highWatermark - p.logStartOffset);
   */
  async describeTopic(topic: string): Promise<TopicDescription> {
    topicName(topic);
    return this.http.describeTopic(topic);
  }

  /**
   * Deletes a topic and everything it holds (TOPIC-6); its open sockets are closed 4404.
   *
   * @example
   * await client.admin.deleteTopic("scratch");
   */
  async deleteTopic(topic: string): Promise<void> {
    topicName(topic);
    return this.http.deleteTopic(topic);
  }

  /**
   * A consumer group's state, generation and members (GROUP-11).
   *
   * @example
   * const { members, generation } = await client.admin.describeGroup("billing");
   */
  async describeGroup(group: string): Promise<GroupDescription> {
    groupName(group);
    return this.http.describeGroup(group);
  }

  /**
   * A group's committed offsets on a topic, with each partition's lag and the total (COMMIT-7).
   *
   * @example
   * const { totalLag } = await client.admin.groupOffsets("billing", "orders");
   */
  async groupOffsets(group: string, topic: string): Promise<GroupOffsetsResponse> {
    groupName(group);
    topicName(topic);
    return this.http.groupOffsets(group, topic);
  }

  /**
   * The consumer groups, by name, each with the topics it joined or committed on (GROUP-14; with
   * auth, those the token has `group` on).
   *
   * @example
   * const names = (await client.admin.listGroups()).map((g) => g.group);
   */
  async listGroups(): Promise<GroupTopics[]> {
    return (await this.http.listGroups()).groups;
  }

  /**
   * Commits offsets for a group with no members (a standalone commit, COMMIT-2): what
   * `edgelog groups reset-offsets` does. A group with members refuses it (UNKNOWN_MEMBER_ID).
   *
   * @example
   * await client.admin.commitOffsets("billing", [{ topic: "orders", partition: 0, offset: 0 }]);
   */
  async commitOffsets(group: string, offsets: OffsetCommit[]): Promise<CommitResponse> {
    groupName(group);
    for (const entry of offsets) topicName(entry.topic);
    return this.http.commit(group, { offsets });
  }

  /**
   * The offset of the first record at or after `timestamp` on one partition (its high
   * watermark when there is none), FETCH's lookup by time.
   *
   * @example
   * const { offset } = await client.admin.offsetForTimestamp("orders", 0, Date.now() - 3_600_000);
   */
  async offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<OffsetLookupResponse> {
    topicName(topic);
    return this.http.offsetForTimestamp(topic, partition, timestamp);
  }

  /**
   * One page of a partition's records from `offset` over HTTP (FETCH-1), waiting up to
   * `maxWaitMs` for a record when there is none yet (a long-poll): a reader that needs no
   * WebSocket, as the command line's `consume`.
   *
   * @example
   * const page = await client.admin.fetchRecords("orders", 0, { offset: 0, limit: 1000 });
   * // next: { offset: page.nextOffset }
   */
  async fetchRecords(
    topic: string,
    partition: number,
    query: { offset: number; limit?: number; maxWaitMs?: number },
  ): Promise<FetchResponse> {
    topicName(topic);
    checkWhole(query.offset, "offset", 0, Number.MAX_SAFE_INTEGER);
    if (query.limit !== undefined) checkWhole(query.limit, "limit", 1, FETCH_RECORDS_MAX);
    if (query.maxWaitMs !== undefined) checkWhole(query.maxWaitMs, "maxWaitMs", 0, LONG_POLL_WAIT_MS_MAX);
    return this.http.fetchRecords(topic, partition, query);
  }

  /**
   * Produces one batch to one partition exactly as given, with an optional producer identity
   * whose sequences the caller keeps (PRODUCER-1 to PRODUCER-5): for tools that resume a
   * producer across runs, as `edgelog produce --producer-id`. Apps use `client.produce`.
   *
   * @example
   * await client.admin.produceBatch("orders", 0, { records: [{ value: 1 }], producer: { id: "load-1", epoch: 0, sequence: 0 } });
   */
  async produceBatch(topic: string, partition: number, request: ProduceRequest): Promise<ProduceResponse> {
    topicName(topic);
    return this.http.produce(topic, partition, request);
  }

  /**
   * The stream processors the Worker registers, in registration order, each with its lag and
   * throughput summed over its input partitions (PROC-6). Looking wakes them (PROC-1).
   *
   * @example
   * const lagging = (await client.admin.listProcessors()).filter((p) => p.lag > 0).map((p) => p.name);
   */
  async listProcessors(): Promise<ProcessorStatus[]> {
    return (await this.http.listProcessors()).processors;
  }

  /**
   * One processor's state with a line per input partition (offset, high watermark, lag, last
   * error); a name the Worker does not register is UNKNOWN_PROCESSOR.
   *
   * @example
   * const { partitions } = await client.admin.describeProcessor("example-views-by-page");
   */
  async describeProcessor(name: string): Promise<ProcessorStatus> {
    return this.http.describeProcessor(name);
  }

  /**
   * The connectors, each with its configuration (never a secret) and totals (CONNECT-8).
   *
   * @example
   * const names = (await client.admin.listConnectors()).map((c) => c.name);
   */
  async listConnectors(): Promise<ConnectorSummary[]> {
    return (await this.http.listConnectors()).connectors;
  }

  /**
   * Creates or replaces a connector from its configuration (CONNECT-2), checked by the protocol's
   * rules before it is sent (INVALID_CONNECTOR); answers its status.
   *
   * @example
   * await client.admin.putConnector("orders-hook", { kind: "webhook", topic: "orders", url: "https://example.com/hook", secret: "0123456789abcdef" });
   */
  async putConnector(name: string, config: unknown): Promise<ConnectorStatus> {
    connectorName(name);
    parseConnectorConfig(config);
    return this.http.putConnector(name, config);
  }

  /**
   * A connector's configuration and each partition's committed offset, lag, attempts and state
   * (CONNECT-8); UNKNOWN_CONNECTOR when there is none.
   *
   * @example
   * const { lag, partitions } = await client.admin.describeConnector("orders-hook");
   */
  async describeConnector(name: string): Promise<ConnectorStatus> {
    connectorName(name);
    return this.http.describeConnector(name);
  }

  /**
   * Stops a connector and forgets its state (CONNECT-8); UNKNOWN_CONNECTOR when there is none.
   *
   * @example
   * await client.admin.deleteConnector("orders-hook");
   */
  async deleteConnector(name: string): Promise<void> {
    connectorName(name);
    return this.http.deleteConnector(name);
  }

  /**
   * The HTTP sources, in name order, each with its configuration (never the secret) and counters (SOURCE-3).
   *
   * @example
   * const accepted = (await client.admin.listSources()).reduce((n, s) => n + s.accepted, 0);
   */
  async listSources(): Promise<SourceStatus[]> {
    return (await this.http.listSources()).sources;
  }

  /**
   * Creates or replaces an HTTP source (SOURCE-1, SOURCE-2), its configuration checked by the
   * protocol's rules before it is sent (INVALID_SOURCE); answers its status.
   *
   * @example
   * await client.admin.putSource("github", { topic: "github", secret: "a-shared-secret-of-16+" });
   */
  async putSource(name: string, config: unknown): Promise<SourceStatus> {
    sourceName(name);
    parseSourceConfig(config);
    return this.http.putSource(name, config);
  }

  /**
   * A source's configuration (without its secret) and counters; UNKNOWN_SOURCE when there is none.
   *
   * @example
   * const { accepted, duplicates, refusedSignatures } = await client.admin.describeSource("github");
   */
  async describeSource(name: string): Promise<SourceStatus> {
    sourceName(name);
    return this.http.describeSource(name);
  }

  /**
   * Deletes a source (SOURCE-3); its events route then answers UNKNOWN_SOURCE.
   *
   * @example
   * await client.admin.deleteSource("github");
   */
  async deleteSource(name: string): Promise<void> {
    sourceName(name);
    return this.http.deleteSource(name);
  }
}
