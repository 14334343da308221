// examples/09-client-threads.ts against our server (08), a wrong server,
// no server, servers that never accept or never answer, and a server
// that dies mid-run. 127.0.0.1 only; children always killed.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import {
  deafServer,
  example,
  exitWithin,
  freePort,
  longLines,
  pickyServer,
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

test("09-client: 30 tasks against 08-server; the counts agree with the server's", async () => {
  const server = await startServer([], SERVER);
  try {
    const client = example(FILE, [
      "--port",
      String(server.port),
      "--clients",
      "30",
      "--duration",
      "1",
    ]);
    try {
      assert.equal(await exitWithin(client, 60_000), 0, client.stderr());
    } finally {
      client.kill();
    }
    const out = client.stdout();
    const s = summary(out);
    assert.deepEqual(s.clients, ["30 coroutines", "30"]);
    assert.ok(s.replies > 30, out);
    assert.equal(s.wrong, 0);
    assert.equal(s.errors, "none");
    assert.ok(s.latency && s.memory, out);
    // Like the note, it prints replies, but only the first ten.
    const printed = out
      .split("\n")
      .filter((l) => /^TASK-\d+ SAY HELLO$/.test(l));
    assert.equal(printed.length, 10, out);
    assert.match(out, /^TASK-\d+ SAY HELLO\n\(first 10 replies shown\)$/m);
    assert.match(
      out,
      /^\(the server counts 1 more connection: the check at the start that it listens\)$/m,
    );
    assert.equal(client.stderr(), "");
    // The server echoed exactly what the client counted: `Task-N say
    // hello` is 16 or 17 bytes for N from 1 to 30 (plus the probe connection).
    server.proc.kill("SIGINT");
    assert.equal(await exitWithin(server, 15_000), 0);
    const m =
      /^stopped: (\d+) connections served, (\d{1,3}(?:,\d{3})*) bytes echoed$/m.exec(
        server.stdout(),
      );
    assert.ok(m, server.stdout());
    assert.equal(Number(m[1]), 31);
    const echoed = Number(m[2]!.replaceAll(",", ""));
    const all = s.replies + s.before;
    assert.ok(
      echoed >= 16 * all && echoed <= 17 * all,
      `${echoed} bytes for ${all} replies`,
    );
  } finally {
    server.kill();
  }
});

test("09-client: one client is counted in the singular", async () => {
  const server = await startServer([], SERVER);
  try {
    const client = example(FILE, [
      "--port",
      String(server.port),
      "--clients",
      "1",
      "--duration",
      "0.5",
    ]);
    try {
      assert.equal(await exitWithin(client, 60_000), 0, client.stderr());
    } finally {
      client.kill();
    }
    assert.deepEqual(summary(client.stdout()).clients, ["1 coroutine", "1"]);
    assert.match(client.stdout(), /^memory: \d+ MB peak RSS for 1 coroutine$/m);
  } finally {
    server.kill();
  }
});

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

test("09-client: no server gives one line with a hint and exit 1", async () => {
  const port = await freePort();
  const client = example(FILE, ["--port", String(port)]);
  try {
    assert.equal(await exitWithin(client, 60_000), 1);
    assert.equal(
      client.stderr(),
      `error: cannot connect to 127.0.0.1:${port} (ECONNREFUSED): is the server up?\n`,
    );
    assert.deepEqual(longLines(client.stderr()), []);
    assert.equal(client.stdout(), "");
  } finally {
    client.kill();
  }
});

test("09-client: a server that does not upper-case gives wrong replies and exit 1", async () => {
  // A plain echo server, in this process.
  const plain = net.createServer((s) => {
    s.on("error", () => {});
    s.pipe(s);
  });
  await new Promise<void>((r) => plain.listen(0, "127.0.0.1", r));
  const { port } = plain.address() as net.AddressInfo;
  const client = example(FILE, [
    "--port",
    String(port),
    "--clients",
    "5",
    "--duration",
    "0.5",
  ]);
  try {
    assert.equal(await exitWithin(client, 60_000), 1);
    const s = summary(client.stdout());
    assert.ok(s.wrong > 0 && s.wrong === s.replies + s.before, client.stdout());
  } finally {
    client.kill();
    plain.close();
  }
});

test("09-client: the server going away mid-run is in the summary, exit 1", async () => {
  const server = await startServer([], SERVER);
  const client = example(FILE, [
    "--port",
    String(server.port),
    "--clients",
    "20",
    "--duration",
    "5",
  ]);
  try {
    const deadline = Date.now() + 60_000;
    // Let traffic start (the client prints its first replies), then kill the server.
    while (!/SAY HELLO/.test(client.stdout()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    server.proc.kill("SIGKILL");
    assert.equal(await exitWithin(client, 60_000), 1);
    const out = client.stdout();
    assert.match(
      out,
      /^the server went away: \d+ connections were closed or reset by it$/m,
    );
    assert.notEqual(summary(out).errors, "none");
  } finally {
    client.kill();
    server.kill();
  }
});

test("09-client: Ctrl-C (SIGINT) stops it early with the summary", async () => {
  const server = await startServer([], SERVER);
  const client = example(FILE, [
    "--port",
    String(server.port),
    "--clients",
    "10",
    "--duration",
    "60",
  ]);
  try {
    const deadline = Date.now() + 60_000;
    while (!/SAY HELLO/.test(client.stdout()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    client.proc.kill("SIGINT");
    assert.equal(
      await exitWithin(client, 30_000),
      0,
      client.stdout() + client.stderr(),
    );
    const s = summary(client.stdout());
    assert.deepEqual(s.clients, ["10 coroutines", "10"]);
    assert.ok(
      s.replies > 0 && s.wrong === 0 && s.errors === "none",
      client.stdout(),
    );
  } finally {
    client.kill();
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

for (const mode of [[], ["--threads"]]) {
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
              `^never connected: ${prefix}-\\d+, ${prefix}-\\d+, ${prefix}-\\d+ and \\d+ more$`,
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
    const picky = await pickyServer(3); // the check at the start is the first of the 3
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
            `^never got a reply: ${prefix}-\\d+, ${prefix}-\\d+, ${prefix}-\\d+ and 1 more$`,
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
