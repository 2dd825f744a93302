/**
 * The client's check of a record against its topic's registry schemas before it is queued
 * (SCHEMA-8): the schemas come with the topic's cached metadata (topic-lookup.ts fetches them),
 * so the check works offline; a record that fails is refused at `produce()`/`enqueue()` with
 * SCHEMA_VIOLATION, the server's code and message (the same `checkRecordSchemas`), and never
 * enters the outbox. Compiled validators are kept per topic (at most SCHEMA_TOPICS_COMPILED_MAX,
 * by schema ids); schemas older than SCHEMA_REFRESH_MS are fetched again in the background.
 * A topic never looked up, or whose schemas could not be read, is not checked here: the server
 * decides.
 *
 * @example
 * const schemas = new TopicSchemaCheck({ cachedTopic: (t) => cache.topic(t), refresh: (t) => lookup.fetchPartitionCount(t) });
 * await schemas.check("orders", encodeRecord({ value: { qty: "2" } }, "record")); // throws SCHEMA_VIOLATION
 */
import type { OutboxEntry, TopicInfo } from "./cache/types.ts";
import { SCHEMA_REFRESH_MS, SCHEMA_TOPICS_COMPILED_MAX } from "./local-limits.ts";
import {
  checkRecordSchemas,
  type EncodedRecord,
  type EnforcedSchemas,
  enforcedSchemas,
  recordOfTail,
  type TopicSchemas,
} from "./protocol/index.ts";

/**
 * What the check needs from its client.
 *
 * @example
 * const options: TopicSchemaCheckOptions = { cachedTopic: (t) => cache.topic(t), refresh: (t) => lookup.fetchPartitionCount(t) };
 */
export interface TopicSchemaCheckOptions {
  /** The topic's cached metadata (no network), or undefined. */
  cachedTopic(topic: string): Promise<TopicInfo | undefined>;
  /** Fetches the topic's metadata and schemas again (into the cache). */
  refresh(topic: string): Promise<unknown>;
  /** Where time comes from (default Date.now). */
  now?: () => number;
}

const idsOf = (schemas: TopicSchemas): string => `${schemas.value?.id ?? 0}/${schemas.key?.id ?? 0}`;

/**
 * The check, as this module's header says.
 *
 * @example
 * await new TopicSchemaCheck(options).check("orders", encoded); // resolves when it validates (or nothing is known)
 */
export class TopicSchemaCheck {
  private readonly compiled = new Map<string, { ids: string; schemas: EnforcedSchemas }>();
  private readonly refreshing = new Set<string>();

  constructor(private readonly options: TopicSchemaCheckOptions) {}

  /** SCHEMA_VIOLATION when the record fails its topic's cached schemas; resolves otherwise. */
  async check(topic: string, encoded: EncodedRecord): Promise<void> {
    const info = await this.options.cachedTopic(topic);
    const now = (this.options.now ?? Date.now)();
    if (info === undefined || now - info.fetchedAt > SCHEMA_REFRESH_MS) this.refresh(topic);
    const schemas = info?.schemas;
    if (schemas === undefined || (schemas.value === null && schemas.key === null)) return;
    checkRecordSchemas(this.enforced(topic, schemas), recordOfTail(encoded.tail), "record");
  }

  /**
   * The ids of `entries` (outbox entries of `topic`) its schemas, fetched again first, refuse;
   * empty when the topic has none or they cannot be read.
   */
  async refused(topic: string, entries: readonly OutboxEntry[]): Promise<Set<number>> {
    await this.options.refresh(topic).catch(() => undefined);
    const schemas = (await this.options.cachedTopic(topic))?.schemas;
    const refused = new Set<number>();
    if (schemas === undefined) return refused;
    const enforced = this.enforced(topic, schemas);
    for (const entry of entries) {
      try {
        checkRecordSchemas(enforced, { key: entry.record.key ?? null, value: entry.record.value }, "record");
      } catch {
        refused.add(entry.id);
      }
    }
    return refused;
  }

  private enforced(topic: string, schemas: TopicSchemas): EnforcedSchemas {
    const ids = idsOf(schemas);
    const hit = this.compiled.get(topic);
    this.compiled.delete(topic);
    const entry = hit !== undefined && hit.ids === ids ? hit : { ids, schemas: enforcedSchemas(schemas) };
    if (this.compiled.size >= SCHEMA_TOPICS_COMPILED_MAX) {
      const oldest = this.compiled.keys().next();
      if (!oldest.done) this.compiled.delete(oldest.value);
    }
    this.compiled.set(topic, entry);
    return entry.schemas;
  }

  /** One background refresh per topic at a time; its failure is the lookup's to report. */
  private refresh(topic: string): void {
    // Bounded: one refresh in flight per topic, and at most SCHEMA_TOPICS_COMPILED_MAX at once.
    if (this.refreshing.has(topic) || this.refreshing.size >= SCHEMA_TOPICS_COMPILED_MAX) return;
    this.refreshing.add(topic);
    this.options
      .refresh(topic)
      .catch(() => undefined)
      .finally(() => this.refreshing.delete(topic));
  }
}
