/**
 * The `edgelog` command line's commands and options (commander), each handing its work to the
 * module of its own (topics.ts, produce.ts, consume.ts, group-consume.ts, groups.ts, mint-token.ts;
 * the processors', connectors' and sources' commands in pipeline-commands.ts).
 * `--url`/`--token` (or EDGELOG_URL/EDGELOG_TOKEN) are global; `-J` prints JSON.
 *
 * @example
 * await buildProgram(context).parseAsync(process.argv);
 */
import { randomUUID } from "node:crypto";
import { Command, Option } from "commander";
import { BATCH_RECORDS_MAX, TOPIC_PARTITIONS_MAX } from "../client/index.ts";
import { localVar } from "../tools/dev-vars.ts";
import { timeMs, wholeNumber } from "./arguments.ts";
import { withClient } from "./connection.ts";
import { consumeCommand } from "./consume.ts";
import { UsageError } from "./failure.ts";
import { groupConsumeCommand } from "./group-consume.ts";
import { describeGroupCommand, lagCommand, listGroupsCommand, type ResetTarget, resetOffsetsCommand } from "./groups.ts";
import { mintToken, TOKEN_TTL_S_DEFAULT } from "./mint-token.ts";
import type { Output } from "./output.ts";
import { connectorCommands, processorCommands, sourceCommands } from "./pipeline-commands.ts";
import { produceCommand } from "./produce.ts";
import { compileFormat, jsonLine } from "./record-format.ts";
import { headerPairs } from "./record-lines.ts";
import { parseStart } from "./start-offset.ts";
import { createTopicCommand, deleteTopicCommand, describeTopicCommand, listTopicsCommand } from "./topics.ts";

/**
 * What the commands run with: stdio, the stop flag (SIGINT) and the clock's sleep.
 *
 * @example
 * const context: CliContext = { input: process.stdin, output, stderr: process.stderr, stopped: () => false, sleep };
 */
export interface CliContext {
  input: NodeJS.ReadableStream & { fd?: number };
  output: Output;
  stderr: NodeJS.WriteStream;
  stopped: () => boolean;
  sleep: (ms: number) => Promise<void>;
}

const PRODUCE_BATCH_DEFAULT = 500;
const PRODUCE_LINGER_MS_DEFAULT = 50;

const collect = (value: string, previous: string[]) => [...previous, value];

function topicCommands(program: Command, context: CliContext): void {
  const topics = program.command("topics").description("list, create, describe and delete topics");
  topics
    .command("list")
    .option("-J, --json", "JSON output")
    .action((options: { json?: boolean }, command: Command) =>
      withClient(command, (client) => listTopicsCommand(client, { json: options.json === true }, context.output)),
    );
  topics
    .command("create <topic>")
    .requiredOption("-p, --partitions <n>", `partitions, 1 to ${TOPIC_PARTITIONS_MAX}`)
    .option("-c, --config <name=value>", "a config entry (repeatable), e.g. retention.ms=604800000", collect, [])
    .action((topic: string, options: { partitions: string; config: string[] }, command: Command) => {
      const partitions = wholeNumber(options.partitions, "--partitions", 1, TOPIC_PARTITIONS_MAX);
      return withClient(command, (client) => createTopicCommand(client, topic, { partitions, config: options.config }, context.output));
    });
  topics
    .command("describe <topic>")
    .option("-J, --json", "JSON output")
    .action((topic: string, options: { json?: boolean }, command: Command) =>
      withClient(command, (client) => describeTopicCommand(client, topic, { json: options.json === true }, context.output)),
    );
  topics
    .command("delete <topic>")
    .action((topic: string, _options: unknown, command: Command) =>
      withClient(command, (client) => deleteTopicCommand(client, topic, context.output)),
    );
}

interface ProduceFlags {
  partition?: string;
  keySeparator?: string;
  header: string[];
  raw?: boolean;
  batchSize: string;
  lingerMs: string;
  producerId?: string;
  file?: string;
}

function produceCommandLine(program: Command, context: CliContext): void {
  program
    .command("produce <topic>")
    .description("produce stdin's lines, one record each (a JSON value, or key<sep>value with -K)")
    .option("-p, --partition <n>", "every record to this partition (default: by key; keyless in runs of 1000 a partition)")
    .option("-K, --key-separator <sep>", "lines are key<sep>value")
    .option("-H, --header <name=value>", "a header on every record (repeatable)", collect, [])
    .option("--raw", "values are the text itself, not JSON")
    .option("-b, --batch-size <n>", `records per batch, 1 to ${BATCH_RECORDS_MAX}`, String(PRODUCE_BATCH_DEFAULT))
    .option("-l, --linger-ms <ms>", "send a partial batch after this long without a full one", String(PRODUCE_LINGER_MS_DEFAULT))
    .option("--producer-id <id>", "the idempotent producer's id: rerun a failed pipe with the same id to append only what is missing")
    .option("--file <path>", "read this file instead of stdin (the progress bar then knows the size)")
    .action(async (topic: string, flags: ProduceFlags, command: Command) => {
      const options = {
        partition: flags.partition === undefined ? null : wholeNumber(flags.partition, "-p", 0, TOPIC_PARTITIONS_MAX - 1),
        batchSize: wholeNumber(flags.batchSize, "--batch-size", 1, BATCH_RECORDS_MAX),
        lingerMs: wholeNumber(flags.lingerMs, "--linger-ms", 0, 60_000),
        producerId: flags.producerId ?? `edgelog-cli-${randomUUID()}`,
        format: {
          keySeparator: flags.keySeparator ?? null,
          raw: flags.raw === true,
          headers: headerPairs(flags.header, (m) => new UsageError(m)),
        },
        file: flags.file ?? null,
      };
      if (options.format.keySeparator === "") throw new UsageError("-K needs a separator of one or more characters");
      await withClient(command, async (client) => {
        const { appended, present } = await produceCommand(client, topic, options, context);
        if (context.stderr.isTTY === true) context.stderr.write(`produced ${appended} records to ${topic} (${present} already stored)\n`);
      });
    });
}

interface ConsumeFlags {
  partition?: string;
  offset: string;
  exit?: boolean;
  count?: string;
  group?: string;
  memberId?: string;
  format?: string;
  json?: boolean;
}

function consumeCommandLine(program: Command, context: CliContext): void {
  program
    .command("consume <topic>")
    .description("print a topic's records")
    .option("-p, --partition <n>", "only this partition (default: all)")
    .option("-o, --offset <start>", "beginning, end, N, -N (N before the end) or @timestamp (ms)", "beginning")
    .option("-e, --exit", "exit at the end (the high watermark when the command started)")
    .option("-c, --count <n>", "exit after this many records")
    .option(
      "-g, --group <group>",
      "consume as a member of this group, committing (-o beginning|end: where an uncommitted partition starts)",
    )
    .option("--member-id <id>", "with -g: this member's id")
    .option("-f, --format <format>", "kcat-like: %k key, %s value, %p partition, %o offset, %T timestamp, %h headers, %t topic", "%s\\n")
    .option("-J, --json", "one JSON object a record")
    .action(async (topic: string, flags: ConsumeFlags, command: Command) => {
      const print = flags.json === true ? jsonLine : compileFormat(flags.format ?? "%s\\n");
      const count = flags.count === undefined ? null : wholeNumber(flags.count, "--count", 1, Number.MAX_SAFE_INTEGER);
      const start = parseStart(flags.offset);
      const exitAtEnd = flags.exit === true;
      await withClient(command, async (client) => {
        if (flags.group === undefined) {
          const partition = flags.partition === undefined ? null : wholeNumber(flags.partition, "-p", 0, TOPIC_PARTITIONS_MAX - 1);
          return consumeCommand(client, topic, { partition, start, exitAtEnd, count, print }, context);
        }
        if (start.kind !== "beginning" && start.kind !== "end")
          throw new UsageError("with -g, -o is beginning or end (where a partition without a commit starts)");
        if (flags.partition !== undefined) throw new UsageError("with -g the group assigns the partitions: -p does not apply");
        const reset = start.kind === "beginning" ? "earliest" : "latest";
        return groupConsumeCommand(
          client,
          topic,
          { group: flags.group, reset, exitAtEnd, count, print, memberId: flags.memberId ?? null },
          context,
        );
      });
    });
}

interface ResetFlags {
  topic: string;
  toEarliest?: boolean;
  toLatest?: boolean;
  toOffset?: string;
  toDatetime?: string;
  partition?: string;
  dryRun?: boolean;
  json?: boolean;
}

function resetTarget(flags: ResetFlags): ResetTarget {
  const targets: ResetTarget[] = [];
  if (flags.toEarliest === true) targets.push({ kind: "earliest" });
  if (flags.toLatest === true) targets.push({ kind: "latest" });
  if (flags.toOffset !== undefined)
    targets.push({ kind: "offset", offset: wholeNumber(flags.toOffset, "--to-offset", 0, Number.MAX_SAFE_INTEGER) });
  if (flags.toDatetime !== undefined) targets.push({ kind: "timestamp", timestamp: timeMs(flags.toDatetime, "--to-datetime") });
  const [target, ...more] = targets;
  if (target === undefined || more.length > 0)
    throw new UsageError("name one of --to-earliest, --to-latest, --to-offset N, --to-datetime T");
  return target;
}

function groupCommands(program: Command, context: CliContext): void {
  const groups = program.command("groups").description("list, describe, lag and reset-offsets of consumer groups");
  const json = () => new Option("-J, --json", "JSON output");
  groups
    .command("list")
    .addOption(json())
    .action((options: { json?: boolean }, command: Command) =>
      withClient(command, (client) => listGroupsCommand(client, { json: options.json === true }, context.output)),
    );
  groups
    .command("describe <group>")
    .addOption(json())
    .action((group: string, options: { json?: boolean }, command: Command) =>
      withClient(command, (client) => describeGroupCommand(client, group, { json: options.json === true }, context.output)),
    );
  groups
    .command("lag <group>")
    .option("-t, --topic <topic>", "this topic (default: the group's)")
    .addOption(json())
    .action((group: string, options: { topic?: string; json?: boolean }, command: Command) =>
      withClient(command, (client) =>
        lagCommand(client, group, { topic: options.topic ?? null, json: options.json === true }, context.output),
      ),
    );
  groups
    .command("reset-offsets <group>")
    .requiredOption("-t, --topic <topic>", "the topic")
    .option("--to-earliest", "to each partition's log start")
    .option("--to-latest", "to each partition's high watermark")
    .option("--to-offset <n>", "to offset N (kept within each partition's log)")
    .option("--to-datetime <time>", "to the first record at or after a time (ms or ISO 8601)")
    .option("-p, --partition <n>", "only this partition")
    .option("--dry-run", "print the plan, commit nothing")
    .addOption(json())
    .action((group: string, flags: ResetFlags, command: Command) => {
      const target = resetTarget(flags);
      const partition = flags.partition === undefined ? null : wholeNumber(flags.partition, "-p", 0, TOPIC_PARTITIONS_MAX - 1);
      const options = { topic: flags.topic, target, partition, dryRun: flags.dryRun === true, json: flags.json === true };
      return withClient(command, (client) => resetOffsetsCommand(client, group, options, context.output));
    });
}

function tokenCommand(program: Command, context: CliContext): void {
  program
    .command("token")
    .description("mint an HS256 token with EDGELOG_JWT_SECRET (from the environment or ./.dev.vars)")
    .requiredOption("--sub <principal>", "the token's subject")
    .option("--scope <grants>", "read:<pattern> write:<pattern> admin:<pattern> group:<pattern> (AUTH-3)", "")
    .option("--ttl <seconds>", "lifetime in seconds", String(TOKEN_TTL_S_DEFAULT))
    .option("--aud <audience>", "the aud claim (default EDGELOG_JWT_AUDIENCE)")
    .option("--iss <issuer>", "the iss claim (default EDGELOG_JWT_ISSUER)")
    .option("--quota <json>", "the quota claim (QUOTA-1)")
    .action(async (flags: { sub: string; scope: string; ttl: string; aud?: string; iss?: string; quota?: string }) => {
      const secret = localVar("EDGELOG_JWT_SECRET");
      if (secret === null) throw new UsageError("no EDGELOG_JWT_SECRET in the environment or ./.dev.vars");
      const minting = mintToken({
        secret,
        sub: flags.sub,
        scope: flags.scope,
        ttlS: wholeNumber(flags.ttl, "--ttl", 1, Number.MAX_SAFE_INTEGER),
        nowS: Math.floor(Date.now() / 1000),
        aud: flags.aud ?? localVar("EDGELOG_JWT_AUDIENCE"),
        iss: flags.iss ?? localVar("EDGELOG_JWT_ISSUER"),
        ...(flags.quota === undefined ? {} : { quota: flags.quota }),
      });
      // A claim the server would refuse is the caller's mistake here: a usage error, not a 401.
      const token = await minting.catch((error: unknown) => {
        throw new UsageError(error instanceof Error ? error.message : String(error));
      });
      await context.output.write(`${token}\n`);
    });
}

/**
 * The whole command line, its usage errors thrown (exitOverride) rather than exiting.
 *
 * @example
 * await buildProgram(context).parseAsync(["node", "edgelog", "topics", "list"]);
 */
export function buildProgram(context: CliContext): Command {
  const program = new Command("edgelog")
    .description("edgelog's command line: topics, produce, consume, groups, processors, connectors, sources and tokens")
    .option("--url <url>", "the edgelog server (default EDGELOG_URL, else http://127.0.0.1:8787)")
    .option("--token <token>", "a bearer token (default EDGELOG_TOKEN)")
    .showHelpAfterError(false);
  topicCommands(program, context);
  produceCommandLine(program, context);
  consumeCommandLine(program, context);
  groupCommands(program, context);
  processorCommands(program, context);
  connectorCommands(program, context);
  sourceCommands(program, context);
  tokenCommand(program, context);
  const quiet = (command: Command) => {
    command.exitOverride().configureOutput({ outputError: () => undefined });
    for (const sub of command.commands) quiet(sub);
  };
  quiet(program);
  return program;
}
