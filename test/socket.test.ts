// lib/core.ts (the socket): recv sizes, end of stream, reset, sendall backpressure,
// kill/Timeout while waiting, errors. 127.0.0.1 and port 0 only.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import {
  TaskExit,
  Timeout,
  TimeoutError,
  sleep,
  spawn,
  withTimeout,
} from "../lib/index.ts";
import {
  BrokenPipeError,
  ConnectionResetError,
  SocketClosedError,
  connect,
  listen,
} from "../lib/core.ts";
import type { Connection, Server } from "../lib/core.ts";

const HOST = "127.0.0.1";

/** A listening server, a client connection and the accepted one. */
async function pair(): Promise<{
  server: Server;
  client: Connection;
  conn: Connection;
}> {
  const server = await listen(HOST, 0);
  const [client, conn] = await Promise.all([
    connect(HOST, server.address().port),
    server.accept(),
  ]);
  return { server, client, conn };
}

/** Reads exactly `n` bytes (fails on an early end). */
async function recvExactly(conn: Connection, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let got = 0;
  while (got < n) {
    const b = await conn.recv(n - got);
    assert.ok(b.length > 0, `end of stream after ${got} of ${n} bytes`);
    parts.push(b);
    got += b.length;
  }
  return Buffer.concat(parts);
}

test("recv returns at most maxBytes, keeps the rest, and 0 gives an empty buffer", async () => {
  const { server, client, conn } = await pair();
  try {
    await client.sendall(Buffer.from("0123456789"));
    const first = await conn.recv(4);
    assert.equal(String(first), "0123");
    assert.equal(String(await recvExactly(conn, 6)), "456789");
    assert.equal((await conn.recv(0)).length, 0);
    await client.sendall("héllo"); // strings go as UTF-8
    assert.deepEqual(await recvExactly(conn, 6), Buffer.from("héllo"));
  } finally {
    client.close();
    conn.close();
    server.close();
  }
});

test("end of stream: recv gives an empty buffer, the other side can still send (half-close)", async () => {
  const { server, client, conn } = await pair();
  try {
    await client.sendall("last words");
    client.shutdown();
    assert.equal(String(await recvExactly(conn, 10)), "last words");
    assert.equal((await conn.recv(100)).length, 0);
    assert.equal((await conn.recv(100)).length, 0, "stays at end of stream");
    await conn.sendall("reply after end");
    conn.close();
    assert.equal(String(await recvExactly(client, 15)), "reply after end");
    assert.equal((await client.recv(100)).length, 0);
  } finally {
    client.close();
    server.close();
  }
});

test("a reset rejects recv with ConnectionResetError (ECONNRESET) and does not crash", async () => {
  const server = await listen(HOST, 0);
  const raw = net.connect({ host: HOST, port: server.address().port });
  raw.on("error", () => {});
  const connected = new Promise((r) => raw.once("connect", r));
  const conn = await server.accept();
  try {
    await connected;
    raw.write("before the reset");
    assert.equal(String(await recvExactly(conn, 16)), "before the reset");
    raw.resetAndDestroy();
    await assert.rejects(conn.recv(10), (e: unknown) => {
      assert.ok(e instanceof ConnectionResetError);
      assert.equal(e.code, "ECONNRESET");
      return true;
    });
    await assert.rejects(conn.sendall("x"), ConnectionResetError);
  } finally {
    conn.close();
    server.close();
  }
});

test("bytes received before a reset are returned first", async () => {
  const server = await listen(HOST, 0);
  const raw = net.connect({ host: HOST, port: server.address().port });
  raw.on("error", () => {});
  const connected = new Promise((r) => raw.once("connect", r));
  const conn = await server.accept();
  try {
    await connected;
    raw.write("keep me");
    await sleep(100); // the bytes arrive while nobody is in recv
    raw.resetAndDestroy();
    await sleep(100);
    assert.equal(String(await conn.recv(100)), "keep me");
    await assert.rejects(conn.recv(100), ConnectionResetError);
  } finally {
    conn.close();
    server.close();
  }
});

test("sendall waits while the peer does not read, and every byte arrives in order later", async () => {
  const { server, client, conn } = await pair();
  const chunk = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = i % 251;
  let sent = 0;
  try {
    // The client reads nothing: after the kernel buffers fill up,
    // sendall must park instead of queueing everything in memory.
    const timeout = Timeout.start(800);
    try {
      for (let i = 0; i < 256; i++) {
        await conn.sendall(chunk);
        sent += chunk.length;
      }
      assert.fail(`sendall never waited: ${sent} bytes queued`);
    } catch (e) {
      assert.ok(e instanceof TimeoutError, String(e));
    } finally {
      timeout.cancel();
    }
    assert.ok(sent < 200 * chunk.length, `sent ${sent} bytes without waiting`);
    conn.shutdown();
    let got = 0;
    for (;;) {
      const b = await client.recv(65536);
      if (b.length === 0) break;
      for (let i = 0; i < b.length; i += 4099)
        assert.equal(b[i], ((got + i) % chunk.length) % 251);
      got += b.length;
    }
    // The interrupted sendall stopped: only a part of its chunk went.
    assert.ok(got >= sent && got < sent + chunk.length, `got ${got}`);
  } finally {
    client.close();
    conn.close();
    server.close();
  }
});

/** Reads until the end of stream: how many bytes, and the last few. */
async function drain(conn: Connection): Promise<{ got: number; tail: string }> {
  let got = 0;
  let tail = "";
  for (let b; (b = await conn.recv(65536)).length > 0;) {
    got += b.length;
    tail = (tail + String(b.subarray(-3))).slice(-3);
  }
  return { got, tail };
}

test("a sendall ended by a Timeout stops sending; the next one does not wait behind it", async () => {
  const { server, client, conn } = await pair();
  const N = 16 * 1024 * 1024;
  try {
    // The client reads nothing until the end.
    await assert.rejects(
      withTimeout(200, () => conn.sendall(Buffer.alloc(N))),
      TimeoutError,
    );
    await withTimeout(2000, () => conn.sendall("END"));
    conn.shutdown();
    const { got, tail } = await drain(client);
    assert.equal(tail, "END");
    assert.ok(got < N, `the peer got all ${N} bytes`);
  } finally {
    client.close();
    conn.close();
    server.close();
  }
});

test("killed sendalls leave at most a piece each queued: memory stays bounded", async () => {
  const { server, client, conn } = await pair();
  const MB = 1024 * 1024;
  try {
    // The client reads nothing. Had the bytes not yet sent stayed
    // queued in node:net, all 40 MB would reach the peer.
    for (let i = 0; i < 40; i++) {
      const sender = spawn(() => conn.sendall(Buffer.alloc(MB)));
      await sleep(5);
      await sender.kill();
      assert.equal(sender.ready(), true);
    }
    conn.shutdown();
    const { got } = await drain(client);
    assert.ok(got < 20 * MB, `the peer got ${got} bytes of 40 MB`);
  } finally {
    client.close();
    conn.close();
    server.close();
  }
});

test("close() with received bytes unread resets the connection; the peer gets ConnectionResetError", async () => {
  const { server, client, conn } = await pair();
  try {
    await client.sendall("never read");
    await sleep(50);
    conn.close();
    await assert.rejects(client.recv(10), ConnectionResetError);
  } finally {
    client.close();
    server.close();
  }
});

test("sendall after the peer closed a half-closed connection is BrokenPipeError (EPIPE)", async () => {
  const { server, client, conn } = await pair();
  try {
    client.shutdown();
    assert.equal((await conn.recv(10)).length, 0);
    conn.close();
    assert.equal((await client.recv(10)).length, 0);
    await assert.rejects(client.sendall("x"), (e: unknown) => {
      assert.ok(e instanceof BrokenPipeError, String(e));
      assert.equal(e.code, "EPIPE");
      return true;
    });
  } finally {
    client.close();
    server.close();
  }
});

test("kill() ends a task waiting in recv promptly; the connection stays usable", async () => {
  const { server, client, conn } = await pair();
  try {
    const reader = spawn(() => conn.recv(100));
    await sleep(50);
    const t0 = performance.now();
    await reader.kill();
    assert.ok(performance.now() - t0 < 2000, "kill took too long");
    assert.equal(reader.killed, true);
    await assert.rejects(reader.get(), TaskExit);
    await client.sendall("still here");
    assert.equal(String(await recvExactly(conn, 10)), "still here");
  } finally {
    client.close();
    conn.close();
    server.close();
  }
});

test("readers in turn on one connection: a killed or timed-out recv never takes data meant for a later one", async () => {
  const { server, client, conn } = await pair();
  try {
    const killed = spawn(() => conn.recv(100));
    await sleep(20);
    await killed.kill();
    // Caught inside the task, so that no failure report lands in the test output.
    const timedOut = spawn(() =>
      withTimeout(20, () => conn.recv(100)).catch((e: unknown) => e),
    );
    assert.ok((await timedOut.get()) instanceof TimeoutError);
    // Arrives while nobody waits: kept for the next recv.
    await client.sendall("one");
    await sleep(20);
    assert.equal(String(await spawn(() => conn.recv(100)).get()), "one");
    const later = spawn(async () => String(await conn.recv(100)));
    await sleep(20);
    await client.sendall("two");
    assert.equal(await later.get(), "two");
    assert.equal(killed.killed, true);
    assert.equal(killed.value, undefined);
  } finally {
    client.close();
    conn.close();
    server.close();
  }
});

test("Timeout interrupts recv, accept and connect-free waits", async () => {
  const { server, client, conn } = await pair();
  try {
    await assert.rejects(
      withTimeout(50, () => conn.recv(10)),
      TimeoutError,
    );
    await assert.rejects(
      withTimeout(50, () => server.accept()),
      TimeoutError,
    );
    const acceptor = spawn(() => server.accept());
    await sleep(20);
    await acceptor.kill();
    assert.equal(acceptor.killed, true);
  } finally {
    client.close();
    conn.close();
    server.close();
  }
});

test("close() while another task waits in recv rejects it with SocketClosedError", async () => {
  const { server, client, conn } = await pair();
  try {
    const reader = spawn(() => conn.recv(10).catch((e: unknown) => e));
    await sleep(20);
    conn.close();
    assert.ok((await reader.get()) instanceof SocketClosedError);
    await assert.rejects(conn.sendall("x"), SocketClosedError);
    assert.equal((await client.recv(10)).length, 0, "the peer sees the end");
  } finally {
    client.close();
    server.close();
  }
});

test("connect to a closed port rejects with ECONNREFUSED; a used port with EADDRINUSE", async () => {
  const server = await listen(HOST, 0);
  const { port } = server.address();
  try {
    await assert.rejects(listen(HOST, port), { code: "EADDRINUSE" });
  } finally {
    server.close();
  }
  await sleep(20);
  await assert.rejects(connect(HOST, port), { code: "ECONNREFUSED" });
});

test("connections queue until accept(); a closed server rejects accept", async () => {
  const server = await listen(HOST, 0, { backlog: 5 });
  const port = server.address().port;
  const clients = await Promise.all([1, 2, 3].map(() => connect(HOST, port)));
  try {
    for (const [i, c] of clients.entries()) await c.sendall(`client ${i}`);
    const got = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const conn = await server.accept();
      got.add(String(await recvExactly(conn, 8)));
      conn.close();
    }
    assert.deepEqual([...got].sort(), ["client 0", "client 1", "client 2"]);
    server.close();
    await assert.rejects(server.accept(), SocketClosedError);
  } finally {
    for (const c of clients) c.close();
    server.close();
  }
});

test("bad arguments throw a TypeError naming the value", async () => {
  const { server, client, conn } = await pair();
  try {
    assert.throws(
      () => conn.recv(-1),
      /Expected `maxBytes` to be a non-negative integer, got `-1`/,
    );
    assert.throws(
      () => connect(HOST, 70000),
      /Expected `port` to be an integer from 0 to 65535, got `70000`/,
    );
    assert.throws(() => listen("", 0), /Expected `host`/);
    assert.throws(() => listen(HOST, 0, { backlog: 0 }), /Expected `backlog`/);
  } finally {
    client.close();
    conn.close();
    server.close();
  }
});

test("sendall: a second sender while one waits is an error; close() ends a waiting sendall at once", async () => {
  const { server, client, conn } = await pair();
  try {
    const big = Buffer.alloc(8 * 1024 * 1024); // the client does not read: sendall waits
    const first = spawn(() =>
      conn.sendall(big).catch((e: unknown) => (e as Error).name),
    );
    await sleep(50);
    assert.equal(
      first.ready(),
      false,
      "the first sendall waits for the peer to read",
    );
    assert.throws(
      () => conn.sendall("more"),
      /another task is already waiting in sendall\(\)/,
    );
    const t0 = performance.now();
    conn.close();
    assert.equal(await first.get(), "SocketClosedError");
    assert.ok(
      performance.now() - t0 < 1000,
      "at once, not after the 10 s close timer",
    );
  } finally {
    client.close();
    server.close();
  }
});

test("sendall after shutdown() fails with EPIPE, and the reading side still works", async () => {
  const { server, client, conn } = await pair();
  try {
    conn.shutdown();
    assert.equal((await client.recv(10)).length, 0, "the peer sees the end");
    await assert.rejects(conn.sendall("x"), { code: "EPIPE" });
    await client.sendall("reply");
    assert.equal(String(await conn.recv(10)), "reply");
  } finally {
    client.close();
    conn.close();
    server.close();
  }
});
