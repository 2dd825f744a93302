/**
 * A Group object's note of itself in the registry's group list (GROUP-14): the first time the
 * group joins or commits on a topic, the pair (group, topic) is sent to the registry once and
 * remembered here (a small table in the group's own SQLite, read into memory), so the registry is
 * called once per pair in the group's life, never per commit or heartbeat. A commit's topics are
 * noted only once it succeeded (a commit on a topic that does not exist notes nothing): `vet`
 * answers those not noted yet, and the caller calls `note` after the commit, only when some are.
 *
 * Rules: PROTOCOL.md GROUP-14.
 *
 * @example
 * const index = new GroupIndex(ctx.storage.sql, () => registryStub(env));
 * await index.note("billing", "orders"); // one registry call; later calls answer at once
 */
import { GROUP_TOPICS_MAX } from "../../client/protocol/index.ts";
import { invariant } from "../result.ts";

/**
 * The part of the Registry's stub a GroupIndex calls.
 *
 * @example
 * const registry: GroupRegistry = registryStub(env);
 */
export interface GroupRegistry {
  noteGroup(group: string, topic: string): Promise<boolean> | boolean;
}

/**
 * The topics this group has noted in the registry, as this module's header says.
 *
 * @example
 * await new GroupIndex(sql, () => registryStub(env)).note("billing", "orders");
 */
export class GroupIndex {
  private readonly sql: SqlStorage;
  private readonly registry: () => GroupRegistry;
  private noted: Set<string> | null = null;

  /** Over the group's SQLite; `registry` gives the stub to call (made only when needed). */
  constructor(sql: SqlStorage, registry: () => GroupRegistry) {
    this.sql = sql;
    this.registry = registry;
    sql.exec("CREATE TABLE IF NOT EXISTS noted_topics (topic TEXT PRIMARY KEY) WITHOUT ROWID");
  }

  /** Of `topics`, those not noted yet (read from memory: no registry call). */
  unnoted(topics: readonly string[]): string[] {
    const noted = this.topics();
    return [...new Set(topics)].filter((topic) => !noted.has(topic));
  }

  /** Notes (group, topic) in the registry unless done before; a full registry is tried again later. */
  async note(group: string, topic: string): Promise<void> {
    const noted = this.topics();
    if (noted.has(topic) || noted.size >= GROUP_TOPICS_MAX) return;
    if (!(await this.registry().noteGroup(group, topic))) return;
    this.sql.exec("INSERT OR IGNORE INTO noted_topics (topic) VALUES (?)", topic);
    noted.add(topic);
    invariant(noted.size <= GROUP_TOPICS_MAX, "a group notes at most GROUP_TOPICS_MAX topics");
  }

  private topics(): Set<string> {
    if (this.noted === null) {
      const rows = this.sql.exec<{ topic: string }>("SELECT topic FROM noted_topics LIMIT ?", GROUP_TOPICS_MAX).toArray();
      this.noted = new Set(rows.map((row) => row.topic));
    }
    return this.noted;
  }
}
