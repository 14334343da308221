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
 * second once every client is connected, a latency histogram, and the
 * memory used by 500 tasks versus 500 threads. A client that could not
 * connect, got no reply within 3 s (or none before the run ended), lost
 * its connection or got a wrong reply is named, and the exit code is 1.
 * Tested by test/example-09-client.test.ts.
 */
import { int, names } from "./support/chart.ts";
import { cli, fail, hostOption, intOption } from "./support/cli.ts";
import { addressOptions, numberOption } from "./support/cli.ts";
import { Roster, type Member } from "./support/roster.ts";
import { SLOTS, Tally } from "./support/tally.ts";
import { startThread, threadCost } from "./support/thread-client.ts";
import { connect, join, sleep, spawn, withTimeout } from "../lib/index.ts";

const WAIT_MS = 3000; // the longest a client waits to connect or for a reply
const roster = new Roster(WAIT_MS);
const { CONNECTED, REPLIES, WRONG, STOP } = SLOTS;

// One client as a task: connect, then send, read the whole reply (TCP
// may deliver it in pieces), check it and time it, until the run ends.
async function client(me: Member, n: number): Promise<void> {
  const msg = Buffer.from(`${me.name} say hello`);
  const want = Buffer.from(msg.toString("latin1").toUpperCase(), "latin1");
  try {
    const conn = roster.connected(me, await connect(host, port));
    Atomics.add(tally.counts, CONNECTED, 1);
    while (roster.next(me)) {
      const t0 = performance.now();
      await conn.sendall(msg);
      let reply = Buffer.alloc(0);
      while (reply.length < msg.length) {
        const piece = await conn.recv(msg.length - reply.length);
        if (piece.length === 0) throw new Error("closed by the server");
        reply = Buffer.concat([reply, piece]);
      }
      const right = reply.equals(want);
      if (tally.record(n, performance.now() - t0, right)) show(`${reply}`);
      roster.answered(me, right);
    }
  } catch (e) {
    roster.failed(me, e);
  } finally {
    roster.over(me);
  }
}

// The note's way: one client per thread (./support/thread-client.ts
// runs the same exchange with callbacks). Resolves when it has ended.
function thread(me: Member, n: number): Promise<void> {
  const data = { host, port, n, name: me.name, buffers: tally.buffers() };
  const worker = startThread(data, (m) => {
    if (m !== null && typeof m === "object") return show(m.reply);
    sync();
    if (m === "not upper-cased") me.doing = "got a wrong reply";
    if (m) roster.failed(me, { code: m });
    roster.over(me);
  });
  me.end = () => void worker.terminate();
  worker.on("error", (e) => roster.failed(me, e));
  return new Promise((resolve) =>
    worker.on("exit", () => {
      if (!me.over) roster.failed(me, { code: "the thread ended" });
      resolve();
    }),
  );
}

// Brings the roll up to date from the shared tally (what each thread
// does, since when it waits), and tells the threads when the run is over.
function sync(): void {
  const doing = ["never started", "never connected", "got no reply"];
  if (Date.now() >= roster.stopAt) Atomics.store(tally.counts, STOP, 1);
  if (mode !== "threads") return;
  for (const [i, m] of roster.members.entries()) {
    if (m.over || m.doing === "got a wrong reply") continue;
    const state = Atomics.load(tally.state, i + 1);
    m.doing = doing[state] ?? "lost its connection";
    m.since = tally.since[i + 1]!;
  }
}

// A line of output; on a terminal it first erases the status line.
function say(line: string): void {
  console.log(tty ? `\r\x1b[K${line}` : line);
}
// The first 10 replies, like the note's print(), then a line that says so.
let shown = 0;
function show(reply: string): void {
  say(reply);
  if (++shown === 10) say("(first 10 replies shown)");
}

const opts = cli({
  usage: "npx tsx examples/09-client-threads.ts [options]",
  about:
    "Opens many connections that each send `<name> say hello` and check " +
    "the reply.",
  options: {
    ...addressOptions("client"),
    clients: { type: "string", default: "500", help: "connections at once" },
    duration: { type: "string", default: "3", help: "seconds of traffic" },
    threads: {
      type: "boolean",
      default: false,
      help: "one worker thread per connection (the note's way)",
    },
  },
});
const port = intOption("port", opts.port, 1, 65535);
const clients = intOption("clients", opts.clients, 1, 10_000);
const durationMs = numberOption("duration", opts.duration, 0.1, 3600) * 1000;
const host = await hostOption(opts.host);
const mode = opts.threads ? "threads" : "coroutines";
// 1 coroutine, 2 coroutines
const unit = clients === 1 ? mode.slice(0, -1) : mode;
const tally = new Tally(clients);
const tty = process.stdout.isTTY === true;
const mb = (bytes: number) => `${int(bytes / 2 ** 20)} MB`;

// Is there a server at all? One clear line instead of 500 errors. This
// probe (connect, then close) is one more connection in the server's
// count; the summary says so.
try {
  (await withTimeout(WAIT_MS, () => connect(host, port))).close();
} catch (e) {
  const why = (e as { code?: string }).code ?? "timed out";
  const hint =
    why === "timed out" ? "the server does not accept" : "is the server up?";
  fail(`cannot connect to ${host}:${port} (${why}): ${hint}`);
}

process.on("SIGINT", () => roster.stop()); // Ctrl-C: stop now, and sum up
process.on("SIGTERM", () => roster.stop());

// The cost of threads, stated before they start.
if (mode === "threads") {
  const cost = await threadCost(host, port);
  say(
    `one thread took ${int(cost.ms)} ms to its first reply and ` +
      `${mb(cost.bytes)} here; ` +
      `${int(clients)}: about ${mb(cost.bytes * clients)}`,
  );
}

// Memory as it grows, and progress: a status line on a terminal; in a
// pipe, while threads start, a line every 2 s and one once they have.
let peakRss = process.memoryUsage().rss;
let ramping = true; // until the clock starts
let [lastReplies, lastTime, lastLine] = [0, performance.now(), -Infinity];
function progress(): string {
  const rss = process.memoryUsage().rss;
  peakRss = Math.max(peakRss, rss);
  const replies = tally.get(REPLIES);
  const now = performance.now();
  const rate = ((replies - lastReplies) * 1000) / (now - lastTime);
  [lastReplies, lastTime] = [replies, now];
  const started = tally.state.filter((s, i) => i > 0 && s > 0).length;
  return (
    (mode === "threads" ? `started ${started}/${clients}  ` : "") +
    `connected ${tally.get(CONNECTED)}/${clients}  ${int(rate)} replies/s  ` +
    `memory ${mb(rss)}`
  );
}
const status = setInterval(() => {
  const line = progress();
  if (tty) process.stdout.write(`\r\x1b[K${line}`);
  else if (mode === "threads" && ramping && lastTime - lastLine >= 2000) {
    lastLine = lastTime;
    say(line);
  }
}, 250);

const started = performance.now();
const runs: Promise<void>[] = [];
for (let n = 1; n <= clients; n++) {
  const me = roster.add();
  if (mode === "coroutines") {
    me.name = spawn(client, me, n).name; // Task-1, Task-2, ...
  } else {
    [me.name, me.doing, me.since] = [`Thread-${n}`, "never started", 0];
    if (!roster.interrupted) runs.push(thread(me, n));
    if (n % 10 === 0) await sleep(0); // let the status line run
  }
}
const watcher = spawn(() => roster.watch(sync));

// The clock starts once every client is connected or over (threads take
// a while to start), or after 30 s. Replies before that are not in the
// rate.
const over = () => roster.members.filter((m) => m.over).length;
while (
  tally.get(CONNECTED) + over() < clients &&
  performance.now() - started < 30_000 &&
  roster.stopAt === Infinity
)
  await sleep(20);
ramping = false;
if (mode === "threads" && !tty) say(progress());
const rampSeconds = (performance.now() - started) / 1000;
const repliesBefore = tally.get(REPLIES);
if (roster.stopAt === Infinity) roster.begin(durationMs);
else roster.start = roster.stopAt;
await join(watcher); // until every client is over
await Promise.race([Promise.all(runs), sleep(1000)]);
clearInterval(status);
if (tty) process.stdout.write("\r\x1b[K");

// The summary.
const seconds = (Math.min(Date.now(), roster.stopAt) - roster.start) / 1000;
const replies = tally.get(REPLIES);
const measured = replies - repliesBefore;
const rate = measured / Math.max(seconds, 0.001);
const before =
  repliesBefore > 0 ? ` (+${int(repliesBefore)} while connecting)` : "";
const p = (share: number) => tally.percentile(share)?.toFixed(2) ?? "-";
const why = new Map<string, number>(); // what went wrong -> how many
for (const [what, who] of roster.trouble) {
  const kind = /\((.*)\)$/.exec(what)?.[1] ?? what;
  why.set(kind, (why.get(kind) ?? 0) + who.length);
}
const errors = [...why].map(([k, n]) => `${k} ${n}`).join(", ") || "none";
say(
  `clients: ${int(clients)} ${unit}, ` +
    `${int(tally.get(CONNECTED))} connected in ${rampSeconds.toFixed(1)} s`,
);
say(
  `replies: ${int(measured)} in ${seconds.toFixed(1)} s, ` +
    `${int(rate)} per second${before}`,
);
say(`latency: p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`);
for (const line of tally.histogram()) say(line);
say(`errors: ${errors}`);
say(`wrong replies: ${tally.get(WRONG)}`);
say(`memory: ${mb(peakRss)} peak RSS for ${int(clients)} ${unit}`);
say(
  mode === "threads"
    ? "(the server counts 3 more: the check that it listens, " +
        "2 to time a thread)"
    : "(the server counts 1 more connection: " +
        "the check at the start that it listens)",
);
const gone =
  (why.get("closed by the server") ?? 0) + (why.get("ECONNRESET") ?? 0);
if (gone > 0)
  say(`the server went away: ${gone} connections were closed or reset by it`);
for (const [what, who] of roster.trouble)
  say(`${what}: ${names(who, 78 - what.length)}`);
process.exit(roster.trouble.size === 0 && replies > 0 ? 0 : 1);
