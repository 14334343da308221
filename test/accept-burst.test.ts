// Accepting keeps up with a burst: 10,000 connects at once against the
// lib's echo server and against bare node:net with the same backlog, in
// turns. The kernel counts each handshake it drops because a server's
// accept queue is full (TcpExt ListenOverflows, one counter for the
// whole machine): the lib's count stays near bare node:net's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { start, waitFor, type Child } from "./net-helpers.ts";

const BACKLOG = 1024;
const ROUNDS = 3;

/** The kernel's count of dropped handshakes (Linux), or undefined. */
function overflows(): number | undefined {
  try {
    const rows = readFileSync("/proc/net/netstat", "utf8")
      .split("\n")
      .filter((l) => l.startsWith("TcpExt:"))
      .map((l) => l.split(/\s+/));
    const at = rows[0]!.indexOf("ListenOverflows");
    return at > 0 ? Number(rows[1]![at]) : undefined;
  } catch {
    return undefined;
  }
}

/** The hard limit on open files: the burst needs one per connection. */
function hardLimit(): number {
  const m = /^Max open files\s+\S+\s+(\S+)/m.exec(
    readFileSync("/proc/self/limits", "utf8"),
  );
  return m && m[1] !== "unlimited" ? Number(m[1]) : 1 << 20;
}

const BARE = `const net = require("node:net");
const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (sock) => {
  sock.on("data", (d) => sock.write(d.toString().toUpperCase()));
  sock.on("error", () => sock.destroy());
  sock.on("end", () => sock.end());
});
server.listen({ host: "127.0.0.1", port: 0, backlog: ${BACKLOG} }, () =>
  console.log("listening on 127.0.0.1:" + server.address().port));`;

// Opens N connections at once, waits until each connected or failed
// (or 30 s), closes them all, prints how many connected.
const BURST = `const net = require("node:net");
const [port, n] = [+process.argv[1], +process.argv[2]];
let done = 0, ok = 0;
const socks = [];
const finish = () => { for (const s of socks) s.destroy(); console.log("connected " + ok); };
setTimeout(finish, 30000).unref();
for (let i = 0; i < n; i++) {
  const s = net.connect({ host: "127.0.0.1", port });
  socks.push(s);
  let over = false;
  const end = (good) => { if (over) return; over = true; if (good) ok++; if (++done === n) finish(); };
  s.on("connect", () => end(true));
  s.on("error", () => end(false));
}`;

/** Runs `cmd` with the soft limit on open files raised to `files`. */
function withFiles(files: number, cmd: string[]): Child {
  const quoted = cmd.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
  return start("bash", ["-c", `ulimit -n ${files}; exec ${quoted}`]);
}

async function burst(
  server: string[],
  files: number,
  n: number,
): Promise<number> {
  const child = withFiles(files, server);
  try {
    const m = await waitFor(child, /^listening on 127\.0\.0\.1:(\d+)$/m);
    await new Promise((r) => setTimeout(r, 300)); // settled
    const before = overflows()!;
    const client = withFiles(files, [
      process.execPath,
      "-e",
      BURST,
      m[1]!,
      String(n),
    ]);
    await waitFor(client, /^connected \d+$/m, 60_000);
    await client.exited;
    return overflows()! - before;
  } finally {
    child.kill();
    await child.exited;
  }
}

test(
  "a burst of connects overflows the lib server's accept queue no more than bare node:net's",
  { timeout: 300_000 },
  async (t) => {
    if (overflows() === undefined)
      return t.skip("needs Linux's /proc/net/netstat (TcpExt ListenOverflows)");
    const files = hardLimit();
    const n = Math.min(10_000, files - 200);
    const lib = [
      process.execPath,
      "--import",
      "tsx",
      "test/fixtures/echo-server.ts",
      "",
      String(BACKLOG),
    ];
    const bare = [process.execPath, "-e", BARE];
    const total = { lib: 0, bare: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      // In turns, so that the machine's load weighs on both alike.
      for (const name of round % 2
        ? (["lib", "bare"] as const)
        : (["bare", "lib"] as const))
        total[name] += await burst(name === "lib" ? lib : bare, files, n);
    }
    const ratio = total.lib / Math.max(total.bare, 1);
    t.diagnostic(
      `${ROUNDS} bursts of ${n} connects each: ${total.lib} overflows on the lib, ${total.bare} on bare node:net (${ratio.toFixed(2)}x)`,
    );
    // The target is 1.2x; the bound is generous for a loaded machine
    // (before the fix the lib's count was over 3x).
    assert.ok(
      total.lib <= 1.6 * total.bare + 200,
      `lib ${total.lib} overflows, bare ${total.bare}`,
    );
  },
);
