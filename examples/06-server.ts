/**
 * @title An upper-case echo server: one task per connection
 * @note 二、并发的套接字通信 (服务端, the server)
 * @run npx tsx examples/06-server.ts
 * @output none
 *
 * The note's gevent server: an accept loop spawns one task per client, which
 * echoes what it receives upper-cased until the client hangs up; all on one
 * thread. Look for the ready line, then run 07-client.ts against it.
 */
import { parseArgs } from "node:util";
import { listen, spawn, type Connection } from "../lib/index.ts";

// Python's bytes.upper() changes a-z only; every other byte stays.
const UPPER = new Uint8Array(256).map((_, i) =>
  i >= 97 && i <= 122 ? i - 32 : i,
);

// The note's talk(), a task per connection. recv() is a switch point: while this client is quiet, the others run.
async function talk(conn: Connection): Promise<void> {
  try {
    for (;;) {
      const data = await conn.recv(65536); // the note reads 1024 at a time
      if (data.length === 0) break; // the client closed its side
      for (let i = 0; i < data.length; i++) data[i] = UPPER[data[i]!]!;
      await conn.sendall(data);
    }
  } catch {
    // A reset (ConnectionResetError) ends this connection only.
  } finally {
    conn.close();
  }
}

// The note's server(): listen, then accept forever, a new task each.
async function server(host: string, port: number): Promise<never> {
  const s = await listen(host, port, { backlog: 1024 }); // the note's 5 is short for 500
  console.log(`listening on ${s.address().host}:${s.address().port}`);
  for (;;) spawn(talk, await s.accept());
}

// The command line: --port N (0: any free port), --host ADDR.
const runner =
  "Deno" in globalThis
    ? "npx deno run -A"
    : process.versions.bun
      ? "npx bun"
      : "npx tsx";
const help = `Usage: ${runner} examples/06-server.ts [--port N] [--host ADDR] [--help]
  --port 0 for any free port (default 8080); --host default 127.0.0.1`;
// An error is one line, no stack trace: exit 2 for bad usage, 1 otherwise.
const fail: (message: string, code?: number) => never = (message, code = 1) => (
  console.error(`error: ${message}`),
  process.exit(code)
);
const options = {
  port: { type: "string", default: "8080" },
  host: { type: "string", default: "127.0.0.1" },
  help: { type: "boolean" },
} as const;
let opts: { port: string; host: string; help?: boolean };
try {
  opts = parseArgs({ options }).values;
} catch (e) {
  fail(`${(e as Error).message.split(/\.\s/)[0]} (try --help)`, 2);
}
if (opts.help) process.exit(console.log(help) ?? 0);
if (!/^\d+$/.test(opts.port) || +opts.port > 65535)
  fail(
    `Expected \`--port\` to be an integer from 0 to 65535, got \`${opts.port}\``,
    2,
  );
if (opts.host.trim() === "")
  fail(
    `Expected \`--host\` to be an address like 127.0.0.1, got \`${opts.host}\``,
    2,
  );
const port = +opts.port;
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => process.exit(0));
await server(opts.host, port).catch((e: NodeJS.ErrnoException) =>
  fail(
    e.code === "EADDRINUSE"
      ? `${opts.host}:${port} is in use (EADDRINUSE): stop that server or try --port 0`
      : `cannot listen on ${opts.host}:${port} (${e.code ?? e.message}): check --host and --port`,
  ),
);
