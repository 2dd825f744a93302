#!/usr/bin/env node
/**
 * `npx edgelog`: the command line's entry (the package's `bin`). Runs the command, then exits
 * with its status: 0, or the failure's (failure.ts: 2 for bad arguments, 3 not found, 4 auth,
 * 5 unreachable, 1 any other), after one line `edgelog: <CODE>: <message>` on stderr. The first
 * SIGINT stops a running consume or produce cleanly (a group member commits and leaves), the
 * second exits at once (130).
 *
 * @example
 * // npx edgelog topics list
 * // seq 1 10 | npx edgelog produce orders && npx edgelog consume orders -e -f '%o %s\n'
 */
import { CommanderError } from "commander";
import { EXIT, reportFailure } from "./failure.ts";
import { Output } from "./output.ts";
import { buildProgram } from "./program.ts";

let stopRequested = false;
process.on("SIGINT", () => {
  if (stopRequested) process.exit(130);
  stopRequested = true;
});

const output = new Output(process.stdout);
const context = {
  input: process.stdin,
  output,
  stderr: process.stderr,
  stopped: () => stopRequested,
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

async function main(): Promise<number> {
  try {
    await buildProgram(context).parseAsync(process.argv);
    return EXIT.OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.exitCode === 0) return EXIT.OK;
      const message = error.code === "commander.help" ? "name a subcommand (listed above)" : error.message.replace(/^error: /, "");
      process.stderr.write(`edgelog: USAGE: ${message}\n`);
      return EXIT.USAGE;
    }
    return reportFailure(error, process.stderr);
  }
}

const status = await main();
// Let stdout drain (a pipe), then exit: the client's sockets and timers are closed already.
process.stdout.write("", () => process.exit(status));
