// examples/07-client.ts, the note's client: against 06-server, no
// server, a server that never accepts, one that never answers, one that
// answers only some, one that does not upper-case, one that dies.
// 127.0.0.1 only; children always killed.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  deafServer,
  example,
  exitWithin,
  fillQueue,
  freePort,
  longLines,
  pickyServer,
  queueServer,
  splitServer,
  startServer,
} from "./net-helpers.ts";

const FILE = "07-client.ts";
/** The summary line: `N clients: R replies in S s, P per second`. */
const SUMMARY =
  /^(\d+) clients: (\d{1,3}(?:,\d{3})*) replies in ([\d.]+) s, (\d{1,3}(?:,\d{3})*) per second$/m;
const num = (s: string | undefined) => Number(s?.replaceAll(",", ""));

/** Runs 07 against `port`; resolves with its exit code, output and run time. */
async function client(port: number, args: string[], limitMs = 60_000) {
  const t0 = Date.now();
  const child = example(FILE, ["--port", String(port), ...args]);
  try {
    const code = await exitWithin(child, limitMs);
    return {
      code,
      out: child.stdout(),
      err: child.stderr(),
      ms: Date.now() - t0,
    };
  } finally {
    child.kill();
  }
}

test("07-client: 30 tasks against 06-server, every reply right, a one-line summary, exit 0", async () => {
  const server = await startServer();
  try {
    const r = await client(server.port, ["--clients", "30", "--duration", "1"]);
    assert.equal(r.code, 0, r.out + r.err);
    const m = SUMMARY.exec(r.out);
    assert.ok(m, r.out);
    assert.equal(m[1], "30");
    assert.ok(num(m[2]) > 30, r.out);
    assert.ok(
      Math.abs(num(m[2]) / Number(m[3]) - num(m[4])) <=
        Math.max(2, num(m[4]) * 0.05),
      `the rate is replies over the time: ${m[0]}`,
    );
    // Like the note, it prints replies, but only the first ten.
    const printed = r.out
      .split("\n")
      .filter((l) => /^TASK-\d+ SAY HELLO$/.test(l));
    assert.equal(printed.length, 10, r.out);
    assert.equal(
      r.out.split("\n").length,
      12,
      `nothing but the replies and the summary:\n${r.out}`,
    );
    assert.equal(r.err, "");
  } finally {
    server.kill();
  }
});

test("07-client: no server gives one line of at most 80 columns, exit 1", async () => {
  const port = await freePort();
  const r = await client(port, []);
  assert.equal(r.code, 1);
  assert.equal(
    r.err,
    `error: cannot connect to 127.0.0.1:${port} (ECONNREFUSED): is the server up?\n`,
  );
  assert.deepEqual(longLines(r.err), []);
  assert.equal(r.out, "");
});

test("07-client: a server whose accept queue is full: one line within a few seconds, exit 1", async () => {
  const deaf = await deafServer();
  const held = await fillQueue(deaf.port);
  try {
    const r = await client(
      deaf.port,
      ["--clients", "10", "--duration", "1"],
      20_000,
    );
    assert.equal(r.code, 1);
    // Now and then the kernel still completes a handshake for a full
    // queue (the client thinks it is connected, the server never sees
    // it): then a summary names who never connected and who got no reply.
    if (r.out === "")
      assert.equal(
        r.err,
        `error: cannot connect to 127.0.0.1:${deaf.port} (timed out): the server does not accept\n`,
      );
    else assert.match(r.out, /^never connected \(timed out\): Task-\d+/m);
    assert.deepEqual(longLines(r.err + r.out), []);
    assert.ok(r.ms < 1000 + 15_000, `took ${r.ms} ms`);
  } finally {
    for (const s of held) s.destroy();
    deaf.stop();
  }
});

test("07-client: a server that listens but never accepts: who never connected and who got no reply, by name", async () => {
  const deaf = await deafServer();
  try {
    const r = await client(
      deaf.port,
      ["--clients", "10", "--duration", "1"],
      20_000,
    );
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /^10 clients: 0 replies in /m);
    assert.match(
      r.out,
      /^never connected \(timed out\): Task-\d+, Task-\d+, Task-\d+ and \d+ more$/m,
    );
    assert.match(r.out, /^got no reply \(timed out\): Task-\d+/m);
    assert.ok(r.ms < 1000 + 15_000, `took ${r.ms} ms`);
  } finally {
    deaf.stop();
  }
});

test("07-client: a server that answers only some connections: the others are named, exit 1", async () => {
  const picky = await pickyServer(3);
  try {
    const r = await client(
      picky.port,
      ["--clients", "8", "--duration", "1"],
      20_000,
    );
    assert.equal(r.code, 1, r.out + r.err);
    assert.ok(num(SUMMARY.exec(r.out)?.[2]) > 0, r.out);
    assert.match(
      r.out,
      /^got no reply \(timed out\): Task-\d+, Task-\d+, Task-\d+ and 2 more$/m,
    );
    assert.ok(r.ms < 1000 + 15_000, `took ${r.ms} ms`);
    assert.deepEqual(longLines(r.out), []);
  } finally {
    picky.close();
  }
});

test("07-client: a server that never answers: every client named, exit 1, within --duration plus a few seconds", async () => {
  const silent = await pickyServer(0);
  try {
    const r = await client(
      silent.port,
      ["--clients", "5", "--duration", "1"],
      20_000,
    );
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /^5 clients: 0 replies/m);
    assert.match(
      r.out,
      /^got no reply \(timed out\): Task-1, Task-2, Task-3 and 2 more$/m,
    );
    assert.ok(r.ms < 1000 + 15_000, `took ${r.ms} ms`);
  } finally {
    silent.close();
  }
});

test("07-client: a server that does not upper-case: wrong replies, exit 1", async () => {
  const plain = await pickyServer(Infinity, false);
  try {
    const r = await client(plain.port, ["--clients", "5", "--duration", "0.5"]);
    assert.equal(r.code, 1);
    assert.match(
      r.out,
      /^got a wrong reply \(not upper-cased\): Task-1, Task-2, Task-3 and 2 more$/m,
    );
  } finally {
    plain.close();
  }
});

test("07-client: the server dying mid-run is in the summary, exit 1", async () => {
  const server = await startServer();
  const child = example(FILE, [
    "--port",
    String(server.port),
    "--clients",
    "20",
    "--duration",
    "5",
  ]);
  try {
    const deadline = Date.now() + 60_000;
    while (!/SAY HELLO/.test(child.stdout()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    server.proc.kill("SIGKILL");
    assert.equal(await exitWithin(child, 60_000), 1);
    assert.match(
      child.stdout(),
      /^lost its connection \((ECONNRESET|closed by the server)\): Task-/m,
    );
  } finally {
    child.kill();
    server.kill();
  }
});

test("07-client: against 08 --max-conns, every client left out is named, exit 1", async () => {
  const server = await startServer(
    ["--max-conns", "2"],
    "08-server-pool-workers.ts",
  );
  try {
    const r = await client(server.port, ["--clients", "5", "--duration", "2"]);
    assert.equal(r.code, 1, r.out + r.err);
    assert.ok(num(SUMMARY.exec(r.out)?.[2]) > 0, r.out);
    const named = r.out
      .split("\n")
      .filter((l) =>
        /^(got no reply|never connected|lost its connection) /.test(l),
      );
    // At least 3 of the 5, on one line or on two: the server's close may
    // reach a client as an end or as a reset.
    const who = named.join("\n").match(/Task-\d+/g) ?? [];
    assert.ok(new Set(who).size >= 3, r.out);
  } finally {
    server.kill();
  }
});

test("07-client: a server that makes the others wait until a served client leaves: the waiting ones are named, exit 1", async () => {
  const pool = await queueServer(2);
  try {
    const r = await client(pool.port, ["--clients", "5", "--duration", "2"]);
    assert.equal(r.code, 1, r.out + r.err);
    assert.ok(num(SUMMARY.exec(r.out)?.[2]) > 0, r.out);
    assert.match(
      r.out,
      /^got no reply \(timed out\): Task-\d+, Task-\d+, Task-\d+$/m,
    );
    assert.ok(r.ms < 2000 + 15_000, `took ${r.ms} ms`);
  } finally {
    pool.close();
  }
});

test("07-client: a server that sends each reply in two pieces is right: exit 0", async () => {
  const split = await splitServer();
  try {
    const r = await client(split.port, ["--clients", "20", "--duration", "1"]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.ok(num(SUMMARY.exec(r.out)?.[2]) >= 20, r.out);
    assert.doesNotMatch(r.out, /wrong/);
  } finally {
    split.close();
  }
});

test("07-client: whole numbers are decimal digits; a bad value or host is one line, exit 2", async () => {
  const cases: [string[], RegExp][] = [
    ...["0x10", "1e3", "0b11", "+80"].map((v): [string[], RegExp] => [
      ["--port", v],
      /^error: Expected `--port` to be an integer from 1 to 65535, got `.*`\n$/,
    ]),
    [["--clients", "0x10"], /^error: Expected `--clients` .*, got `0x10`\n$/],
    [
      ["--clients", "7".repeat(120_000)],
      /^error: .*`--clients`.*`7+\.\.\.7+`\n$/,
    ],
    [
      ["--duration", "1\n2"],
      /^error: Expected `--duration` .*, got `1\\n2`\n$/,
    ],
    [
      ["--host", "no-such-host.invalid"],
      /^error: cannot resolve the host `no-such-host\.invalid` \(\w+\): check --host\n$/,
    ],
  ];
  for (const [args, line] of cases) {
    const t0 = Date.now();
    const child = example(FILE, args);
    const what = args.join(" ").slice(0, 40);
    assert.equal(await exitWithin(child, 60_000), 2, what);
    assert.match(child.stderr(), line, what);
    assert.deepEqual(longLines(child.stderr()), [], what);
    assert.equal(child.stdout(), "", what);
    assert.ok(Date.now() - t0 < 30_000, `${what}: took ${Date.now() - t0} ms`);
  }
});

test("07-client: bad options give one line, exit 2", async () => {
  const cases: [string[], string][] = [
    [
      ["--clients", "0"],
      "error: Expected `--clients` to be an integer from 1 to 10000, got `0`\n",
    ],
    [
      ["--port", "x"],
      "error: Expected `--port` to be an integer from 1 to 65535, got `x`\n",
    ],
    [
      ["--duration="],
      "error: Expected `--duration` to be a number from 0.1 to 3600, got ``\n",
    ],
    [
      ["--host="],
      "error: Expected `--host` to be an address like 127.0.0.1, got ``\n",
    ],
    [["--bogus"], "error: Unknown option '--bogus' (try --help)\n"],
  ];
  for (const [args, line] of cases) {
    const child = example(FILE, args);
    assert.equal(await exitWithin(child, 60_000), 2, args.join(" "));
    assert.equal(child.stderr(), line);
  }
});
