/**
 * @title 500 clients: coroutines or threads, measured
 * @note 二、并发的套接字通信 (客户端, the client: tasks versus threads)
 * @run npx tsx examples/09-client-threads.ts
 * @output none
 *
 * Example 07's client with measurements: 500 tasks on one thread, or
 * with `--threads` the note's way, one worker thread per connection.
 * Start a server first (examples/08-server-pool-workers.ts or 06). A
 * status line runs while it works; look at the summary: replies per
 * second once every client is connected, latency, and the memory used
 * by 500 tasks versus 500 threads. Clients that never connected or
 * never got a reply are named, and the exit code is 1.
 * Tested by test/example-09-client.test.ts.
 */
import { Worker } from "node:worker_threads";
import { int } from "./support/chart.ts";
import { cli, fail, intOption, numberOption } from "./support/cli.ts";
import {
  TaskExit,
  TimeoutError,
  current,
  joinAll,
  killAll,
  sleep,
  spawn,
  withTimeout,
} from "../lib/index.ts";
import { connect } from "../lib/index.ts";
import type { Task } from "../lib/index.ts";

// What every client adds up. Shared memory, so that worker threads can
// count into it too: [replies, wrong, connected, stop, printed] and a
// latency histogram in 10 µs steps (the last bucket: 1 s and more).
const BUCKETS = 100_001;
const counts = new Int32Array(new SharedArrayBuffer(5 * 4));
const latency = new Int32Array(new SharedArrayBuffer(BUCKETS * 4));
const [REPLIES, WRONG, CONNECTED, STOP, PRINTED] = [0, 1, 2, 3, 4];
const PRINT = 10; // replies printed, like the note's print(), then quiet
const errors = new Map<string, number>();
const addError = (kind: string) =>
  errors.set(kind, (errors.get(kind) ?? 0) + 1);
const failed = () => [...errors.values()].reduce((a, b) => a + b, 0);
// A line of output; on a terminal it first erases the status line.
const say = (line: string) =>
  console.log(process.stdout.isTTY ? `\r\x1b[K${line}` : line);
// The first PRINT replies, then a line that says so.
let shown = 0;
const showReply = (text: string) => {
  say(text);
  if (++shown === PRINT) say(`(first ${PRINT} replies shown)`);
};
const kindOf = (e: unknown) =>
  e instanceof TimeoutError
    ? "timed out"
    : ((e as { code?: string }).code ?? (e as Error).name ?? String(e));
// Give up on a connection that the server does not accept in 3 s.
const CONNECT_MS = 3000;
// Each client's progress, by number (1...clients), shared with the
// threads: 0 not connected, 1 connected, 2 got a reply. The summary
// names the clients that never connected, or never got a reply.
const [CONNECTING, WAITING, ANSWERED] = [0, 1, 2];
const names: string[] = [];

// One client as a task: connect, then send, wait for the whole reply
// (TCP may split it), check it. Every await lets the others run.
async function client(n: number): Promise<void> {
  const name = current().name; // Task-1 ... Task-500
  const msg = Buffer.from(`${name} say hello`);
  const want = Buffer.from(msg.toString("latin1").toUpperCase(), "latin1");
  const reply = Buffer.alloc(msg.length);
  const conn = await withTimeout(CONNECT_MS, () => connect(host, port)).catch(
    (e: unknown) => {
      if (e instanceof TaskExit) throw e;
      addError(kindOf(e));
    },
  );
  if (!conn) return;
  Atomics.add(counts, CONNECTED, 1);
  Atomics.store(progress, n, WAITING);
  try {
    while (!Atomics.load(counts, STOP)) {
      const t0 = performance.now();
      await conn.sendall(msg);
      for (let got = 0; got < msg.length;) {
        const b = await conn.recv(msg.length - got);
        if (b.length === 0)
          throw Object.assign(new Error("closed"), {
            code: "closed by the server",
          });
        got += b.copy(reply, got);
      }
      record(performance.now() - t0, reply.equals(want), reply);
      Atomics.store(progress, n, ANSWERED);
    }
  } catch (e) {
    if (e instanceof TaskExit) throw e;
    addError(kindOf(e));
  } finally {
    conn.close();
  }
}

function record(ms: number, right: boolean, reply: Uint8Array): void {
  Atomics.add(latency, Math.min(Math.round(ms * 100), BUCKETS - 1), 1);
  Atomics.add(counts, REPLIES, 1);
  if (!right) Atomics.add(counts, WRONG, 1);
  if (Atomics.add(counts, PRINTED, 1) < PRINT)
    showReply(Buffer.from(reply).toString());
}

// The note's way: one thread per connection. A Node thread cannot
// block on a socket, so each runs the same loop with callbacks.
const THREAD = `
const { workerData: w, parentPort } = require("node:worker_threads");
const net = require("node:net");
const counts = new Int32Array(w.counts), latency = new Int32Array(w.latency), progress = new Int32Array(w.progress);
const msg = Buffer.from(w.name + " say hello"), want = Buffer.from(msg.toString().toUpperCase());
const reply = Buffer.alloc(msg.length);
let got = 0, t0 = 0, stopped = false;
const sock = net.connect({ host: w.host, port: w.port, noDelay: true });
const send = () => { got = 0; t0 = performance.now(); sock.write(msg); };
const stop = (kind) => { stopped = true; clearTimeout(timer); parentPort.postMessage(kind); sock.destroy(); };
const timer = setTimeout(() => stop("timed out"), w.connectMs);
sock.on("connect", () => { clearTimeout(timer); Atomics.add(counts, 2, 1); Atomics.store(progress, w.n, 1); send(); });
sock.on("error", (e) => stopped || stop(e.code || e.name));
sock.on("end", () => stopped || stop("closed by the server"));
sock.on("data", (d) => {
  got += d.copy(reply, got);
  if (got < msg.length) return;
  Atomics.add(latency, Math.min(Math.round((performance.now() - t0) * 100), 100000), 1);
  Atomics.add(counts, 0, 1);
  Atomics.store(progress, w.n, 2);
  if (!reply.equals(want) || got > msg.length) Atomics.add(counts, 1, 1);
  if (Atomics.add(counts, 4, 1) < 10) parentPort.postMessage({ reply: reply.toString() });
  if (Atomics.load(counts, 3)) stop(null); else send();
});`;

function startThread(n: number): Promise<void> {
  names[n] = `Thread-${n}`;
  const shared = {
    counts: counts.buffer,
    latency: latency.buffer,
    progress: progress.buffer,
  };
  const workerData = {
    host,
    port,
    n,
    name: names[n],
    connectMs: CONNECT_MS,
    ...shared,
  };
  const limits = {
    maxYoungGenerationSizeMb: 1,
    maxOldGenerationSizeMb: 16,
    stackSizeMb: 1,
  };
  const worker = new Worker(THREAD, {
    eval: true,
    workerData,
    resourceLimits: limits,
  });
  return new Promise((resolve) => {
    worker.on("message", (m: string | null | { reply: string }) => {
      if (m !== null && typeof m === "object") return showReply(m.reply);
      if (m) addError(m);
      void worker.terminate();
    });
    worker.on("error", (e) => addError(kindOf(e)));
    worker.on("exit", () => resolve());
  });
}

/** A few names, then how many more: fits in 80 columns. */
function list(all: string[]): string {
  return all.length <= 3
    ? all.join(", ")
    : `${all.slice(0, 3).join(", ")} and ${int(all.length - 3)} more`;
}

function percentile(p: number): string {
  const total = latency.reduce((a, b) => a + b, 0);
  let seen = 0;
  for (let i = 0; i < BUCKETS; i++) {
    seen += latency[i]!;
    if (seen >= total * p && total > 0)
      return i === BUCKETS - 1 ? ">1000" : (i / 100).toFixed(2);
  }
  return "-";
}

// The command line (--help, --timeline and the options), after the code
// a reader came for.
const opts = cli({
  usage: "npx tsx examples/09-client-threads.ts [options]",
  about:
    "Opens many connections that each send `<name> say hello` and check the reply.",
  options: {
    host: { type: "string", default: "127.0.0.1", help: "server address" },
    port: { type: "string", default: "8080", help: "server port" },
    clients: { type: "string", default: "500", help: "connections at once" },
    duration: { type: "string", default: "3", help: "seconds of traffic" },
    threads: {
      type: "boolean",
      default: false,
      help: "one worker thread per connection (the note's way)",
    },
  },
});
const host =
  opts.host?.trim() ||
  fail(
    `Expected \`--host\` to be an address like 127.0.0.1, got \`${opts.host}\``,
    2,
  );
const port = intOption("port", opts.port, 1, 65535);
const clients = intOption("clients", opts.clients, 1, 10_000);
const durationMs = numberOption("duration", opts.duration, 0.1, 3600) * 1000;
const mode = opts.threads ? "threads" : "coroutines";
const progress = new Int32Array(new SharedArrayBuffer((clients + 1) * 4));

// Is there a server at all? One clear line instead of 500 errors. This
// probe (connect, then close) is one more connection in the server's
// count; the summary says so.
try {
  (await withTimeout(CONNECT_MS, () => connect(host, port))).close();
} catch (e) {
  const kind = kindOf(e);
  fail(
    `cannot connect to ${host}:${port} (${kind}): ${kind === "timed out" ? "the server does not accept" : "is the server up?"}`,
  );
}

let peakRss = process.memoryUsage().rss;
const tty = process.stdout.isTTY;
const started = performance.now();
let t0 = started;
let repliesBefore = 0;
let lastReplies = 0;
let lastTime = started;
const status = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const replies = Atomics.load(counts, REPLIES);
  const errs = failed();
  const now = performance.now();
  const perSecond = Math.round(
    ((replies - lastReplies) * 1000) / (now - lastTime),
  );
  const line = `connected ${Atomics.load(counts, CONNECTED)}/${clients}  ${perSecond} replies/s  errors ${errs}`;
  lastReplies = replies;
  lastTime = now;
  if (tty) process.stdout.write(`\r\x1b[K${line}`);
}, 250);

const tasks: Task[] = [];
const threads: Promise<void>[] = [];
let rampSeconds = -1;
let stopped = false;
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
if (mode === "threads") {
  for (let i = 1; i <= clients; i++) threads.push(startThread(i));
} else {
  for (let i = 1; i <= clients; i++)
    names[i] = tasks[tasks.push(spawn(client, i)) - 1]!.name;
}

// The clock starts once every client is connected (threads take a
// while to start), or has failed, or after 30 s. Replies before that
// are not in the rate.
while (
  Atomics.load(counts, CONNECTED) + failed() < clients &&
  performance.now() - started < 30_000
) {
  await sleep(20);
}
rampSeconds = (performance.now() - started) / 1000;
t0 = performance.now();
repliesBefore = Atomics.load(counts, REPLIES);

// Stop after --duration or on Ctrl-C: let each client finish the
// exchange it is in (up to 1 s), then end the rest.
async function stop(): Promise<never> {
  if (stopped) return new Promise<never>(() => {});
  stopped = true;
  Atomics.store(counts, STOP, 1);
  if (rampSeconds < 0) rampSeconds = (performance.now() - started) / 1000;
  const seconds = (performance.now() - t0) / 1000;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  await joinAll(tasks, { timeout: 1000 });
  await killAll(tasks);
  await Promise.race([Promise.all(threads), sleep(1000)]);
  clearInterval(status);
  if (tty) process.stdout.write("\r\x1b[K");
  const replies = Atomics.load(counts, REPLIES);
  const wrong = Atomics.load(counts, WRONG);
  const errs = [...errors].map(([k, n]) => `${k} ${n}`).join(", ") || "none";
  const measured = replies - repliesBefore;
  const rate = Math.round(measured / Math.max(seconds, 0.001));
  const before =
    repliesBefore > 0 ? ` (+${int(repliesBefore)} while connecting)` : "";
  const unit = clients === 1 ? mode.slice(0, -1) : mode; // 1 coroutine, 2 coroutines
  console.log(
    `clients: ${int(clients)} ${unit}, ${int(Atomics.load(counts, CONNECTED))} connected in ${rampSeconds.toFixed(1)} s`,
  );
  console.log(
    `replies: ${int(measured)} in ${seconds.toFixed(1)} s, ${int(rate)} per second${before}`,
  );
  console.log(`latency: p50 ${percentile(0.5)} ms, p99 ${percentile(0.99)} ms`);
  console.log(`errors: ${errs}`);
  console.log(`wrong replies: ${wrong}`);
  console.log(
    `memory: ${int(peakRss / 2 ** 20)} MB peak RSS for ${int(clients)} ${unit}`,
  );
  console.log(
    "(the server counts 1 more connection: the check at the start that it listens)",
  );
  const gone =
    (errors.get("closed by the server") ?? 0) + (errors.get("ECONNRESET") ?? 0);
  if (gone > 0)
    console.log(
      `the server went away: ${gone} connections were closed or reset by it`,
    );
  // By name: the clients that never connected, or never got a reply.
  const left = (state: number) =>
    names.filter((_, n) => n > 0 && Atomics.load(progress, n) === state);
  const notConnected = left(CONNECTING);
  const unanswered = left(WAITING);
  if (notConnected.length > 0)
    console.log(`never connected: ${list(notConnected)}`);
  if (unanswered.length > 0)
    console.log(`never got a reply: ${list(unanswered)}`);
  const ok =
    wrong === 0 &&
    errors.size === 0 &&
    replies > 0 &&
    notConnected.length + unanswered.length === 0;
  process.exit(ok ? 0 : 1);
}
// Wait for --duration, or until every client has ended (server gone).
if (mode === "threads")
  await Promise.race([Promise.all(threads), sleep(durationMs)]);
else await joinAll(tasks, { timeout: durationMs });
await stop();
