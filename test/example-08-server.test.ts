// examples/08-server-pool-workers.ts as a black box: the extras of the
// note's server (a summary, --max-conns, --workers, signals), started on
// a free port of 127.0.0.1 and always killed at the end.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
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

/** The worker processes of a cluster primary. */
function childrenOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
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

test("08-server: --max-conns 1 serves a second client only once the first leaves", async () => {
  const server = await startServer(["--max-conns", "1"], FILE);
  try {
    const first = await open(server.port);
    const one = new Promise<string>((r) =>
      first.once("data", (d) => r(String(d))),
    );
    first.write("one");
    assert.equal(await one, "ONE");
    const second = await open(server.port); // the kernel accepts it...
    let seen = "" as string;
    second.on("data", (d) => (seen += d));
    second.write("two");
    await wait(300);
    assert.equal(seen, "", "...but no task serves it yet");
    first.end();
    for (
      const deadline = Date.now() + 5000;
      (seen as string) !== "TWO" && Date.now() < deadline;
    )
      await wait(20);
    assert.equal(seen, "TWO");
    first.destroy();
    second.destroy();
  } finally {
    server.kill();
  }
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

test("08-server: --workers 2, SIGTERM to the whole process group still counts every connection", async () => {
  const server = await startServer(["--workers", "2"], FILE, {
    detached: true,
  });
  try {
    const replies = await Promise.all(
      [1, 2, 3, 4].map((i) => echo(server.port, `worker test ${i}`)),
    );
    assert.equal(replies.length, 4);
    process.kill(-server.proc.pid!, "SIGTERM"); // like `kill -TERM -PGID`: every worker gets it too
    assert.equal(await exitWithin(server, 15_000), 0, server.stderr());
    assert.match(
      server.stdout(),
      /\nstopped: 4 connections served, 52 bytes echoed by 2 workers\n$/,
    );
    assert.equal(server.stderr(), "");
  } finally {
    try {
      process.kill(-server.proc.pid!, "SIGKILL");
    } catch {}
  }
});

test(
  "08-server: --workers 2, SIGTERM to the primary right after a worker died: no crash",
  { timeout: 60_000 },
  async () => {
    for (let round = 0; round < 3; round++) {
      const server = await startServer(["--workers", "2"], FILE, {
        detached: true,
      });
      try {
        assert.equal(await echo(server.port, "before"), "BEFORE");
        const pid = server.proc.pid!;
        const [first] = childrenOf(pid);
        assert.ok(first, "no worker process found");
        // Freeze the primary, so that it learns of the death only after the
        // signal arrives: it then sends "stop" down a closed channel.
        process.kill(pid, "SIGSTOP");
        process.kill(first, "SIGKILL");
        await wait(200);
        process.kill(pid, "SIGTERM");
        process.kill(pid, "SIGCONT");
        assert.equal(
          await exitWithin(server, 15_000),
          0,
          `round ${round}: ${server.stderr()}`,
        );
        assert.doesNotMatch(
          server.stderr(),
          /EPIPE|\n\s+at /,
          `round ${round}`,
        );
        assert.match(
          server.stdout(),
          /\nstopped: \d+ connections? served, [\d,]+ bytes echoed by 2 workers\n$/,
        );
      } finally {
        try {
          process.kill(-server.proc.pid!, "SIGKILL");
        } catch {}
      }
    }
  },
);

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
