// One load-driver process of `npm run bench` (started by scripts/bench.ts).
// Opens --conns connections, then on commands read from stdin runs a
// closed loop per connection and reports JSON lines on stdout.
// Usage: npx tsx scripts/bench-load.ts --port N --conns N [--first N]
import net from "node:net";
import { createInterface } from "node:readline";
import { cli, intOption } from "../examples/support/cli.ts";

const opts = cli({
  usage:
    "npx tsx scripts/bench-load.ts --port N --conns N [--host H] [--first N]",
  about: [
    "Load driver for npm run bench. Connects first, then reads commands on stdin:",
    "  go (start the loops)  mark (start the measured stretch)",
    "  stop (report, close, exit)",
  ].join("\n"),
  options: {
    host: { type: "string", default: "127.0.0.1", help: "server address" },
    port: { type: "string", help: "server port" },
    conns: { type: "string", default: "100", help: "connections to open" },
    first: {
      type: "string",
      default: "1",
      help: "number of the first connection, used in its messages",
    },
    window: {
      type: "string",
      default: "64",
      help: "connects in flight at once",
    },
  },
});
const host = opts.host ?? "127.0.0.1";
const port = intOption("port", opts.port, 1, 65535);
const conns = intOption("conns", opts.conns, 1);
const first = intOption("first", opts.first, 0);
const window = intOption("window", opts.window, 1);

const send = (event: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify(event)}\n`);

// Latencies go into a log-scale histogram (2% wide buckets), so that
// processes can be merged and nothing grows with the run's length.
const STEP = Math.log(1.02);
const hist = new Uint32Array(1200);
const bucket = (us: number) =>
  Math.min(hist.length - 1, Math.floor(Math.log(us + 1) / STEP));

let running = false; // loops go on while true
let replies = 0;
let wrong = 0;
let errors = 0;
const errorKinds: Record<string, number> = {};

// One static read buffer for every socket (node:net `onread`): no new
// Buffer per reply on the driver side, so the driver stays cheap.
const readBuffer = Buffer.allocUnsafe(64 * 1024);

class Conn {
  sock: net.Socket | undefined;
  msg: Buffer;
  want: Buffer;
  got = 0;
  sentAt = 0;
  busy = false;
  constructor(n: number) {
    this.msg = Buffer.from(`Task-${n} say hello`);
    this.want = Buffer.from(`TASK-${n} SAY HELLO`);
  }

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const sock = net.connect({
        host,
        port,
        noDelay: true,
        onread: {
          buffer: readBuffer,
          callback: (n: number, buf: Uint8Array) => this.onData(n, buf),
        },
      });
      sock.once("connect", () => {
        sock.removeListener("error", reject);
        sock.on("error", (e: NodeJS.ErrnoException) =>
          this.fail(e.code ?? "error"),
        );
        sock.on("close", () => this.fail("closed"));
        this.sock = sock;
        resolve();
      });
      sock.once("error", reject);
    });
  }

  send(): void {
    this.busy = true;
    this.got = 0;
    this.sentAt = performance.now();
    this.sock!.write(this.msg);
  }

  onData(n: number, buf: Uint8Array): boolean {
    const want = this.want;
    // Compare the bytes in place; a reply may arrive in pieces.
    if (
      this.got + n > want.length ||
      want.compare(buf, 0, n, this.got, this.got + n) !== 0
    ) {
      wrong++;
      this.busy = false;
      this.sock?.destroy();
      return false;
    }
    this.got += n;
    if (this.got < want.length) return true;
    const us = (performance.now() - this.sentAt) * 1000;
    hist[bucket(us)]!++;
    replies++;
    this.busy = false;
    if (running) this.send();
    return true;
  }

  fail(kind: string): void {
    if (!this.sock) return;
    if (running || this.busy) {
      errors++;
      errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
    }
    this.busy = false;
    this.sock = undefined;
  }
}

const all: Conn[] = [];
for (let i = 0; i < conns; i++) all.push(new Conn(first + i));

// Connect everything before any traffic, a window at a time; a refused
// or timed-out connect is retried a few times (the note's gevent server
// listens with a backlog of 5).
let failedConnects = 0;
const t0 = performance.now();
let next = 0;
async function connector(): Promise<void> {
  while (next < all.length) {
    const c = all[next++]!;
    for (let attempt = 1; ; attempt++) {
      try {
        await c.connect();
        break;
      } catch (error) {
        if (attempt >= 5) {
          failedConnects++;
          const kind = `connect ${(error as NodeJS.ErrnoException).code ?? "error"}`;
          errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
          break;
        }
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }
}
await Promise.all(Array.from({ length: Math.min(window, conns) }, connector));
send({
  event: "connected",
  conns: conns - failedConnects,
  failed: failedConnects,
  ms: performance.now() - t0,
});

let markedAt = 0;
let markedReplies = 0;
for await (const line of createInterface({ input: process.stdin })) {
  const cmd = line.trim();
  if (cmd === "go") {
    running = true;
    for (const c of all) if (c.sock) c.send();
  } else if (cmd === "mark") {
    hist.fill(0);
    markedReplies = replies;
    markedAt = performance.now();
    send({ event: "marked" });
  } else if (cmd === "stop") {
    const ms = performance.now() - markedAt;
    running = false;
    const counts: [number, number][] = [];
    hist.forEach((n, i) => n && counts.push([Math.exp(i * STEP) - 1, n]));
    // wrong/errors count the whole run, warm-up included.
    send({
      event: "result",
      replies: replies - markedReplies,
      ms,
      wrong,
      errors,
      errorKinds,
      failedConnects,
      hist: counts,
    });
    break;
  }
}
for (const c of all) c.sock?.destroy();
process.exit(0);
