// examples/07-client.ts against our server, a wrong server, no server,
// and a server that dies mid-run. 127.0.0.1 only; children always killed.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { example, exitWithin, freePort, startServer } from "./net-helpers.ts";

/** The summary's numbers, read back from the client's stdout. */
function summary(out: string) {
  const num = (re: RegExp) => Number(re.exec(out)?.[1]?.replaceAll(",", "") ?? NaN);
  return {
    clients: /^clients: (\d+ \w+), (\d+) connected in [\d.]+ s$/m.exec(out)?.slice(1),
    replies: num(/^replies: (\d{1,3}(?:,\d{3})*), \d{1,3}(?:,\d{3})* per second over [\d.]+ s$/m),
    latency: /^latency: p50 [\d.]+ ms, p99 [\d.>]+ ms$/m.test(out),
    errors: /^errors: (.*)$/m.exec(out)?.[1],
    wrong: num(/^wrong replies: (\d+)$/m),
    memory: /^memory: \d+ MB peak RSS for \d+ \w+$/m.test(out),
  };
}

test("07-client: 30 tasks against 06-server; the counts agree with the server's", async () => {
  const server = await startServer();
  try {
    const client = example("07-client.ts", ["--port", String(server.port), "--clients", "30", "--duration", "1"]);
    try {
      assert.equal(await exitWithin(client, 30_000), 0, client.stderr());
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
    const printed = out.split("\n").filter((l) => /^TASK-\d+ SAY HELLO$/.test(l));
    assert.equal(printed.length, 10, out);
    assert.match(out, /^TASK-\d+ SAY HELLO\n\(first 10 replies shown\)$/m);
    assert.match(out, /^\(the server counts 1 more connection: the check at the start that it listens\)$/m);
    assert.equal(client.stderr(), "");
    // The server echoed exactly what the client counted: `Task-N say
    // hello` is 16 or 17 bytes for N from 1 to 30 (plus the probe connection).
    server.proc.kill("SIGINT");
    assert.equal(await exitWithin(server, 5000), 0);
    const m = /^stopped: (\d+) connections served, (\d{1,3}(?:,\d{3})*) bytes echoed$/m.exec(server.stdout());
    assert.ok(m, server.stdout());
    assert.equal(Number(m[1]), 31);
    const echoed = Number(m[2]!.replaceAll(",", ""));
    assert.ok(echoed >= 16 * s.replies && echoed <= 17 * s.replies, `${echoed} bytes for ${s.replies} replies`);
  } finally {
    server.kill();
  }
});

test("07-client: one client is counted in the singular", async () => {
  const server = await startServer();
  try {
    const client = example("07-client.ts", ["--port", String(server.port), "--clients", "1", "--duration", "0.5"]);
    try {
      assert.equal(await exitWithin(client, 30_000), 0, client.stderr());
    } finally {
      client.kill();
    }
    assert.deepEqual(summary(client.stdout()).clients, ["1 coroutine", "1"]);
    assert.match(client.stdout(), /^memory: \d+ MB peak RSS for 1 coroutine$/m);
  } finally {
    server.kill();
  }
});

test("07-client: --threads runs one worker thread per connection", async () => {
  const server = await startServer();
  try {
    const client = example("07-client.ts", ["--port", String(server.port), "--clients", "3", "--duration", "0.5", "--threads"]);
    try {
      assert.equal(await exitWithin(client, 30_000), 0, client.stderr());
    } finally {
      client.kill();
    }
    const s = summary(client.stdout());
    assert.deepEqual(s.clients, ["3 threads", "3"]);
    assert.ok(s.replies > 3 && s.wrong === 0 && s.errors === "none" && s.memory, client.stdout());
    assert.match(client.stdout(), /^THREAD-[123] SAY HELLO$/m);
  } finally {
    server.kill();
  }
});

test("07-client: no server gives one line with a hint and exit 1", async () => {
  const port = await freePort();
  const client = example("07-client.ts", ["--port", String(port)]);
  try {
    assert.equal(await exitWithin(client, 20_000), 1);
    assert.equal(
      client.stderr(),
      `error: cannot connect to 127.0.0.1:${port} (ECONNREFUSED): is the server running? start it with: npx tsx examples/06-server.ts --port ${port}\n`,
    );
    assert.equal(client.stdout(), "");
  } finally {
    client.kill();
  }
});

test("07-client: a server that does not upper-case gives wrong replies and exit 1", async () => {
  // A plain echo server, in this process.
  const plain = net.createServer((s) => {
    s.on("error", () => {});
    s.pipe(s);
  });
  await new Promise<void>((r) => plain.listen(0, "127.0.0.1", r));
  const { port } = plain.address() as net.AddressInfo;
  const client = example("07-client.ts", ["--port", String(port), "--clients", "5", "--duration", "0.5"]);
  try {
    assert.equal(await exitWithin(client, 30_000), 1);
    const s = summary(client.stdout());
    assert.ok(s.wrong > 0 && s.wrong === s.replies, client.stdout());
  } finally {
    client.kill();
    plain.close();
  }
});

test("07-client: the server going away mid-run is in the summary, exit 1", async () => {
  const server = await startServer();
  const client = example("07-client.ts", ["--port", String(server.port), "--clients", "20", "--duration", "5"]);
  try {
    const deadline = Date.now() + 20_000;
    // Let traffic start (the client prints its first replies), then kill the server.
    while (!/SAY HELLO/.test(client.stdout()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    server.proc.kill("SIGKILL");
    assert.equal(await exitWithin(client, 30_000), 1);
    const out = client.stdout();
    assert.match(out, /^the server went away: \d+ connections were closed or reset by it$/m);
    assert.notEqual(summary(out).errors, "none");
  } finally {
    client.kill();
    server.kill();
  }
});

test("07-client: Ctrl-C (SIGINT) stops it early with the summary", async () => {
  const server = await startServer();
  const client = example("07-client.ts", ["--port", String(server.port), "--clients", "10", "--duration", "60"]);
  try {
    const deadline = Date.now() + 20_000;
    while (!/SAY HELLO/.test(client.stdout()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    client.proc.kill("SIGINT");
    assert.equal(await exitWithin(client, 10_000), 0, client.stdout() + client.stderr());
    const s = summary(client.stdout());
    assert.deepEqual(s.clients, ["10 coroutines", "10"]);
    assert.ok(s.replies > 0 && s.wrong === 0 && s.errors === "none", client.stdout());
  } finally {
    client.kill();
    server.kill();
  }
});
