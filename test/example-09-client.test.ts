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
  queueServer,
  splitServer,
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
      await exitWithin(client, 15_000),
      0,
      client.stdout() + client.stderr(),
    );
    const s = summary(client.stdout());
    assert.deepEqual(s.clients, ["10 coroutines", "10"]);
    // Ctrl-C may come before every client connected: then all the
    // replies are counted as "while connecting".
    assert.ok(
      s.replies + s.before > 0 && s.wrong === 0 && s.errors === "none",
      client.stdout(),
    );
  } finally {
    client.kill();
    server.kill();
  }
});

for (const mode of [[]]) {
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

test("09-client: against 08 --max-conns, the summary never says none: the clients left out are named, exit 1", async () => {
  const server = await startServer(["--max-conns", "2"], SERVER);
  try {
    const r = await run09([
      ...["--port", String(server.port), "--clients", "6"],
      ...["--duration", "1"],
    ]);
    assert.equal(r.code, 1, r.out + r.err);
    assert.notEqual(summary(r.out).errors, "none", r.out);
    // 3 or 4 of the 6 (the check at the start holds a place for a moment),
    // on one line or on several: the server's close may reach a client as
    // an end or as a reset.
    const named = r.out
      .split("\n")
      .filter((l) =>
        /^(got no reply|lost its connection|never connected) \(/.test(l),
      );
    const who = named.join("\n").match(/Task-\d+/g) ?? [];
    assert.ok(new Set(who).size >= 3, r.out);
  } finally {
    server.kill();
  }
});

for (const mode of [[]]) {
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

test("09-client: a server that sends each reply in two pieces is right; the latency histogram fits 80 columns, no dim text", async () => {
  const split = await splitServer();
  try {
    const r = await run09([
      ...["--port", String(split.port), "--clients", "10"],
      ...["--duration", "1"],
    ]);
    assert.equal(r.code, 0, r.out + r.err);
    const s = summary(r.out);
    assert.ok(s.replies > 10 && s.wrong === 0 && s.errors === "none", r.out);
    // The histogram: one row per range, each with a bar, a count and a
    // share; the counts add up to every reply.
    const rows = [
      ...r.out.matchAll(
        /^ +(?:[\d.]+-[\d.]+|>= [\d.]+) ms  (#*) +([\d,]+) \((<?[\d.]+)%\)$/gm,
      ),
    ];
    assert.ok(rows.length >= 1, r.out);
    assert.ok(
      rows.some((m) => m[1]!.length === 40),
      "the fullest row is 40 long",
    );
    const total = rows.reduce(
      (a, m) => a + Number(m[2]!.replaceAll(",", "")),
      0,
    );
    assert.equal(total, s.replies + s.before, r.out);
    // Every range of 20 ms or more: the gap of the split.
    assert.ok(
      rows.every((m) => !/^ +0-0\.1 ms/.test(m[0]!)),
      r.out,
    );
    assert.deepEqual(longLines(r.out), []);
    assert.ok(!r.out.includes("\x1b[2m"), "no dim text");
  } finally {
    split.close();
  }
});

test("09-client: a client that gets a wrong reply is named, exit 1", async () => {
  const plain = await pickyServer(Infinity, false);
  try {
    const r = await run09([
      ...["--port", String(plain.port), "--clients", "5"],
      ...["--duration", "0.5"],
    ]);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(
      r.out,
      /^got a wrong reply \(not upper-cased\): Task-1, Task-2, Task-3 and 2 more$/m,
    );
  } finally {
    plain.close();
  }
});
