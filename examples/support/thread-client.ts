/**
 * Example 09's client as a worker thread, the note's way: one thread per
 * connection. A Node thread cannot block on a socket, so each one runs
 * the same exchange as a task does, with callbacks, and counts into the
 * shared Tally (see ./tally.ts).
 */
import type * as Net from "node:net";
import { Worker, type MessagePort } from "node:worker_threads";
import { SLOTS, Tally, type TallyBuffers } from "./tally.ts";

/** What a thread is given: where to connect, its number and name, the tally. */
export interface ThreadData {
  host: string;
  port: number;
  n: number;
  name: string;
  buffers: TallyBuffers;
  slots: typeof SLOTS;
}

/**
 * The body of one thread. It runs inside the thread, so it uses only
 * what it is given: its data, the port to the main thread, node:net.
 * It posts `{ reply }` for a reply to print, then a last message: what
 * went wrong (a code such as `ECONNRESET`), or null once the run is over.
 */
export function threadClient(
  w: ThreadData,
  parent: MessagePort,
  net: typeof Net,
): void {
  const s = w.slots;
  const counts = new Int32Array(w.buffers.counts);
  const latency = new Int32Array(w.buffers.latency);
  const state = new Int32Array(w.buffers.state);
  const since = new Float64Array(w.buffers.since);
  const msg = Buffer.from(`${w.name} say hello`);
  const want = Buffer.from(msg.toString("latin1").toUpperCase(), "latin1");
  const reply = Buffer.alloc(msg.length);
  let [got, t0, over] = [0, 0, false];
  const waits = (what: number) => {
    Atomics.store(state, w.n, what);
    since[w.n] = Date.now();
  };
  const stop = (why: string | null) => {
    if (over) return;
    over = true;
    parent.postMessage(why);
    sock.destroy();
  };
  const send = () => {
    [got, t0] = [0, performance.now()];
    since[w.n] = Date.now();
    sock.write(msg);
  };
  waits(s.CONNECTING);
  const sock = net.connect({ host: w.host, port: w.port, noDelay: true });
  sock.on("connect", () => {
    Atomics.add(counts, s.CONNECTED, 1);
    waits(s.WAITING);
    send();
  });
  sock.on("error", (e: NodeJS.ErrnoException) => stop(e.code ?? e.name));
  sock.on("end", () => stop("closed by the server"));
  // TCP is a stream: a reply may come in pieces; count it once whole.
  sock.on("data", (d: Buffer) => {
    got += d.copy(reply, got);
    if (got < msg.length) return;
    const ms = performance.now() - t0;
    Atomics.add(latency, Math.min(Math.round(ms * 100), s.BUCKETS - 1), 1);
    Atomics.add(counts, s.REPLIES, 1);
    Atomics.store(state, w.n, s.ANSWERED);
    since[w.n] = 0;
    if (!reply.equals(want) || d.length > msg.length) {
      Atomics.add(counts, s.WRONG, 1);
      return stop("not upper-cased");
    }
    if (Atomics.add(counts, s.PRINTED, 1) < 10)
      parent.postMessage({ reply: reply.toString("latin1") });
    if (Atomics.load(counts, s.STOP)) stop(null);
    else send();
  });
}

// The code a thread runs: threadClient's own text. A function's text is
// what the runtime runs, which tsx builds with a `__name` helper that
// keeps function names: the thread gets a stand-in that does nothing.
const source = `const __name = (f) => f;
const { workerData, parentPort } = require("node:worker_threads");
(${threadClient.toString()})(workerData, parentPort, require("node:net"));`;

// Small heaps: each thread holds one socket and a few buffers.
const resourceLimits = {
  maxYoungGenerationSizeMb: 1,
  maxOldGenerationSizeMb: 16,
  stackSizeMb: 1,
};

/** Starts thread number `n`; `onMessage` gets what it posts. */
export function startThread(
  data: Omit<ThreadData, "slots">,
  onMessage: (m: string | null | { reply: string }) => void,
): Worker {
  const workerData: ThreadData = { ...data, slots: SLOTS };
  const worker = new Worker(source, {
    eval: true,
    workerData,
    resourceLimits,
  });
  worker.on("message", onMessage);
  return worker;
}

/**
 * What one more client thread costs here: runs two, one after the
 * other, for 200 ms of traffic each against `host:port` (the first pays
 * for what threads share), and measures the second: the time until its
 * first reply, and what it added to this process's memory meanwhile.
 */
export async function threadCost(
  host: string,
  port: number,
): Promise<{ ms: number; bytes: number }> {
  let cost = { ms: 0, bytes: 0 };
  for (let i = 0; i < 2; i++) {
    const tally = new Tally(1);
    const [rss0, t0] = [process.memoryUsage().rss, performance.now()];
    let ms = 0;
    const data = { host, port, n: 1, name: "Probe", buffers: tally.buffers() };
    const worker = startThread(data, () => {});
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        const now = performance.now() - t0;
        if (!ms && tally.get(SLOTS.REPLIES) > 0) ms = now;
        if ((ms && now > ms + 200) || now > 5000) {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });
    cost = { ms, bytes: Math.max(0, process.memoryUsage().rss - rss0) };
    Atomics.store(tally.counts, SLOTS.STOP, 1);
    await worker.terminate();
  }
  return cost;
}
