// examples/06-server.ts as a black box: started on a free port of
// 127.0.0.1, driven by plain node:net clients, always killed at the end.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import net from "node:net";
import {
  example,
  exitWithin,
  longLines,
  pyUpper,
  startServer,
} from "./net-helpers.ts";

const HOST = "127.0.0.1";
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function open(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: HOST, port, allowHalfOpen: true });
    s.once("error", reject);
    s.once("connect", () => resolve(s));
  });
}

/** Collects everything the socket receives until the server closes it. */
function readAll(s: net.Socket): Promise<Buffer> {
  const parts: Buffer[] = [];
  s.on("data", (d: Buffer) => parts.push(d));
  return new Promise((resolve, reject) => {
    s.once("error", reject);
    s.once("end", () => resolve(Buffer.concat(parts)));
  });
}

/** Reads until `n` bytes have arrived (or fails after `ms`). */
function readN(s: net.Socket, n: number, ms = 5000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const timer = setTimeout(
      () => done(new Error(`got ${got.length} of ${n} bytes`)),
      ms,
    );
    const onData = (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= n) done();
    };
    const done = (e?: Error) => {
      clearTimeout(timer);
      s.off("data", onData);
      if (e) reject(e);
      else resolve(got);
    };
    s.on("data", onData);
  });
}

/** Sends `payload` in random pieces (one loop turn apart), ends, and returns the echo. */
async function echo(port: number, payload: Buffer): Promise<Buffer> {
  const s = await open(port);
  const reply = readAll(s);
  for (let at = 0; at < payload.length;) {
    const n = Math.min(
      payload.length - at,
      1 + Math.floor(Math.random() * (at % 3 === 0 ? 7 : 70_000)),
    );
    if (!s.write(payload.subarray(at, at + n)))
      await new Promise((r) => s.once("drain", r));
    else await new Promise((r) => setImmediate(r));
    at += n;
  }
  s.end(); // half-close: the server must still send everything back
  const got = await reply;
  s.destroy();
  return got;
}

test("06-server: random binary payloads (0 B to 1 MB, any split) come back as bytes.upper()", async () => {
  const server = await startServer();
  try {
    const utf8 = Buffer.from(
      "héllo wörld, 协程 say hello; ÿ\u0000 end".repeat(50),
    );
    const every = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
    const sizes = [
      0,
      1,
      2,
      3,
      97,
      1024,
      65535,
      65536,
      65537,
      300_001,
      1024 * 1024,
    ];
    const payloads = [utf8, every, ...sizes.map((n) => randomBytes(n))];
    // Some at once, to check that connections do not mix bytes up.
    const replies = await Promise.all(
      payloads.map((p) => echo(server.port, p)),
    );
    for (const [i, p] of payloads.entries()) {
      assert.equal(replies[i]!.length, p.length, `payload ${i}: length`);
      assert.ok(
        replies[i]!.equals(pyUpper(p)),
        `payload ${i} (${p.length} B) differs from bytes.upper()`,
      );
    }
    // And the reference itself against the real bytes.upper(), when Python is there.
    try {
      const py = execFileSync(
        "/usr/bin/python3",
        [
          "-c",
          "import sys; sys.stdout.buffer.write(sys.stdin.buffer.read().upper())",
        ],
        {
          input: Buffer.concat([every, utf8, payloads[10]!]),
        },
      );
      assert.ok(
        py.equals(Buffer.concat([replies[1]!, replies[0]!, replies[10]!])),
        "differs from Python's bytes.upper()",
      );
    } catch (e) {
      if ((e as { code?: string }).code !== "ENOENT") throw e;
    }
  } finally {
    server.kill();
  }
});

test("06-server: 200 concurrent clients all get their own replies", async () => {
  const server = await startServer();
  const socks: net.Socket[] = [];
  try {
    for (let i = 0; i < 200; i++) socks.push(await open(server.port));
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        socks.map(async (s, i) => {
          const msg = `Task-${i} say hello ${round}`;
          const got = readN(s, msg.length);
          s.write(msg);
          assert.equal(String(await got), msg.toUpperCase());
        }),
      );
    }
  } finally {
    for (const s of socks) s.destroy();
    server.kill();
  }
});

test("06-server: a reset ends that connection only; half-close still gets the full echo", async () => {
  const server = await startServer();
  const other = await open(server.port);
  try {
    const victim = await open(server.port);
    victim.on("error", () => {});
    victim.write("some bytes ");
    await wait(50);
    victim.resetAndDestroy();
    await wait(100);
    // The other connection, opened before the reset, still works...
    const got = readN(other, 5);
    other.write("still");
    assert.equal(String(await got), "STILL");
    // ...and a half-closed one gets everything, then the server closes.
    assert.equal(
      String(await echo(server.port, Buffer.from("abc xyz"))),
      "ABC XYZ",
    );
    assert.equal(server.proc.exitCode, null, "the server must keep running");
  } finally {
    other.destroy();
    server.kill();
  }
});

/** The server's resident memory, from /proc. */
function rssMB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(
    readFileSync(`/proc/${pid}/status`, "utf8"),
  );
  return Number(m?.[1]) / 1024;
}

test("06-server: a client that sends a lot and reads nothing cannot grow its memory; later every byte arrives", async () => {
  const server = await startServer();
  const s = await open(server.port);
  try {
    const pattern = Buffer.from(
      Array.from({ length: 251 }, (_, i) => (i * 7) % 256),
    ); // a-z included
    const chunk = Buffer.alloc(251 * 1024);
    for (let i = 0; i < chunk.length; i += 251) pattern.copy(chunk, i);
    const before = rssMB(server.proc.pid!);
    // Write until the server stops taking bytes for 500 ms (or 300 MB).
    let sent = 0;
    for (; sent < 300 * 2 ** 20; sent += chunk.length) {
      if (!s.write(chunk)) {
        const drained = await Promise.race([
          new Promise((r) => s.once("drain", () => r(true))),
          wait(500).then(() => false),
        ]);
        if (!drained) {
          sent += chunk.length;
          break;
        }
      }
    }
    const grown = rssMB(server.proc.pid!) - before;
    if (process.env.DEBUG_NET) console.error({ sent, grown });
    assert.ok(
      sent < 300 * 2 ** 20,
      `the server took all ${sent} bytes without being read`,
    );
    assert.ok(
      grown < 64,
      `server memory grew by ${grown.toFixed(0)} MB after ${(sent / 2 ** 20).toFixed(0)} MB sent`,
    );
    // Now read: every byte comes back upper-cased, in order.
    const want = pyUpper(pattern);
    let got = 0;
    await new Promise<void>((resolve, reject) => {
      s.on("data", (d: Buffer) => {
        for (let i = 0; i < d.length; i++) {
          if (d[i] !== want[(got + i) % 251])
            return reject(new Error(`byte ${got + i} is wrong`));
        }
        got += d.length;
        if (got >= sent) resolve();
      });
      s.once("end", () =>
        reject(new Error(`ended after ${got} of ${sent} bytes`)),
      );
    });
    assert.equal(got, sent);
  } finally {
    s.destroy();
    server.kill();
  }
});

test("06-server: SIGINT and SIGTERM stop it quietly, exit 0", async () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    const server = await startServer();
    try {
      assert.equal(
        String(await echo(server.port, Buffer.from("hello"))),
        "HELLO",
      );
      server.proc.kill(signal);
      assert.equal(await exitWithin(server, 15_000), 0, signal);
      assert.match(server.stdout(), /^listening on 127\.0\.0\.1:\d+\n$/);
      assert.equal(server.stderr(), "");
    } finally {
      server.kill();
    }
  }
});

test("06-server: port in use and bad options give one line of at most 80 columns, no stack", async () => {
  const server = await startServer();
  try {
    const second = example("06-server.ts", ["--port", String(server.port)]);
    assert.equal(await exitWithin(second, 60_000), 1);
    assert.equal(
      second.stderr(),
      `error: 127.0.0.1:${server.port} is in use (EADDRINUSE): stop that server or try --port 0\n`,
    );
    assert.equal(second.stdout(), "");
    const bad: [string[], RegExp][] = [
      [
        ["--port", "70000"],
        /^error: Expected `--port` to be an integer from 0 to 65535, got `70000`\n$/,
      ],
      [["--port", "-1"], /^error: .*--port.* \(try --help\)\n$/],
      [
        ["--port", "1e3"],
        /^error: Expected `--port` to be an integer from 0 to 65535, got `1e3`\n$/,
      ],
      [
        ["--host", ""],
        /^error: Expected `--host` to be an address like 127\.0\.0\.1, got ``\n$/,
      ],
      [
        ["--host="],
        /^error: Expected `--host` to be an address like 127\.0\.0\.1, got ``\n$/,
      ],
      [["--bogus"], /^error: Unknown option '--bogus' \(try --help\)\n$/],
      [["extra"], /^error: Unexpected argument 'extra' \(try --help\)\n$/],
    ];
    for (const [args, line] of bad) {
      const child = example("06-server.ts", args);
      assert.equal(await exitWithin(child, 60_000), 2, args.join(" "));
      assert.match(child.stderr(), line);
      assert.deepEqual(longLines(child.stderr()), []);
    }
  } finally {
    server.kill();
  }
});
