// examples/08-server-pool-workers.ts as a black box: the extras of the
// note's server (a summary, --max-conns, --workers, signals), started on
// a free port of 127.0.0.1 and always killed at the end.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readlinkSync } from "node:fs";
import net from "node:net";
import { example, exitWithin, longLines, startServer } from "./net-helpers.ts";

const FILE = "08-server-pool-workers.ts";
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function open(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: "127.0.0.1", port, allowHalfOpen: true });
    s.once("error", reject);
    s.once("connect", () => resolve(s));
  });
}

/** Sends `text`, half-closes, and returns everything the server sent back. */
async function echo(port: number, text: string): Promise<string> {
  const s = await open(port);
  let got = "";
  s.on("data", (d) => (got += d));
  const ended = new Promise(
    (resolve, reject) => (s.once("end", resolve), s.once("error", reject)),
  );
  s.end(text);
  await ended;
  s.destroy();
  return got;
}

test("08-server: SIGINT stops it promptly with a one-line summary, exit 0", async () => {
  const server = await startServer([], FILE);
  try {
    const idle = await open(server.port);
    idle.on("error", () => {});
    const closed = new Promise(
      (r) => (idle.once("end", r), idle.once("close", r)),
    );
    assert.equal(await echo(server.port, "hello"), "HELLO");
    server.proc.kill("SIGINT");
    assert.equal(await exitWithin(server, 15_000), 0);
    await closed; // the open connection was closed too
    assert.equal(
      server.stdout().trim().split("\n")[1],
      "stopped: 2 connections served, 5 bytes echoed",
      server.stdout(),
    );
    assert.equal(server.stderr(), "");
  } finally {
    server.kill();
  }
});

test("08-server: --max-conns 2 holds at most 2 connections: the others are refused at once, and counted on stderr", async () => {
  const server = await startServer(["--max-conns", "2"], FILE);
  const socks: net.Socket[] = [];
  try {
    // Two served clients stay; then 30 more connect.
    for (const i of [1, 2]) {
      const s = await open(server.port);
      socks.push(s);
      const got = new Promise<string>((r) => s.once("data", (d) => r(`${d}`)));
      s.write(`client ${i}`);
      assert.equal(await got, `CLIENT ${i}`);
    }
    const extra = await Promise.all(
      Array.from({ length: 30 }, async () => {
        const s = await open(server.port);
        socks.push(s);
        s.on("error", () => {});
        return new Promise<boolean>((resolve) => {
          s.once("end", () => resolve(true)); // the server closed it
          s.once("close", () => resolve(true));
          setTimeout(() => resolve(false), 5000);
        });
      }),
    );
    assert.deepEqual(
      extra.filter((closed) => !closed).length,
      0,
      "every connection beyond --max-conns is closed at once",
    );
    // The server holds 2 sockets, not 32 (and its listening one, and
    // the few node opens for itself).
    const fds = readdirSync(`/proc/${server.proc.pid}/fd`).filter((fd) => {
      try {
        return readlinkSync(`/proc/${server.proc.pid}/fd/${fd}`).startsWith(
          "socket:",
        );
      } catch {
        return false;
      }
    });
    assert.ok(fds.length <= 2 + 1 + 4, `${fds.length} sockets held`);
    // The first two are still served; once one leaves, a newcomer is.
    socks[0]!.destroy();
    await wait(200);
    assert.equal(await echo(server.port, "three"), "THREE");
    await wait(1500); // the lib reports refusals once a second
    server.proc.kill("SIGINT");
    assert.equal(await exitWithin(server, 15_000), 0);
    assert.match(
      server.stdout(),
      /\nstopped: 3 connections served, 21 bytes echoed\n$/,
    );
    // Each refusal is counted on stderr, a line a second at most.
    const refused = [
      ...server
        .stderr()
        .matchAll(
          /^server: refused (\d+) connections?: maxConnections \(2\) reached$/gm,
        ),
    ].reduce((a, m) => a + Number(m[1]), 0);
    assert.equal(refused, 30, server.stderr());
  } finally {
    for (const s of socks) s.destroy();
    server.kill();
  }
});

test("08-server: --max-conns in --help says that extra connections are refused at once", async () => {
  const help = example(FILE, ["--help"]);
  assert.equal(await exitWithin(help, 60_000), 0);
  assert.match(
    help.stdout().replace(/\s+/g, " "),
    /--max-conns <value> serve at most N at once \(in each worker\) and refuse the others at once, not queued/,
  );
});

test("08-server: SIGTERM and SIGHUP print the summary too, exit 0", async () => {
  await Promise.all(
    (["SIGTERM", "SIGHUP"] as const).map(async (signal) => {
      const server = await startServer([], FILE);
      try {
        assert.equal(await echo(server.port, "hello"), "HELLO");
        server.proc.kill(signal);
        assert.equal(await exitWithin(server, 15_000), 0, signal);
        assert.match(
          server.stdout(),
          /\nstopped: 1 connection served, 5 bytes echoed\n$/,
          signal,
        );
      } finally {
        server.kill();
      }
    }),
  );
});

test("08-server: --workers 2 shares the port and sums the summary", async () => {
  const server = await startServer(["--workers", "2"], FILE);
  try {
    const replies = await Promise.all(
      [1, 2, 3, 4].map((i) => echo(server.port, `worker test ${i}`)),
    );
    assert.deepEqual(
      replies,
      [1, 2, 3, 4].map((i) => `WORKER TEST ${i}`),
    );
    server.proc.kill("SIGINT");
    assert.equal(await exitWithin(server, 15_000), 0);
    assert.match(
      server.stdout(),
      /^listening on 127\.0\.0\.1:\d+\nstopped: 4 connections served, 52 bytes echoed by 2 workers\n$/,
    );
  } finally {
    server.kill();
  }
});

test("08-server: port in use and bad options give one line of at most 80 columns, no stack", async () => {
  const server = await startServer([], FILE);
  try {
    for (const args of [[], ["--workers", "2"]]) {
      const second = example(FILE, ["--port", String(server.port), ...args]);
      assert.equal(await exitWithin(second, 60_000), 1);
      assert.equal(
        second.stderr(),
        `error: 127.0.0.1:${server.port} is in use (EADDRINUSE): stop that server or try --port 0\n`,
      );
      assert.deepEqual(longLines(second.stderr()), []);
    }
    const bad: [string[], string][] = [
      [
        ["--port", "70000"],
        "error: Expected `--port` to be an integer from 0 to 65535, got `70000`\n",
      ],
      [
        ["--host", ""],
        "error: Expected `--host` to be an address like 127.0.0.1, got ``\n",
      ],
      [
        ["--host="],
        "error: Expected `--host` to be an address like 127.0.0.1, got ``\n",
      ],
      [
        ["--workers", "0"],
        "error: Expected `--workers` to be an integer from 1 to 64, got `0`\n",
      ],
    ];
    for (const [args, line] of bad) {
      const child = example(FILE, args);
      assert.equal(await exitWithin(child, 60_000), 2, args.join(" "));
      assert.equal(child.stderr(), line);
    }
  } finally {
    server.kill();
  }
});
