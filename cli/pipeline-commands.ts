/**
 * The commander wiring of `edgelog processors`, `edgelog connectors` and `edgelog sources`, each
 * command handing its work to processors.ts, connectors.ts or sources.ts. Every one takes `-J,
 * --json`; `put NAME [--file F]` reads its configuration (config-input.ts) before connecting, so a
 * document that is not JSON is a usage error with nothing sent.
 *
 * @example
 * processorCommands(program, context);
 * connectorCommands(program, context);
 * sourceCommands(program, context);
 */
import { type Command, Option } from "commander";
import type { EdgelogClient } from "../client/index.ts";
import { readConfig } from "./config-input.ts";
import { withClient } from "./connection.ts";
import { deleteConnectorCommand, describeConnectorCommand, listConnectorsCommand, putConnectorCommand } from "./connectors.ts";
import type { Output } from "./output.ts";
import { describeProcessorCommand, listProcessorsCommand } from "./processors.ts";
import { deleteSourceCommand, describeSourceCommand, listSourcesCommand, putSourceCommand } from "./sources.ts";

/**
 * What these commands use of the CLI's context: stdin (a `put`'s configuration) and stdout.
 *
 * @example
 * const io: PipelineIo = { input: process.stdin, output: new Output(process.stdout) };
 */
export interface PipelineIo {
  input: NodeJS.ReadableStream;
  output: Output;
}

type JsonFlag = { json?: boolean };
const jsonOption = () => new Option("-J, --json", "the server's answer as one JSON line");

/**
 * `processors list|describe NAME`.
 *
 * @example
 * processorCommands(program, { input: process.stdin, output });
 */
export function processorCommands(program: Command, io: PipelineIo): void {
  const processors = program.command("processors").description("list and describe the stream processors the Worker registers");
  processors
    .command("list")
    .addOption(jsonOption())
    .action((flags: JsonFlag, command: Command) =>
      withClient(command, (client) => listProcessorsCommand(client, { json: flags.json === true }, io.output)),
    );
  processors
    .command("describe <name>")
    .addOption(jsonOption())
    .action((name: string, flags: JsonFlag, command: Command) =>
      withClient(command, (client) => describeProcessorCommand(client, name, { json: flags.json === true }, io.output)),
    );
}

/** The four commands a managed kind has; `put` reads its configuration before connecting. */
interface ManagedCommands {
  list: (client: EdgelogClient, options: { json: boolean }, out: Output) => Promise<void>;
  describe: (client: EdgelogClient, name: string, options: { json: boolean }, out: Output) => Promise<void>;
  put: (client: EdgelogClient, name: string, config: unknown, options: { json: boolean }, out: Output) => Promise<void>;
  remove: (client: EdgelogClient, name: string, options: { json: boolean }, out: Output) => Promise<void>;
}

function managedCommands(group: Command, io: PipelineIo, commands: ManagedCommands): void {
  group
    .command("list")
    .addOption(jsonOption())
    .action((flags: JsonFlag, command: Command) =>
      withClient(command, (client) => commands.list(client, { json: flags.json === true }, io.output)),
    );
  group
    .command("describe <name>")
    .addOption(jsonOption())
    .action((name: string, flags: JsonFlag, command: Command) =>
      withClient(command, (client) => commands.describe(client, name, { json: flags.json === true }, io.output)),
    );
  group
    .command("put <name>")
    .description("create or replace it from the configuration JSON in --file, else stdin")
    .option("--file <path>", "read the configuration from this file (default: stdin)")
    .addOption(jsonOption())
    .action(async (name: string, flags: JsonFlag & { file?: string }, command: Command) => {
      const config = await readConfig(flags.file ?? null, io.input);
      return withClient(command, (client) => commands.put(client, name, config, { json: flags.json === true }, io.output));
    });
  group
    .command("delete <name>")
    .addOption(jsonOption())
    .action((name: string, flags: JsonFlag, command: Command) =>
      withClient(command, (client) => commands.remove(client, name, { json: flags.json === true }, io.output)),
    );
}

/**
 * `connectors list|describe NAME|put NAME [--file F]|delete NAME`.
 *
 * @example
 * connectorCommands(program, { input: process.stdin, output });
 */
export function connectorCommands(program: Command, io: PipelineIo): void {
  const connectors = program.command("connectors").description("list, describe, put and delete connectors (webhook and archive sinks)");
  managedCommands(connectors, io, {
    list: listConnectorsCommand,
    describe: describeConnectorCommand,
    put: putConnectorCommand,
    remove: deleteConnectorCommand,
  });
}

/**
 * `sources list|describe NAME|put NAME [--file F]|delete NAME`.
 *
 * @example
 * sourceCommands(program, { input: process.stdin, output });
 */
export function sourceCommands(program: Command, io: PipelineIo): void {
  const sources = program.command("sources").description("list, describe, put and delete HTTP sources (signed webhooks into a topic)");
  managedCommands(sources, io, {
    list: listSourcesCommand,
    describe: describeSourceCommand,
    put: putSourceCommand,
    remove: deleteSourceCommand,
  });
}
