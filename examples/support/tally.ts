import { bar, int } from "./chart.ts";

/**
 * What the clients of example 09 add up, in shared memory, so that
 * worker threads count into it as the tasks do: replies, wrong replies,
 * a latency histogram, and each client's state and since when it waits.
 */

/**
 * The numbers that the main thread and the worker threads agree on:
 * slots of `Tally.counts`, a client's states in `Tally.state`, and the
 * latency buckets (10 µs each; the last one holds 1 s and more).
 */
export const SLOTS = {
  REPLIES: 0,
  WRONG: 1,
  CONNECTED: 2,
  STOP: 3,
  PRINTED: 4,
  NOT_STARTED: 0,
  CONNECTING: 1,
  WAITING: 2, // connected, no reply yet
  ANSWERED: 3, // has had a reply
  BUCKETS: 100_001,
} as const;
const { BUCKETS, REPLIES, WRONG, PRINTED, ANSWERED } = SLOTS;

/** The shared arrays, as a worker thread gets them. */
export interface TallyBuffers {
  counts: SharedArrayBuffer;
  latency: SharedArrayBuffer;
  state: SharedArrayBuffer;
  since: SharedArrayBuffer;
}

/** The counts of a run of `clients` clients (numbered from 1). */
export class Tally {
  readonly counts: Int32Array;
  readonly latency: Int32Array;
  /** Each client's state (SLOTS.NOT_STARTED...), by number. */
  readonly state: Int32Array;
  /** When each client's wait began (Date.now()); 0 while not waiting. */
  readonly since: Float64Array;

  constructor(clients: number, from?: TallyBuffers) {
    const shared = (bytes: number) => new SharedArrayBuffer(bytes);
    this.counts = new Int32Array(from?.counts ?? shared(5 * 4));
    this.latency = new Int32Array(from?.latency ?? shared(BUCKETS * 4));
    this.state = new Int32Array(from?.state ?? shared((clients + 1) * 4));
    this.since = new Float64Array(from?.since ?? shared((clients + 1) * 8));
  }

  buffers(): TallyBuffers {
    return {
      counts: this.counts.buffer as SharedArrayBuffer,
      latency: this.latency.buffer as SharedArrayBuffer,
      state: this.state.buffer as SharedArrayBuffer,
      since: this.since.buffer as SharedArrayBuffer,
    };
  }

  get(slot: number): number {
    return Atomics.load(this.counts, slot);
  }

  /** Client `n` now waits (to connect, or for a reply), or not (`false`). */
  waits(n: number, state: number, waiting = true): void {
    Atomics.store(this.state, n, state);
    this.since[n] = waiting ? Date.now() : 0;
  }

  /** Counts a reply after `ms`; returns whether to print it (the first 10). */
  record(n: number, ms: number, right: boolean): boolean {
    Atomics.add(this.latency, Math.min(Math.round(ms * 100), BUCKETS - 1), 1);
    Atomics.add(this.counts, REPLIES, 1);
    if (!right) Atomics.add(this.counts, WRONG, 1);
    this.waits(n, ANSWERED, false);
    return Atomics.add(this.counts, PRINTED, 1) < 10;
  }

  /** The latency below which a share `p` of the replies came, in ms. */
  percentile(p: number): number | undefined {
    const total = this.latency.reduce((a, b) => a + b, 0);
    let seen = 0;
    for (let i = 0; i < BUCKETS && total > 0; i++) {
      seen += this.latency[i]!;
      if (seen >= total * p) return i / 100;
    }
    return undefined;
  }

  /**
   * The latency histogram, one line per range from the fastest reply
   * to the slowest: bars to scale with the fullest range, then the
   * count and its share. At most 72 columns.
   */
  histogram(): string[] {
    const edges = [0, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
    const rows = edges.map((from, i) => {
      const to = edges[i + 1] ?? Infinity;
      let n = 0;
      for (let b = Math.round(from * 100); b < Math.min(to * 100, BUCKETS); b++)
        n += this.latency[b]!;
      const label = to === Infinity ? `>= ${from} ms` : `${from}-${to} ms`;
      return { label, n };
    });
    const total = rows.reduce((a, r) => a + r.n, 0);
    if (total === 0) return [];
    const first = rows.findIndex((r) => r.n > 0);
    const last =
      rows.length - 1 - [...rows].reverse().findIndex((r) => r.n > 0);
    const max = Math.max(...rows.map((r) => r.n));
    return rows.slice(first, last + 1).map((r) => {
      const pct = (r.n * 100) / total;
      const share = pct < 0.1 ? "<0.1%" : `${pct.toFixed(pct < 1 ? 1 : 0)}%`;
      const b = bar(r.n, max, 40).padEnd(40);
      return `  ${r.label.padStart(12)}  ${b} ${int(r.n)} (${share})`.trimEnd();
    });
  }
}
