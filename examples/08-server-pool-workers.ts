/**
 * @title The echo server with a pool, worker processes and a summary
 * @note 二、并发的套接字通信 (服务端, the server: a pool and processes)
 * @run npx tsx examples/08-server-pool-workers.ts
 * @output none
 *
 * Example 06's server, with what a real one needs: `--max-conns N`
 * serves at most N clients at once (a Pool of tasks) and refuses any
 * connection beyond them at once, `--workers N` runs N processes on the
 * same port (one per core, tasks inside each), `--backlog` sets the
 * kernel's accept queue, and Ctrl-C, SIGTERM or SIGHUP print what was
 * served. Run examples/09-client-threads.ts (or 07) against it.
 * Tested by test/example-08-server.test.ts.
 */
import cluster from "node:cluster";
import { int } from "./support/chart.ts";
import { cli, fail, hostOption, intOption } from "./support/cli.ts";
import { listenFailure } from "./support/cli.ts";
import { Pool, listen, spawn } from "../lib/index.ts";
import type { Connection, Server, Task } from "../lib/index.ts";

// bytes.upper() in Python changes a-z only; every other byte (UTF-8,
// NUL, binary) stays as it is. A 256-entry table does it in place,
// one byte at a time, so chunk boundaries cannot matter.
const UPPER = new Uint8Array(256).map((_, i) =>
  i >= 97 && i <= 122 ? i - 32 : i,
);

let served = 0;
let echoed = 0;
const open = new Set<Connection>();

// One task per connection, like the note's talk(). recv() is a switch
// point: while this connection has nothing to say, the others run.
// An error (a reset, ...) ends this connection only.
async function talk(conn: Connection): Promise<void> {
  open.add(conn);
  try {
    for (;;) {
      // The note asks for 1024 bytes; 64 KB takes a whole TCP chunk in
      // one switch, and the reply is the same.
      const data = await conn.recv(65536);
      if (data.length === 0) break; // the client ended its side
      for (let i = 0; i < data.length; i++) data[i] = UPPER[data[i]!]!;
      await conn.sendall(data); // waits while the client is not reading
      echoed += data.length;
    }
  } catch {
    // ConnectionResetError and friends: this connection is over.
  } finally {
    open.delete(conn);
    conn.close();
  }
}

// The accept loop. With --max-conns N, a Pool of N tasks serves the
// clients, and the server holds at most N connections: listen() refuses
// each one beyond them at once (the client sees its connection end) and
// says so on stderr. node:net accepts every connection the kernel
// completes, so waiting for a free slot, as gevent's StreamServer does,
// would hold each extra one open in this process, unserved.
async function serve(server: Server): Promise<void> {
  const pool = maxConns > 0 ? new Pool(maxConns) : undefined;
  for (;;) {
    const conn = await server.accept();
    served++;
    if (pool) await pool.spawn(talk, conn);
    else spawn(talk, conn);
  }
}

// The command line (--help, --timeline and the options), after the code
// a reader came for.
const opts = cli({
  usage: "npx tsx examples/08-server-pool-workers.ts [options]",
  about: "Echoes every chunk back upper-cased, one task per connection.",
  options: {
    host: {
      type: "string",
      default: "127.0.0.1",
      help: "address to listen on",
    },
    port: {
      type: "string",
      default: "8080",
      help: "port, 0 for any free port",
    },
    backlog: {
      type: "string",
      default: "1024",
      help: "kernel accept queue length",
    },
    "max-conns": {
      type: "string",
      default: "0",
      help:
        "serve at most N at once (in each worker) and refuse the others " +
        "at once, not queued; 0 for no limit",
    },
    workers: {
      type: "string",
      default: "1",
      help: "processes sharing the port",
    },
  },
});
const port = intOption("port", opts.port, 0, 65535);
// The backlog is how many connections the kernel may hold, handshake
// done, before the program calls accept(). The note's 5 is fine for a
// few clients; 500 clients connecting at once would overflow it and
// the extra ones would wait for a SYN retry (1 s, then 3 s...). The
// kernel caps it at net.core.somaxconn.
const backlog = intOption("backlog", opts.backlog, 1);
const maxConns = intOption("max-conns", opts["max-conns"], 0);
const workers = intOption("workers", opts.workers, 1, 64);
const host = await hostOption(opts.host);

const summary = () =>
  `stopped: ${int(served)} connection${served === 1 ? "" : "s"} served, ` +
  `${int(echoed)} bytes echoed`;
// Ctrl-C, kill (SIGTERM) or a closed terminal (SIGHUP) end the server.
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
// Writes the summary, then exits 0 once the line is out.
const report = (line: string) =>
  process.stdout.write(`${line}\n`, () => process.exit(0));
type Counts = { served: number; echoed: number };

if (workers > 1 && cluster.isPrimary) {
  // node:cluster: N processes share the port, each with its own tasks:
  // processes for the cores, coroutines for the connections.
  let listening = 0;
  let left = workers; // worker processes still connected
  let reported = 0; // workers whose counts have arrived
  let stopping = false;
  cluster.on("listening", (_w, address) => {
    if (++listening === workers)
      console.log(`listening on ${host}:${address.port}`);
  });
  cluster.on("message", (_w, msg: { error?: string } & Partial<Counts>) => {
    if (msg.error) {
      for (const w of Object.values(cluster.workers ?? {})) w?.kill();
      fail(msg.error);
    }
    if (msg.served === undefined) return;
    reported++;
    served += msg.served;
    echoed += msg.echoed ?? 0;
  });
  // A worker is over once its channel is closed: by then its last
  // message (its counts) has been read, whatever order the exit and the
  // message events come in. The summary waits for every worker, however
  // long that takes, and says so if one ended without its counts.
  cluster.on("disconnect", () => {
    if (--left > 0) return;
    if (!stopping && reported === 0) fail("every worker has exited");
    const missing = workers - reported;
    report(
      `${summary()} by ${workers} workers` +
        (missing > 0 ? ` (${missing} ended without a count)` : ""),
    );
  });
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) {
      // A worker may have died a moment ago, before the primary heard
      // of it: sending would fail with EPIPE. Ignore that; its exit
      // still counts.
      if (w?.isConnected())
        w.send("stop", (e: Error | null) => e && w.process.kill());
    }
    // A worker that does not answer in 30 s (stopped, or stuck in a
    // loop) is ended, so that the summary comes in the end.
    const timer = setTimeout(() => {
      for (const w of Object.values(cluster.workers ?? {}))
        w?.process.kill("SIGKILL");
    }, 30_000);
    timer.unref();
  };
  for (const signal of SIGNALS) process.on(signal, stop);
  for (let i = 0; i < workers; i++) cluster.fork();
} else {
  const worker = cluster.isWorker;
  let server: Server | undefined;
  let loop: Task | undefined;
  // Stop: no new connections, close the open ones, then report.
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    // Kill the accept loop first: closing the server under a waiting
    // accept() would fail the loop's task with SocketClosedError.
    loop?.kill({ block: false });
    server?.close();
    for (const conn of open) conn.close();
    const counts: Counts = { served, echoed };
    if (worker) process.send?.(counts, () => process.exit(0));
    else report(summary());
  };
  if (worker) {
    // Ctrl-C (or kill -TERM -PGID) reaches every process of the group:
    // a worker waits for the primary's "stop", so the summary adds up.
    // A signal to a worker alone stops it after 5 s.
    const later = () => setTimeout(stop, 5000).unref();
    for (const signal of SIGNALS) process.on(signal, later);
    process.on("message", (m) => m === "stop" && stop());
    process.on("disconnect", () => process.exit(0));
  } else {
    for (const signal of SIGNALS) process.on(signal, stop);
  }
  const maxConnections = maxConns > 0 ? maxConns : undefined;
  const listening = await listen(host, port, { backlog, maxConnections }).catch(
    (e: unknown) => {
      const why = listenFailure(e, host, port);
      if (!worker) fail(why);
      process.send?.({ error: why }, () => process.exit(1));
      return new Promise<never>(() => {}); // until the exit above
    },
  );
  server = listening;
  const a = listening.address();
  if (!worker)
    console.log(
      `listening on ${a.host.includes(":") ? `[${a.host}]` : a.host}:${a.port}`,
    );
  loop = spawn(serve, listening);
}
