// examples/09-client-threads.ts --threads, the note's way: one worker
// thread per connection. Slow (threads take a while to start): in
// `npm run test:all`.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  deafServer,
  example,
  exitWithin,
  longLines,
  pickyServer,
  queueServer,
  waitFor,
  startServer,
} from "./net-helpers.ts";

const FILE = "09-client-threads.ts";
const SERVER = "08-server-pool-workers.ts";

/** The summary's numbers, read back from the client's stdout. */
function summary(out: string) {
  const num = (re: RegExp) =>
    Number(re.exec(out)?.[1]?.replaceAll(",", "") ?? NaN);
  return {
    clients: /^clients: (\d+ \w+), (\d+) connected in [\d.]+ s$/m
      .exec(out)
      ?.slice(1),
    replies: num(
      /^replies: (\d{1,3}(?:,\d{3})*) in [\d.]+ s, \d{1,3}(?:,\d{3})* per second(?: \(\+[\d,]+ while connecting\))?$/m,
    ),
    before: num(/ \(\+([\d,]+) while connecting\)$/m) || 0,
    seconds: Number(/^replies: [\d,]+ in ([\d.]+) s/m.exec(out)?.[1]),
    rate: num(/^replies: [\d,]+ in [\d.]+ s, ([\d,]+) per second/m),
    latency: /^latency: p50 [\d.]+ ms, p99 [\d.>]+ ms$/m.test(out),
    errors: /^errors: (.*)$/m.exec(out)?.[1],
    wrong: num(/^wrong replies: (\d+)$/m),
    memory: /^memory: \d+ MB peak RSS for \d+ \w+$/m.test(out),
  };
}

/** Runs 09 with `args`; resolves with its exit code and output. */
async function run09(args: string[], limitMs = 60_000) {
  const child = example(FILE, args);
  try {
    const code = await exitWithin(child, limitMs);
    return { code, out: child.stdout(), err: child.stderr() };
  } finally {
    child.kill();
  }
}

test("09-client: --threads runs one worker thread per connection", async () => {
  const server = await startServer([], SERVER);
  try {
    const client = example(FILE, [
      "--port",
      String(server.port),
      "--clients",
      "3",
      "--duration",
      "0.5",
      "--threads",
    ]);
    try {
      assert.equal(await exitWithin(client, 60_000), 0, client.stderr());
    } finally {
      client.kill();
    }
    const s = summary(client.stdout());
    assert.deepEqual(s.clients, ["3 threads", "3"]);
    assert.ok(
      s.replies > 3 && s.wrong === 0 && s.errors === "none" && s.memory,
      client.stdout(),
    );
    assert.match(client.stdout(), /^THREAD-[123] SAY HELLO$/m);
  } finally {
    server.kill();
  }
});

test("09-client: --threads: the rate is the replies over the traffic window, thread start-up left out", async () => {
  const server = await startServer([], SERVER);
  try {
    const client = example(FILE, [
      "--port",
      String(server.port),
      "--clients",
      "20",
      "--duration",
      "1",
      "--threads",
    ]);
    try {
      assert.equal(await exitWithin(client, 60_000), 0, client.stderr());
    } finally {
      client.kill();
    }
    const s = summary(client.stdout());
    assert.ok(s.replies > 0 && s.seconds > 0, client.stdout());
    const expected = s.replies / s.seconds;
    assert.ok(
      Math.abs(s.rate - expected) <= Math.max(2, expected * 0.02),
      `rate ${s.rate}, but ${s.replies} replies in ${s.seconds} s:\n${client.stdout()}`,
    );
  } finally {
    server.kill();
  }
});

for (const mode of [["--threads"]]) {
  const label = mode.length ? "threads" : "coroutines";
  const prefix = mode.length ? "Thread" : "Task";
  test(`09-client (${label}): a server that listens but never accepts: the clients left out are named, exit 1, in time`, async () => {
    const deaf = await deafServer();
    try {
      const t0 = Date.now();
      const client = example(FILE, [
        "--port",
        String(deaf.port),
        "--clients",
        "10",
        "--duration",
        "1",
        ...mode,
      ]);
      try {
        const code = await exitWithin(client, 60_000);
        const out = client.stdout();
        // The check at the start takes one place in the queue: it may
        // leave no room for the clients (one line), or a little.
        if (out === "") {
          assert.match(
            client.stderr(),
            /^error: cannot connect to 127\.0\.0\.1:\d+ \(timed out\): the server does not accept\n$/,
          );
        } else {
          assert.match(
            out,
            new RegExp(
              `^never connected \\(timed out\\): ${prefix}-\\d+, ${prefix}-\\d+, ${prefix}-\\d+ and \\d+ more$`,
              "m",
            ),
          );
          assert.match(out, /^errors: .*timed out \d+/m);
        }
        assert.equal(code, 1, out);
        assert.ok(
          Date.now() - t0 < 1000 + 25_000,
          `took ${Date.now() - t0} ms`,
        );
      } finally {
        client.kill();
      }
    } finally {
      deaf.stop();
    }
  });

  test(`09-client (${label}): a server that answers only some: the connections never answered are named, exit 1`, async () => {
    // Before the clients, the server sees the check that it listens and,
    // with --threads, 2 connections that time a thread: 3 answered here
    // leaves 2 of the 6 clients answered, 4 not.
    const picky = await pickyServer(mode.length ? 5 : 3);
    try {
      const t0 = Date.now();
      const client = example(FILE, [
        "--port",
        String(picky.port),
        "--clients",
        "6",
        "--duration",
        "1",
        ...mode,
      ]);
      try {
        assert.equal(await exitWithin(client, 60_000), 1, client.stdout());
        const s = summary(client.stdout());
        assert.ok(s.replies + s.before > 0, client.stdout());
        assert.match(
          client.stdout(),
          new RegExp(
            `^got no reply \\(timed out\\): ${prefix}-\\d+, ${prefix}-\\d+, ${prefix}-\\d+ and 1 more$`,
            "m",
          ),
        );
        assert.ok(
          Date.now() - t0 < 1000 + 25_000,
          `took ${Date.now() - t0} ms`,
        );
        assert.deepEqual(longLines(client.stdout()), []);
      } finally {
        client.kill();
      }
    } finally {
      picky.close();
    }
  });
}

for (const mode of [["--threads"]]) {
  const label = mode.length ? "threads" : "coroutines";
  const prefix = mode.length ? "Thread" : "Task";
  test(`09-client (${label}): a server that makes the others wait until a served client leaves: the waiting ones are named, exit 1`, async () => {
    const pool = await queueServer(3); // the check at the start takes one place for a moment
    try {
      const r = await run09([
        ...["--port", String(pool.port), "--clients", "6"],
        ...["--duration", "1", ...mode],
      ]);
      assert.equal(r.code, 1, r.out + r.err);
      assert.notEqual(summary(r.out).errors, "none", r.out);
      assert.match(
        r.out,
        new RegExp(
          `^got no reply \\(timed out\\): ${prefix}-\\d+, ${prefix}-\\d+, ${prefix}-\\d+$`,
          "m",
        ),
      );
    } finally {
      pool.close();
    }
  });
}

test("09-client --threads: the cost first, memory as it grows, threads not yet started named as such", async () => {
  const server = await startServer([], SERVER);
  const client = example(FILE, [
    ...["--port", String(server.port), "--clients", "200"],
    ...["--duration", "5", "--threads"],
  ]);
  try {
    const cost = await waitFor(
      client,
      /^one thread took [\d,]+ ms to its first reply and [\d,]+ MB here; 200: about [\d,]+ MB$/m,
      30_000,
    );
    assert.ok(cost.index === 0, `the cost comes first:\n${client.stdout()}`);
    // A line on memory while they start (in a pipe: one every 2 s).
    await waitFor(
      client,
      /^started \d+\/200 {2}connected \d+\/200 .* memory [\d,]+ MB$/m,
    );
    client.proc.kill("SIGINT"); // Ctrl-C before every thread has started
    assert.equal(await exitWithin(client, 60_000), 1, client.stderr());
    const out = client.stdout();
    assert.match(
      out,
      /^never started \(the run ended first\): Thread-\d+, Thread-\d+, Thread-\d+/m,
    );
    assert.doesNotMatch(out, /^never connected/m, out);
    assert.deepEqual(longLines(out), []);
  } finally {
    client.kill();
    server.kill();
  }
});
