/**
 * Writing to stdout with its backpressure respected: a write that fills the pipe's buffer waits
 * for `drain`, so a slow reader (`| less`, `| head`) holds the CLI back instead of its memory
 * growing. A reader that went away (EPIPE, `| head -1`) ends the command quietly.
 *
 * @example
 * const out = new Output(process.stdout);
 * await out.write("a line\n");
 */

/**
 * The output stream, as this module's header says.
 *
 * @example
 * await new Output(process.stdout).write('{"a":1}\n');
 */
export class Output {
  private readonly stream: NodeJS.WritableStream;
  /** Whether the reader went away (writes are then dropped). */
  closed = false;

  /** Over one writable stream (stdout). */
  constructor(stream: NodeJS.WritableStream) {
    this.stream = stream;
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") this.closed = true;
      else throw error;
    });
  }

  /** Writes `text`, waiting for `drain` when the stream's buffer is full. */
  async write(text: string): Promise<void> {
    if (this.closed) return;
    if (this.stream.write(text)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off("drain", done);
        this.stream.off("close", done);
        resolve();
      };
      this.stream.once("drain", done);
      this.stream.once("close", done);
    });
  }
}
