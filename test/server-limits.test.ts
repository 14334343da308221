// A server at its limits: out of file descriptors (a low `ulimit -n`) or
// at `maxConnections`, it refuses connections at once, says so on stderr
// (at most one line a second, with a count), keeps serving the ones it
// holds, and takes new ones again once some have gone.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { start, waitFor, type Child } from "./net-helpers.ts";

const SERVER = "test/fixtures/echo-server.ts";

/** Starts the fixture server (in bash, to set `ulimit -n` first). */
async function server(
  ulimit: number | undefined,
  args: string[] = [],
): Promise<Child & { port: number }> {
  const cmd = [process.execPath, "--import", "tsx", SERVER, ...args]
    .map((a) => `'${a}'`)
    .join(" ");
  const child = start("bash", [
    "-c",
    `${ulimit ? `ulimit -n ${ulimit}; ` : ""}exec ${cmd}`,
  ]);
  try {
    const m = await waitFor(child, /^listening on 127\.0\.0\.1:(\d+)$/m);
    return { ...child, port: Number(m[1]) };
  } catch (e) {
    child.kill();
    throw e;
  }
}

type Outcome = "answered" | "refused" | "silent";

/** Opens a connection, says hi; how it went. The socket stays open. */
function hello(port: number, sockets: net.Socket[]): Promise<Outcome> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    sockets.push(s);
    const timer = setTimeout(() => resolve("silent"), 5000);
    const done = (o: Outcome) => (clearTimeout(timer), resolve(o));
    s.on("connect", () => s.write("hi"));
    s.on("data", (d) => done(String(d) === "HI" ? "answered" : "silent"));
    s.on("end", () => done("refused"));
    s.on("error", () => done("refused"));
  });
}

async function round(port: number, n: number, sockets: net.Socket[]) {
  const outcomes: Outcome[] = [];
  // In turn, so that the count of answered ones is exact.
  for (let i = 0; i < n; i++) outcomes.push(await hello(port, sockets));
  const count = (o: Outcome) => outcomes.filter((x) => x === o).length;
  return {
    answered: count("answered"),
    refused: count("refused"),
    silent: count("silent"),
  };
}

test("out of file descriptors: refuses at once, says so with a count, serves on, recovers", async () => {
  const child = await server(64);
  const held: net.Socket[] = [];
  try {
    const t0 = Date.now();
    const first = await round(child.port, 100, held);
    assert.equal(first.silent, 0, JSON.stringify(first));
    assert.ok(first.answered >= 5, JSON.stringify(first));
    assert.ok(first.refused >= 40, JSON.stringify(first));
    await new Promise((r) => setTimeout(r, 1200)); // the last line is out
    const lines = child.stderr().trimEnd().split("\n");
    const counts = lines.map((l) => {
      const m =
        /^server: refused (\d+) connections?: out of file descriptors \(ulimit -n 64\)$/.exec(
          l,
        );
      assert.ok(m, `unexpected stderr line: ${l}`);
      return Number(m[1]);
    });
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      first.refused,
      "the lines count every refused connection",
    );
    const seconds = (Date.now() - t0) / 1000;
    assert.ok(
      lines.length <= seconds + 1,
      `${lines.length} lines in ${seconds} s`,
    );
    // The held connections still answer.
    const still = held.filter((s) => !s.destroyed && s.readyState === "open");
    assert.ok(still.length >= 5);
    // Once they go, new ones are taken again.
    for (const s of held.splice(0)) s.destroy();
    await new Promise((r) => setTimeout(r, 300));
    const after = await round(child.port, 10, held);
    assert.deepEqual(after, { answered: 10, refused: 0, silent: 0 });
    assert.equal(child.proc.exitCode, null, "the server still runs");
  } finally {
    for (const s of held) s.destroy();
    child.kill();
  }
});

test("maxConnections: connections beyond it are refused at once, and said so", async () => {
  const child = await server(undefined, ["3"]);
  const held: net.Socket[] = [];
  try {
    const first = await round(child.port, 6, held);
    assert.deepEqual(first, { answered: 3, refused: 3, silent: 0 });
    await new Promise((r) => setTimeout(r, 1200));
    const text = child.stderr();
    const total = [
      ...text.matchAll(
        /^server: refused (\d+) connections?: maxConnections \(3\) reached$/gm,
      ),
    ].reduce((a, m) => a + Number(m[1]), 0);
    assert.equal(total, 3, text);
    held[0]!.destroy();
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await round(child.port, 1, held), {
      answered: 1,
      refused: 0,
      silent: 0,
    });
  } finally {
    for (const s of held) s.destroy();
    child.kill();
  }
});
