// examples/08-server-pool-workers.ts --workers: processes sharing the
// port, their summary after every signal, however slow a worker is.
// Slow (each run forks two workers): in `npm run test:all`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import net from "node:net";
import { exitWithin, startServer } from "./net-helpers.ts";

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
          /\nstopped: \d+ connections? served, [\d,]+ bytes echoed by 2 workers( \(1 ended without a count\))?\n$/,
        );
      } finally {
        try {
          process.kill(-server.proc.pid!, "SIGKILL");
        } catch {}
      }
    }
  },
);

test("08-server: --workers 2, a worker slower to answer than ever before: the summary still counts it, exit 0", async () => {
  const server = await startServer(["--workers", "2"], FILE, {
    detached: true,
  });
  try {
    const replies = await Promise.all(
      [1, 2, 3, 4].map((i) => echo(server.port, `worker test ${i}`)),
    );
    assert.equal(replies.length, 4);
    const pid = server.proc.pid!;
    const workers = childrenOf(pid);
    assert.equal(workers.length, 2, "two worker processes");
    // One worker is frozen for 4 s: it answers "stop" only after that.
    process.kill(workers[0]!, "SIGSTOP");
    process.kill(pid, "SIGINT");
    await wait(4000);
    assert.equal(server.proc.exitCode, null, "the primary waits for it");
    process.kill(workers[0]!, "SIGCONT");
    assert.equal(await exitWithin(server, 60_000), 0, server.stderr());
    assert.match(
      server.stdout(),
      /\nstopped: 4 connections served, 52 bytes echoed by 2 workers\n$/,
    );
  } finally {
    try {
      process.kill(-server.proc.pid!, "SIGKILL");
    } catch {}
  }
});

test("08-server: --workers 2, SIGHUP to the whole process group (a closed terminal) prints the summary, exit 0", async () => {
  const server = await startServer(["--workers", "2"], FILE, {
    detached: true,
  });
  try {
    assert.equal(await echo(server.port, "hup"), "HUP");
    process.kill(-server.proc.pid!, "SIGHUP");
    assert.equal(await exitWithin(server, 60_000), 0, server.stderr());
    assert.match(
      server.stdout(),
      /\nstopped: 1 connection served, 3 bytes echoed by 2 workers\n$/,
    );
  } finally {
    try {
      process.kill(-server.proc.pid!, "SIGKILL");
    } catch {}
  }
});
