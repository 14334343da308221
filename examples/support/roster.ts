/**
 * The roll of a client example's connections (07, 09): what each one is
 * doing, since when it waits, and what went wrong, by name. A watch
 * gives up on a client that waits too long (closing its connection ends
 * the `recv()` it waits in; a thread is ended), so that the summary
 * names every client that was left waiting, and no run hangs on a
 * server that stopped answering.
 */
import { sleep, type Connection } from "../../lib/core.ts";
import { int, names } from "./chart.ts";

/** One client on the roll. */
export interface Member {
  /** Its task's name, `Task-1`..., as the summary shows it. */
  name: string;
  /** What went wrong if the current wait fails: `got no reply`... */
  doing: string;
  /** When the current wait began (ms, Date.now()); 0 while not waiting. */
  since: number;
  /** Ends what it waits for: closes its connection, or ends its thread. */
  end?: () => void;
  over: boolean;
}

/** Every client of a run, and what it got. */
export class Roster {
  readonly members: Member[] = [];
  /** What went wrong, e.g. `got no reply (timed out)`, and to whom. */
  readonly trouble = new Map<string, string[]>();
  replies = 0;
  start = Date.now();
  /** When the run ends (Date.now() time); clients stop after their exchange. */
  stopAt = Infinity;
  /** How long a client may wait to connect or for a reply, in ms. */
  readonly waitMs: number;

  constructor(waitMs: number) {
    this.waitMs = waitMs;
  }

  /** Starts the clock: the run lasts `ms` from now. */
  begin(ms: number): void {
    this.start = Date.now();
    this.stopAt = this.start + ms;
  }

  /** Whether the run was cut short (Ctrl-C). */
  interrupted = false;

  /**
   * Ends the run now (Ctrl-C): each client may end the exchange it is
   * in (within `waitMs`), then stops.
   */
  stop(): void {
    this.interrupted = true;
    this.stopAt = Math.min(this.stopAt, Date.now());
  }

  /** A client that starts connecting now. */
  add(name = ""): Member {
    const since = Date.now();
    const me: Member = { name, doing: "never connected", since, over: false };
    this.members.push(me);
    return me;
  }

  /** `me` has connected; returns `conn`. */
  connected(me: Member, conn: Connection): Connection {
    if (me.over) conn.close(); // given up on while it connected
    me.end = () => conn.close();
    [me.doing, me.since] = ["got no reply", 0];
    return conn;
  }

  /**
   * Whether `me` should send again (the run goes on, it is not given
   * up); if so, its wait for the reply starts now.
   */
  next(me: Member): boolean {
    if (me.over) return false;
    if (Date.now() >= this.stopAt) {
      // The run is over: a client with no reply yet waited in vain.
      const never = me.doing !== "lost its connection";
      if (never && !this.interrupted) this.giveUp(me, "timed out");
      return false;
    }
    me.since = Date.now();
    return true;
  }

  /** `me` got its reply, right or wrong; returns the count of right ones. */
  answered(me: Member, right: boolean): number {
    if (!right) {
      me.doing = "got a wrong reply";
      throw new Error("not upper-cased");
    }
    const late = Date.now() >= this.stopAt && !this.interrupted;
    if (me.doing === "got no reply" && late) {
      this.giveUp(me, "timed out"); // its first reply, too late for the run
      return Infinity;
    }
    [me.doing, me.since] = ["lost its connection", 0];
    return ++this.replies;
  }

  /** `me` failed with `error`: it is named under what it was doing. */
  failed(me: Member, error: unknown): void {
    const e = error as { code?: string; message?: string };
    this.giveUp(me, e.code ?? e.message ?? String(error));
  }

  /** `me` is over: its connection is closed. */
  over(me: Member): void {
    me.over = true;
    me.end?.();
  }

  /** Names `me` under what it was doing and `why` it failed; ends it. */
  giveUp(me: Member, why: string): void {
    if (me.over) return;
    const key = `${me.doing} (${why})`;
    this.trouble.set(key, [...(this.trouble.get(key) ?? []), me.name]);
    this.over(me);
  }

  /**
   * Until every client is over: gives up on a client that has waited
   * over `waitMs`, or that has had no reply at all when the run ends
   * (unless Ctrl-C cut it short: then it may end its exchange).
   * `sync`, if given, first brings the roll up to date (threads).
   */
  async watch(sync?: () => void): Promise<void> {
    while (this.members.some((m) => !m.over)) {
      sync?.();
      const now = Date.now();
      for (const m of this.members) {
        if (m.over) continue;
        const never = m.doing !== "lost its connection"; // no reply yet
        if (m.since > 0 && now - m.since > this.waitMs)
          this.giveUp(m, "timed out");
        else if (now < this.stopAt || !never) continue;
        // A thread still waiting to start when the run ends:
        else if (m.doing === "never started")
          this.giveUp(m, "the run ended first");
        else if (!this.interrupted) this.giveUp(m, "timed out");
      }
      await sleep(50);
    }
  }

  /** The one line for a run in which no client could connect, or undefined. */
  noneConnected(where: string): string | undefined {
    const [[what = "", who = []] = []] = this.trouble;
    if (
      this.replies > 0 ||
      this.trouble.size !== 1 ||
      !what.startsWith("never")
    )
      return undefined;
    if (who.length < this.members.length) return undefined;
    const why = what.slice("never connected ".length);
    const hint =
      why === "(timed out)"
        ? "the server does not accept"
        : "is the server up?";
    return `cannot connect to ${where} ${why}: ${hint}`;
  }

  /** True if every client got right replies all along, and some did. */
  ok(): boolean {
    return this.trouble.size === 0 && this.replies > 0;
  }

  /** The summary: replies and rate over the run, then who got what wrong. */
  summary(): string[] {
    const secs = (Math.min(Date.now(), this.stopAt) - this.start) / 1000;
    const n = this.members.length;
    return [
      `${n} clients: ${int(this.replies)} replies in ${secs.toFixed(1)} s, ` +
        `${int(this.replies / secs)} per second`,
      ...[...this.trouble].map(
        ([what, who]) => `${what}: ${names(who, 78 - what.length)}`,
      ),
    ];
  }
}
