/**
 * Sockets: Python's `socket` as gevent patches it, over node:net. Every
 * wait (`accept`, `recv`, `sendall`, `connect`) is a switch point that a
 * kill or Timeout can end. A socket error never crashes the process: the
 * next `recv` or `sendall` throws it, after the bytes that came before.
 */
import { readFileSync, readdirSync } from "node:fs";
import net from "node:net";
import { type Wait, expect, interrupted, park, wake } from "./wait.ts";

/** Bytes a connection holds unread; past them, reading pauses and TCP slows the sender. */
export const READ_LIMIT = 64 * 1024;

/**
 * Bytes of a connection's sends that node:net may hold beyond what the
 * kernel took. `sendall` hands node:net its data in pieces of this size:
 * the first while node:net holds at most this much, each next one once the
 * kernel has taken all of it. So a kill or Timeout that ends a `sendall`
 * stops it within one piece, as the kernel's buffer stops gevent's.
 */
export const SEND_LIMIT = 64 * 1024;

/** A reset by the peer; Python's `ConnectionResetError`. */
export class ConnectionResetError extends Error {
  override name = "ConnectionResetError";
  override message = "the peer reset the connection (ECONNRESET)";
  readonly code = "ECONNRESET";
}

/** Sending after `shutdown()` or after the peer went away; Python's `BrokenPipeError`. */
export class BrokenPipeError extends Error {
  override name = "BrokenPipeError";
  override message = "the connection is closed for sending (EPIPE)";
  readonly code = "EPIPE";
}

/** Using a connection or server after `close()`; Python's EBADF. */
export class SocketClosedError extends Error {
  override name = "SocketClosedError";
  override message = "the socket is closed";
  readonly code = "EBADF";
}

const EMPTY = Buffer.alloc(0);
const SENT = Promise.resolve();
const busy = (what: string) =>
  new Error(`another task is already waiting in ${what}()`);

// The connection a socket's event listeners and park() starters work
// for: one set of functions for all connections, none made per accept.
const OWNER = Symbol("connection");
type Owned = net.Socket & { [OWNER]: Connection };
const parking: { conn?: Connection } = {};

/** One TCP connection. */
export class Connection {
  readonly #sock: net.Socket;
  readonly #chunks: Buffer[] = [];
  #buffered = 0;
  #ended = false; // no more data will come: the peer's end, a close or an error
  #error: Error | undefined;
  #reader: Wait<Buffer> | undefined;
  #max = 0;
  #closed = false; // close() was called
  #writer: Wait<void> | undefined;
  #out: Uint8Array | undefined; // what the waiting sendall has yet to hand over
  #offset = 0;

  /** @internal use `connect()` or `Server.accept()`. */
  constructor(sock: net.Socket) {
    this.#sock = sock;
    (sock as Owned)[OWNER] = this;
    sock.setNoDelay(true); // small replies go at once
    sock.on("data", Connection.#onData);
    sock.on("end", Connection.#onEnd);
    sock.on("drain", Connection.#onDrain);
    sock.on("error", Connection.#onError);
    sock.on("close", Connection.#onClose);
  }

  /** The peer's address and port ("" and 0 once unknown: read them early). */
  get remoteAddress(): string {
    return this.#sock.remoteAddress ?? "";
  }
  get remotePort(): number {
    return this.#sock.remotePort ?? 0;
  }

  static #onData(this: Owned, chunk: Buffer): void {
    const conn = this[OWNER];
    conn.#chunks.push(chunk);
    if ((conn.#buffered += chunk.length) >= READ_LIMIT) this.pause();
    conn.#feed();
  }
  static #onEnd(this: Owned): void {
    this[OWNER].#end();
  }
  static #onDrain(this: Owned): void {
    this[OWNER].#pump();
  }
  static #onError(this: Owned, e: NodeJS.ErrnoException): void {
    this[OWNER].#error ??=
      e.code === "ECONNRESET"
        ? new ConnectionResetError(undefined, { cause: e })
        : e.code === "EPIPE"
          ? new BrokenPipeError(undefined, { cause: e })
          : e;
  }
  static #onClose(this: Owned): void {
    const conn = this[OWNER];
    if (!conn.#ended) conn.#end(new SocketClosedError());
    conn.#writer?.interrupt(conn.#error ?? new SocketClosedError());
  }

  #end(error?: Error): void {
    this.#ended = true;
    this.#error ??= error;
    this.#feed();
  }
  // Gives the task in recv what there is: data first, then the end or the error.
  #feed(): void {
    const wait = this.#reader;
    if (
      wait === undefined ||
      wait.over ||
      (this.#buffered === 0 && !this.#ended)
    )
      return;
    this.#reader = undefined;
    if (this.#buffered === 0)
      return this.#error ? wait.interrupt(this.#error) : void wake(wait, EMPTY);
    const first = this.#chunks[0]!;
    const out =
      first.length <= this.#max
        ? this.#chunks.shift()!
        : first.subarray(0, this.#max);
    if (out !== first) this.#chunks[0] = first.subarray(this.#max);
    this.#buffered -= out.length;
    if (this.#buffered < READ_LIMIT && this.#sock.isPaused() && !this.#ended)
      this.#sock.resume();
    wake(wait, out);
  }

  /**
   * Waits for data; returns up to `maxBytes` bytes (yours to change), or
   * an empty Buffer once the peer has closed its side. Python's `recv`.
   */
  recv(maxBytes: number): Promise<Buffer> {
    expect(
      Number.isInteger(maxBytes) && maxBytes >= 0,
      "maxBytes",
      "a non-negative integer",
      maxBytes,
    );
    if (this.#reader && !this.#reader.over) throw busy("recv");
    this.#max = maxBytes;
    parking.conn = this;
    return park<Buffer>(Connection.#parkReader);
  }

  static #parkReader(wait: Wait<Buffer>): void {
    const conn = parking.conn!;
    if (conn.#max === 0) return void wake(wait, EMPTY);
    conn.#reader = wait;
    conn.#feed();
  }

  /**
   * Sends all of `data`; waits while the peer does not read. Python's
   * `sendall`. Data that node:net takes at once returns without a switch.
   * Ended by a kill or Timeout, it stops: the bytes it had not yet handed
   * over (all but at most `SEND_LIMIT`) are never sent, and the next
   * `sendall` does not wait behind them.
   */
  sendall(data: Uint8Array | string): Promise<void> {
    if (this.#writer && !this.#writer.over) throw busy("sendall");
    const sock = this.#sock;
    const error = this.#closed
      ? new SocketClosedError()
      : (this.#error ??
        (sock.writableEnded || sock.destroyed
          ? new BrokenPipeError()
          : undefined));
    // A failed socket rejects; a pending kill or Timeout is thrown by park() first.
    if (error || interrupted())
      return park<void>((wait) => wait.interrupt(error!));
    // The common case: a reply small enough for one piece, no switch.
    if (
      sock.writableLength <= SEND_LIMIT &&
      (typeof data === "string"
        ? data.length <= SEND_LIMIT / 3 // UTF-8: at most 3 bytes a char
        : data.byteLength <= SEND_LIMIT)
    ) {
      sock.write(data);
      return SENT;
    }
    this.#out = typeof data === "string" ? Buffer.from(data) : data;
    this.#offset = 0;
    this.#pump();
    if (this.#out === undefined) return SENT;
    parking.conn = this;
    return park<void>(Connection.#parkWriter);
  }

  static #parkWriter(wait: Wait<void>): void {
    const conn = parking.conn!;
    conn.#writer = wait;
    // A kill, a Timeout or close(): hand over no more.
    wait.cancel = () => {
      conn.#out = undefined;
      conn.#writer = undefined;
    };
  }

  // Hands node:net the next pieces of #out: the first while it holds at
  // most SEND_LIMIT bytes, each next one once the kernel took them all.
  // Called by sendall, on 'drain' and when a piece reached the kernel.
  #pump(): void {
    const sock = this.#sock;
    const out = this.#out;
    if (out === undefined) return;
    for (;;) {
      if (sock.writableEnded || sock.destroyed) return; // 'close' or shutdown() end the writer
      if (sock.writableLength > (this.#offset === 0 ? SEND_LIMIT : 0)) return;
      const start = this.#offset;
      const end = (this.#offset = Math.min(out.byteLength, start + SEND_LIMIT));
      const last = end === out.byteLength;
      if (last) this.#out = undefined;
      sock.write(last && start === 0 ? out : out.subarray(start, end), () =>
        this.#pump(),
      );
      if (last) {
        const wait = this.#writer;
        this.#writer = undefined;
        if (wait) wake(wait, undefined);
        return;
      }
    }
  }

  /** Ends the sending side: the peer's `recv` returns empty. Python's `shutdown(SHUT_WR)`. */
  shutdown(): void {
    this.#sock.end();
    this.#writer?.interrupt(new BrokenPipeError());
  }

  /**
   * Closes the connection; a task in `recv` or `sendall` gets
   * `SocketClosedError`. Never throws. Bytes already handed over are
   * still sent, unless received bytes lie unread: then, as the kernel
   * does, it resets the connection (the peer gets
   * `ConnectionResetError`) and drops what was not yet sent.
   */
  close(): void {
    const sock = this.#sock;
    this.#closed = true;
    if (this.#buffered > 0 && !sock.destroyed && sock.resetAndDestroy)
      sock.resetAndDestroy();
    else if (sock.writableLength === 0) sock.destroy();
    else {
      sock.end(() => sock.destroy());
      setTimeout(() => sock.destroy(), 10_000).unref(); // a peer that never reads
    }
    this.#end(new SocketClosedError());
    this.#writer?.interrupt(this.#error ?? new SocketClosedError());
  }
}

/** Opens a TCP connection; rejects with node's error (`code`: `ECONNREFUSED`...). Python's `create_connection`. */
export function connect(host: string, port: number): Promise<Connection> {
  checkAddress(host, port);
  return park<Connection>((wait) => {
    const sock = net.connect({ host, port, allowHalfOpen: true });
    sock.once("error", (e) => wait.interrupt(e));
    sock.once("connect", () => wake(wait, new Connection(sock)));
    wait.cancel = () => sock.destroy();
  });
}

/** A listening socket: `accept()` the next connection, `close()`. */
export class Server {
  readonly #server: net.Server;
  readonly #queue: Connection[] = [];
  #waiter: Wait<Connection> | undefined;
  #closed = false;
  #feeding = false;

  /** @internal use `listen()`. */
  constructor(server: net.Server, maxConnections: number | undefined) {
    this.#server = server;
    // libuv accepts every waiting connection in one go. The task in
    // accept() gets them after that, not one between each two accepts:
    // a burst then leaves the kernel's queue as fast as with bare
    // node:net, and fewer handshakes are dropped.
    server.on("connection", (sock: net.Socket) => {
      this.#queue.push(new Connection(sock));
      if (!this.#feeding) {
        this.#feeding = true;
        setImmediate(Server.#feedLater, this);
      }
    });
    // Node drops a connection beyond server.maxConnections at once. The
    // lib sets it below the descriptors left too: past those, libuv
    // would accept and close connections without a word to anyone.
    const fds = descriptorsLeft();
    const limit = Math.min(maxConnections ?? Infinity, fds);
    if (limit !== Infinity) server.maxConnections = limit;
    const why =
      limit === maxConnections
        ? `maxConnections (${limit}) reached`
        : `out of file descriptors (ulimit -n ${openFilesLimit()})`;
    server.on("drop", () => report(`refused`, why));
    server.on("error", (e: NodeJS.ErrnoException) =>
      report("could not accept", e.code ?? e.message),
    );
  }

  static #feedLater(server: Server): void {
    server.#feeding = false;
    server.#feed();
  }

  #feed(): void {
    const wait = this.#waiter;
    if (wait === undefined || wait.over) return;
    if (this.#closed) return wait.interrupt(new SocketClosedError());
    const conn = this.#queue.shift();
    if (conn) wake(wait, conn);
  }

  /** The address and real port (after listening on port 0, say). */
  address(): { host: string; port: number } {
    const a = this.#server.address() as net.AddressInfo;
    return { host: a.address, port: a.port };
  }

  /** Waits for the next connection. Python's `accept`, minus the address pair. */
  accept(): Promise<Connection> {
    if (this.#waiter && !this.#waiter.over) throw busy("accept");
    return park<Connection>((wait) => {
      this.#waiter = wait;
      this.#feed();
    });
  }

  /** Stops listening and closes the connections not yet accepted. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#server.close();
    for (const conn of this.#queue.splice(0)) conn.close();
    this.#feed();
  }
}

/**
 * Listens on `host:port` (0: any free port): Python's socket(), bind()
 * and listen(backlog). Unlike Python, node:net accepts every connection
 * itself, at once, and queues it for `accept()`; `backlog` bounds the
 * kernel's queue only while the program is too busy to run node:net.
 *
 * `maxConnections` bounds the connections a server holds open: each one
 * beyond it is refused at once (node:net accepts and closes it; the
 * client sees its connection end, or reset if it had sent bytes), not
 * kept waiting in the kernel's queue. The server also refuses
 * connections once file descriptors run short (`ulimit -n`), rather
 * than fail to accept them. Either way, and for any accept error, it
 * says so on stderr: at most one line a second, with a count.
 * @example
 * import { listen } from "./lib/index.ts";
 * const server = await listen("127.0.0.1", 0);
 * console.log(server.address().port > 0); // → true
 * server.close();
 */
export function listen(
  host: string,
  port: number,
  {
    backlog = 511,
    maxConnections,
  }: { backlog?: number; maxConnections?: number | undefined } = {},
): Promise<Server> {
  checkAddress(host, port);
  expect(
    Number.isInteger(backlog) && backlog >= 1,
    "backlog",
    "a positive integer",
    backlog,
  );
  expect(
    maxConnections === undefined ||
      (Number.isInteger(maxConnections) && maxConnections >= 1),
    "maxConnections",
    "a positive integer",
    maxConnections,
  );
  return park<Server>((wait) => {
    const server = net.createServer({ allowHalfOpen: true });
    const failed = (e: Error) => wait.interrupt(e);
    server.once("error", failed);
    server.listen({ host, port, backlog }, () => {
      server.off("error", failed);
      wake(wait, new Server(server, maxConnections));
    });
    wait.cancel = () => server.close();
  });
}

// The soft limit on open files (Linux; elsewhere unknown: Infinity).
function openFilesLimit(): number {
  try {
    const line = /^Max open files\s+(\S+)/m.exec(
      readFileSync("/proc/self/limits", "utf8"),
    );
    return line && line[1] !== "unlimited" ? Number(line[1]) : Infinity;
  } catch {
    return Infinity;
  }
}

// Descriptors a server may use for connections: what the limit leaves
// over the ones open now, minus some for the rest of the program.
function descriptorsLeft(): number {
  const limit = openFilesLimit();
  if (limit === Infinity) return Infinity;
  try {
    return Math.max(1, limit - readdirSync("/proc/self/fd").length - 16);
  } catch {
    return Infinity;
  }
}

// What servers could not take, on stderr: at most one line a second.
const refused = new Map<string, number>();
let reporting: NodeJS.Timeout | undefined;
function report(what: string, why: string): void {
  const key = `${what}\0${why}`;
  refused.set(key, (refused.get(key) ?? 0) + 1);
  if (reporting === undefined) flushReport();
}
function flushReport(): void {
  reporting = undefined;
  if (refused.size === 0) return;
  const parts = [...refused].map(([key, n]) => {
    const [what, why] = key.split("\0");
    return `${what} ${n} connection${n === 1 ? "" : "s"}: ${why}`;
  });
  refused.clear();
  process.stderr.write(`server: ${parts.join("; ")}\n`);
  reporting = setTimeout(flushReport, 1000).unref();
}

function checkAddress(host: unknown, port: unknown): void {
  expect(
    typeof host === "string" && host !== "",
    "host",
    "a host name or IP address",
    host,
  );
  expect(
    Number.isInteger(port) &&
      (port as number) >= 0 &&
      (port as number) <= 65535,
    "port",
    "an integer from 0 to 65535",
    port,
  );
}
