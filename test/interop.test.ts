// Interop with the note's own Python programs (../shared/note beside
// the repo), run by Debian's Python with gevent (/usr/bin/python3;
// .ci/run installs python3-gevent). 127.0.0.1 only; children killed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Timeout, TimeoutError } from "../lib/index.ts";
import { connect } from "../lib/socket.ts";
import { example, exitWithin, freePort, start, startServer, waitFor } from "./net-helpers.ts";

const PYTHON = "/usr/bin/python3";
const NOTE = fileURLToPath(new URL("../../shared/note/", import.meta.url));

function why(): string | false {
  if (!existsSync(`${NOTE}server_fixed.py`)) return `the note's programs are not in ${NOTE}`;
  try {
    execFileSync(PYTHON, ["-c", "import gevent"], { stdio: "ignore" });
  } catch {
    return `${PYTHON} cannot import gevent: apt-get install python3-gevent (see .ci/run)`;
  }
  return false;
}
const skip = why();

/** Starts one of the note's servers on a free port and waits for its `start...`. */
async function noteServer(file: string) {
  const port = await freePort();
  const child = start(PYTHON, ["-u", `${NOTE}${file}`, String(port)]);
  try {
    await waitFor(child, /^start\.\.\.$/m);
  } catch (e) {
    child.kill();
    throw e;
  }
  return { ...child, port };
}

test("interop: our 07-client against the note's server_fixed.py gets only right replies", { skip }, async () => {
  const server = await noteServer("server_fixed.py");
  try {
    // The note's server listens with a backlog of 5: keep the crowd small.
    const client = example("07-client.ts", ["--port", String(server.port), "--clients", "20", "--duration", "1"]);
    try {
      assert.equal(await exitWithin(client, 40_000), 0, client.stdout() + client.stderr());
    } finally {
      client.kill();
    }
    const out = client.stdout();
    // Exit 0 means no client failed: every one connected, and every reply was right.
    const m = /^20 clients: ([\d,]+) replies in [\d.]+ s, [\d,]+ per second$/m.exec(out);
    assert.ok(m && Number(m[1]!.replaceAll(",", "")) > 20, out);
    assert.doesNotMatch(out, /never connected|no reply|wrong reply/, out);
  } finally {
    server.kill();
  }
});

test("interop: the note's client.py against our 06-server gets upper-cased replies", { skip }, async () => {
  const server = await startServer();
  const client = start(PYTHON, ["-u", `${NOTE}client.py`, String(server.port), "20"]);
  try {
    // client.py never stops by itself: read replies for a while, then kill it.
    const deadline = Date.now() + 20_000;
    while (client.stdout().split("\n").length < 500 && Date.now() < deadline && client.proc.exitCode === null) {
      await new Promise((r) => setTimeout(r, 50));
    }
    client.kill();
    // Its 20 threads print at once: print() writes the text and the
    // newline separately, so replies can share a line. Check the stream.
    const out = client.stdout();
    const text = out.slice(0, out.lastIndexOf("\n")).replaceAll("\n", "");
    const replies = text.match(/THREAD-\d+ \(TASK\) SAY HELLO/g) ?? [];
    assert.ok(replies.length >= 100, `only ${replies.length} replies:\n${client.stderr()}`);
    assert.equal(replies.join(""), text, "something else than upper-cased messages came back");
    // Replies come from many of the 20 threads, not just one.
    assert.ok(new Set(replies).size >= 10, `replies from ${new Set(replies).size} threads`);
  } finally {
    client.kill();
    server.kill();
  }
});

test("interop: the note's server.py as written accepts but never replies (see README FAQ)", { skip }, async () => {
  const server = await noteServer("server.py");
  const conn = await connect("127.0.0.1", server.port);
  try {
    await conn.sendall("hello");
    const timeout = Timeout.start(1000);
    try {
      const reply = await conn.recv(1024);
      assert.fail(`server.py replied ${JSON.stringify(String(reply))}`);
    } catch (e) {
      assert.ok(e instanceof TimeoutError, String(e));
    } finally {
      timeout.cancel();
    }
  } finally {
    conn.close();
    server.kill();
  }
});
