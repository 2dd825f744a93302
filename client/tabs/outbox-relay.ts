/**
 * One outbox for all tabs, sent by one of them. Every tab's producer writes to the shared
 * IndexedDB outbox; only the leader sends it (sealed batches and sequences must not race between
 * tabs). A follower's pass asks the leader to run one and takes its result; the leader runs passes
 * one at a time (a pass not started yet serves every tab that asked), and after each batch it
 * announces which records were delivered or refused, so the tab that produced them settles its
 * promises. After each pass it runs (for whichever tab), the leader tells of the change, here and
 * once on the channel (`outbox`), and each other tab tells its own listeners when it hears it: so
 * every tab's outbox-change event follows the shared outbox (outbox-watch.ts), with one message
 * per pass however many batches it sent. A new leader sends at once whatever the outbox holds.
 *
 * @example
 * const relay = new OutboxRelay(channel, () => watch.changed());
 * new Producer({ ...context, passRunner: relay.passRunner });
 * relay.leaderIs(leaderId, leaderId === channel.self);
 */
import { EdgelogClientError } from "../local-errors.ts";
import { TAB_PASS_TIMEOUT_MS } from "../local-limits.ts";
import { type PassResult, type PassRunnerFactory, type SenderContext, sendOutbox } from "../outbox-sender.ts";
import { EdgelogError } from "../protocol/index.ts";
import type { TabChannel } from "./channel.ts";
import { fromWire, passFromWire, passToWire, type TabMessage, type WirePassResult } from "./tab-messages.ts";

/**
 * The tab's side of the shared outbox.
 *
 * @example
 * const relay = new OutboxRelay(channel, () => watch.changed());
 * channel.listen((message) => relay.heard(message));
 */
export class OutboxRelay {
  /** For the producer: binds its sender context and answers how each pass runs. */
  readonly passRunner: PassRunnerFactory;
  private readonly channel: TabChannel;
  private readonly outboxChanged: () => void;
  private sender: SenderContext | null = null;
  private leader: string | null = null;
  private leading = false;
  private chain: Promise<unknown> = Promise.resolve();
  private nextPass: Promise<PassResult> | null = null;

  /** `outboxChanged` hears of every change of the shared outbox: a pass run here, or another tab's news. */
  constructor(channel: TabChannel, outboxChanged: () => void) {
    this.channel = channel;
    this.outboxChanged = outboxChanged;
    this.passRunner = (sender) => {
      this.sender = sender;
      return () => (this.leading ? this.passHere() : this.askLeader());
    };
  }

  /** The leader changed; when this tab now leads, it sends what the outbox holds. */
  leaderIs(leader: string | null, leading: boolean): void {
    this.leader = leader;
    this.leading = leading;
    if (leading) void this.passHere();
  }

  /** Handles a pass request (when leading) and other tabs' delivery and outbox news. */
  heard(message: TabMessage): void {
    if (message.type === "outbox") {
      this.outboxChanged();
      return;
    }
    if (message.type === "pass") {
      const result = this.leading
        ? this.passHere().then((value) => ({ value: passToWire(value) }))
        : Promise.resolve({ error: new EdgelogClientError("NETWORK", "this tab no longer holds the connection") });
      void result.then((outcome) => this.channel.answer(message.from, message.rid, outcome));
      return;
    }
    if (message.type !== "settled" || this.sender === null) return;
    if (message.error === null) this.sender.delivered(message.entries, message.offsets);
    else {
      const error = fromWire(message.error);
      if (error instanceof EdgelogError) this.sender.undeliverable(message.entries, error);
    }
  }

  /** Runs a pass in this tab after any running one; a pass not yet started serves every caller. */
  private passHere(): Promise<PassResult> {
    const sender = this.sender;
    if (sender === null) return Promise.resolve({ removed: 0, failure: null, fenced: null });
    if (this.nextPass !== null) return this.nextPass;
    const pass = this.chain.then(() => {
      this.nextPass = null;
      return sendOutbox(this.announcing(sender)).finally(() => {
        // One message per pass, after its `settled` ones: every tab reads the outbox again.
        this.outboxChanged();
        this.channel.post({ type: "outbox" });
      });
    });
    this.nextPass = pass;
    this.chain = pass.catch(() => undefined);
    return pass;
  }

  /** The sender context, also telling other tabs what became of each batch. */
  private announcing(sender: SenderContext): SenderContext {
    return {
      ...sender,
      delivered: (entries, offsets) => {
        sender.delivered(entries, offsets);
        this.channel.post({ type: "settled", entries: [...entries], offsets: offsets === null ? null : [...offsets], error: null });
      },
      undeliverable: (entries, error) => {
        sender.undeliverable(entries, error);
        this.channel.post({
          type: "settled",
          entries: [...entries],
          offsets: null,
          error: { server: true, code: error.code, message: error.message },
        });
      },
    };
  }

  private async askLeader(): Promise<PassResult> {
    if (this.leader === null) {
      return {
        removed: 0,
        failure: new EdgelogClientError("NETWORK", "no tab holds the connection yet; the records wait in the outbox"),
        fenced: null,
      };
    }
    try {
      return passFromWire((await this.channel.ask(this.leader, { type: "pass" }, TAB_PASS_TIMEOUT_MS)) as WirePassResult);
    } catch (error) {
      const failure =
        error instanceof EdgelogError || error instanceof EdgelogClientError
          ? error
          : new EdgelogClientError("NETWORK", `the leader tab failed the pass: ${(error as Error)?.message ?? String(error)}`);
      return { removed: 0, failure, fenced: null };
    }
  }
}
