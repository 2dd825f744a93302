/**
 * The client's admin calls (kafkajs's `admin()` in spirit): create, list, describe and delete
 * topics, describe a group and read its committed offsets and lag. Each checks its names and
 * arguments with the protocol's own rules before anything is sent (a bad name rejects at once, as
 * the server would answer it), then makes one HTTP call with the client's credentials (AUTH-18):
 * with authentication required, creating and deleting need `admin` on the topic, describing
 * `read`, a group's description and offsets `group` on it (AUTH-5). Server errors reject with
 * their stable code (`UNKNOWN_TOPIC`, `FORBIDDEN`, `TOPIC_ALREADY_EXISTS`, ...).
 *
 * Rules: PROTOCOL.md TOPIC-1 to TOPIC-6, GROUP-11, COMMIT-7, AUTH-5.
 *
 * @example
 * const admin = client.admin;
 * await admin.createTopic("orders", { partitions: 3, config: { "retention.ms": 604_800_000 } });
 * const { totalLag } = await admin.groupOffsets("billing", "orders");
 */
import type { HttpApi } from "./http-api.ts";
import {
  type CreateTopicRequest,
  type GroupDescription,
  type GroupOffsetsResponse,
  groupName,
  parseCreateTopic,
  type TopicDescription,
  type TopicSummary,
  topicName,
} from "./protocol/index.ts";

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
}
