/**
 * Sockets: Python's `socket` (as gevent patches it), over node:net.
 *
 * `listen()` gives a server whose `accept()` waits for a connection;
 * `connect()` opens one. A connection has `recv(maxBytes)`,
 * `sendall(bytes)` and `close()`. Every wait is a switch point (built
 * on `suspend`), so `kill()` and `Timeout` interrupt it, and the other
 * tasks run meanwhile: the note's gevent server, with no patching.
 *
 * The API matches Python's `socket` where it can; differences:
 * - Waits return Promises: `await conn.recv(1024)`. Times are in ms.
 * - `listen(host, port, { backlog })` does socket + bind + listen in
 *   one call and waits until the port is open (or throws EADDRINUSE).
 * - `accept()` returns the connection; its peer is `conn.remoteAddress`
 *   and `conn.remotePort` (Python returns a `(conn, address)` pair).
 * - `recv` returns a Buffer that is yours: changing it in place is
 *   safe. Only one task may wait in `recv` on a connection at a time.
 * - `sendall` resolves once node:net has taken the bytes and its write
 *   buffer is below its high-water mark (16 KB), not once the kernel
 *   has every byte. It waits (a switch point) while the peer does not
 *   read, so a connection's memory stays bounded.
 * - While nobody calls `recv`, at most 64 KB (`READ_LIMIT`) wait in
 *   memory; then reading pauses and TCP slows the sender down.
 * - A reset rejects with `ConnectionResetError` (code `ECONNRESET`),
 *   other failures with node's own error (`.code`: `ECONNREFUSED`...).
 *   Bytes received before the error are returned first. A socket error
 *   never crashes the process: it waits for the next `recv`/`sendall`.
 * - Sockets are half-open capable: after the peer's end (`recv` gives
 *   an empty Buffer) you can still `sendall`, then `close()`.
 * - `close()` sends what is queued, then closes; `shutdown()` ends
 *   only the sending side (Python's `shutdown(SHUT_WR)`).
 * - Nagle's algorithm is off (TCP_NODELAY): small replies go at once.
 */
import net from "node:net";
import { current, park, show, suspend, wake } from "./task.ts";
import type { Wait } from "./task.ts";

/** Bytes a connection buffers for a task that is not in `recv`. */
export const READ_LIMIT = 64 * 1024;

/** A reset by the peer; Python's `ConnectionResetError`. */
export class ConnectionResetError extends Error {
  override name = "ConnectionResetError";
  readonly code = "ECONNRESET";
  constructor(cause: unknown) {
    super("the peer reset the connection (ECONNRESET)", { cause });
  }
}

/** Using a connection or server after `close()`; Python's EBADF. */
export class SocketClosedError extends Error {
  override name = "SocketClosedError";
  readonly code = "EBADF";
  constructor(what = "connection") {
    super(`the ${what} is closed`);
  }
}

const EMPTY = Buffer.alloc(0);
const DONE = Promise.resolve();
type Waiter<T> = { resolve: (v: T) => void; reject: (e: unknown) => void };

/** One TCP connection: `recv`, `sendall`, `shutdown`, `close`. */
export class Connection {
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Bytes received / handed to `sendall`, for statistics. */
  bytesReceived = 0;
  bytesSent = 0;
  readonly #sock: net.Socket;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #paused = false;
  #eof = false;
  #closed = false;
  #error: Error | undefined;
  // The task waiting in recv: its Wait (see `park`) and its maxBytes.
  // The callback is made once per connection, so that a recv allocates
  // only its Promise and Wait. A kill or Timeout settles the Wait; data
  // that comes later then stays queued for the next recv.
  #reader: Wait<Buffer> | undefined;
  #readerMax = 0;
  readonly #parkReader = (wait: Wait<Buffer>): void => {
    if (this.#buffered > 0) wake(wait, this.#take(this.#readerMax));
    else this.#reader = wait;
    this.#spare = wait;
  };
  // The reader's last Wait, used again by the next recv once it is over.
  #spare: Wait<Buffer> | undefined;
  #writer: Waiter<void> | undefined;

  /** @internal use `connect()` or `Server.accept()`. */
  constructor(sock: net.Socket) {
    this.#sock = sock;
    this.remoteAddress = sock.remoteAddress ?? "";
    this.remotePort = sock.remotePort ?? 0;
    sock.setNoDelay(true);
    sock.on("data", (chunk: Buffer) => this.#onData(chunk));
    sock.on("end", () => this.#onEnd());
    sock.on("drain", () => this.#onDrain());
    sock.on("error", (e: NodeJS.ErrnoException) => this.#fail(e.code === "ECONNRESET" || e.code === "EPIPE" ? new ConnectionResetError(e) : e));
    sock.on("close", () => this.#fail(new SocketClosedError()));
  }

  #onData(chunk: Buffer): void {
    this.bytesReceived += chunk.length;
    const reader = this.#reader;
    // Hot path: a task is waiting and nothing is queued: hand it over.
    if (reader !== undefined && this.#buffered === 0) {
      this.#reader = undefined;
      const max = this.#readerMax;
      if (chunk.length <= max) {
        if (wake(reader, chunk)) return;
      } else if (wake(reader, chunk.subarray(0, max))) chunk = chunk.subarray(max);
    }
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    if (this.#buffered >= READ_LIMIT && !this.#paused) {
      this.#paused = true;
      this.#sock.pause();
    }
  }

  #onEnd(): void {
    this.#eof = true;
    const reader = this.#reader;
    this.#reader = undefined;
    if (reader) wake(reader, EMPTY);
  }

  #onDrain(): void {
    const w = this.#writer;
    this.#writer = undefined;
    w?.resolve();
  }

  #fail(error: Error): void {
    // The first error wins; `close` after `end` is a normal ending.
    if (this.#error === undefined && !(error instanceof SocketClosedError && this.#eof && !this.#closed)) {
      this.#error = error;
    }
    const reader = this.#reader;
    const w = this.#writer;
    this.#reader = this.#writer = undefined;
    if (reader && this.#eof && this.#error === undefined) wake(reader, EMPTY);
    else reader?.interrupt(this.#error as Error); // ends the wait with the error
    w?.reject(this.#error ?? new SocketClosedError());
  }

  #take(max: number): Buffer {
    const first = this.#chunks[0] as Buffer;
    let out: Buffer;
    if (first.length <= max) {
      this.#chunks.shift();
      out = first;
    } else {
      out = first.subarray(0, max);
      this.#chunks[0] = first.subarray(max);
    }
    this.#buffered -= out.length;
    if (this.#paused && this.#buffered < READ_LIMIT) {
      this.#paused = false;
      this.#sock.resume();
    }
    return out;
  }

  /**
   * Waits for data and returns up to `maxBytes` bytes; an empty Buffer
   * means the peer closed its side (end of stream). Rejects with
   * `ConnectionResetError` on a reset. Same as Python's `recv`.
   * @example
   * import { connect } from "./lib/socket.ts";
   * const conn = await connect("127.0.0.1", 8080);
   * await conn.sendall(Buffer.from("hi"));
   * console.log(String(await conn.recv(1024))); // → HI (with 06-server)
   * conn.close();
   */
  recv(maxBytes: number): Promise<Buffer> {
    if (!(Number.isInteger(maxBytes) && maxBytes >= 0)) {
      throw new TypeError(`Expected \`maxBytes\` to be a non-negative integer, got \`${show(maxBytes)}\``);
    }
    // Data already here: return it without parking (unless a kill waits).
    if (this.#buffered > 0 && current().pending === undefined) return Promise.resolve(this.#take(maxBytes));
    if (maxBytes === 0 || (this.#buffered === 0 && this.#eof && this.#error === undefined)) {
      return suspend((resolve) => resolve(EMPTY));
    }
    if (this.#buffered === 0 && this.#error) return suspend((_, reject) => reject(this.#error));
    if (this.#reader && !this.#reader.settled) throw new Error("another task is already waiting in recv() on this connection");
    this.#readerMax = maxBytes;
    return park<Buffer>(this.#parkReader, undefined, this.#spare);
  }

  /**
   * Sends every byte of `data`, waiting while the peer does not read.
   * Same as Python's `sendall` (see the differences above).
   */
  sendall(data: Uint8Array | string): Promise<void> {
    if (this.#error) return suspend((_, reject) => reject(this.#error));
    if (this.#closed || !this.#sock.writable) return suspend((_, reject) => reject(new SocketClosedError()));
    const n = typeof data === "string" ? Buffer.byteLength(data) : data.length;
    this.bytesSent += n;
    if (this.#sock.write(data) && current().pending === undefined) return DONE;
    return suspend<void>((resolve, reject) => {
      if (this.#sock.destroyed) return reject(this.#error ?? new SocketClosedError());
      if (!this.#sock.writableNeedDrain) return resolve();
      this.#writer = { resolve, reject };
      return () => {
        this.#writer = undefined;
      };
    });
  }

  /** Ends the sending side; the peer's `recv` returns empty. Python's `shutdown(SHUT_WR)`. */
  shutdown(): void {
    if (!this.#closed) this.#sock.end();
  }

  /**
   * Sends what is queued, then closes. Never throws; closing twice is
   * fine. A task waiting in `recv`/`sendall` gets `SocketClosedError`.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const sock = this.#sock;
    if (sock.destroyed) return;
    if (sock.writableLength === 0) sock.destroy();
    else {
      sock.end();
      sock.once("finish", () => sock.destroy());
      // A peer that never reads must not keep it open forever.
      setTimeout(() => sock.destroy(), 10_000).unref();
    }
    this.#fail(new SocketClosedError());
  }

  /** Closes at once, dropping unsent bytes (the peer may see a reset). */
  abort(): void {
    this.#closed = true;
    this.#sock.destroy();
    this.#fail(new SocketClosedError());
  }

  /** Starts reading (accepted connections wait paused until `accept`). */
  resume(): void {
    if (!this.#paused) this.#sock.resume();
  }
}

/**
 * Opens a TCP connection; rejects with node's error (`.code` is
 * `ECONNREFUSED` if nothing listens). Python's `create_connection`.
 * @example
 * import { connect } from "./lib/socket.ts";
 * const conn = await connect("127.0.0.1", 8080);
 * conn.close();
 */
export function connect(host: string, port: number): Promise<Connection> {
  checkHost(host);
  checkPort(port);
  return suspend<Connection>((resolve, reject) => {
    const sock = net.connect({ host, port, allowHalfOpen: true, noDelay: true });
    const onError = (e: Error) => reject(e);
    sock.once("error", onError);
    sock.once("connect", () => {
      sock.off("error", onError);
      resolve(new Connection(sock));
    });
    return () => sock.destroy();
  });
}

/** Options of `listen`. */
export interface ListenOptions {
  /** Finished handshakes the kernel queues before `accept` (default 511). */
  backlog?: number;
}

/** A listening socket: `accept()` the next connection, `close()`. */
export class Server {
  readonly #server: net.Server;
  readonly #queue: Connection[] = [];
  #waiter: Waiter<Connection> | undefined;
  #closed = false;

  /** @internal use `listen()`. */
  constructor(server: net.Server) {
    this.#server = server;
    server.on("connection", (sock: net.Socket) => {
      const conn = new Connection(sock);
      const w = this.#waiter;
      this.#waiter = undefined;
      if (w) {
        conn.resume();
        w.resolve(conn);
      } else this.#queue.push(conn);
    });
  }

  /** The address and real port (useful after listening on port 0). */
  address(): { host: string; port: number } {
    const a = this.#server.address() as net.AddressInfo;
    return { host: a.address, port: a.port };
  }

  /** Waits for the next connection. Same as Python's `accept`, minus the address pair. */
  accept(): Promise<Connection> {
    if (this.#closed) return suspend((_, reject) => reject(new SocketClosedError("server")));
    if (this.#waiter) throw new Error("another task is already waiting in accept() on this server");
    return suspend<Connection>((resolve, reject) => {
      const queued = this.#queue.shift();
      if (queued) {
        queued.resume();
        return resolve(queued);
      }
      this.#waiter = { resolve, reject };
      return () => {
        this.#waiter = undefined;
      };
    });
  }

  /** Stops listening and closes connections not yet accepted. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#server.close();
    for (const conn of this.#queue.splice(0)) conn.abort();
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.reject(new SocketClosedError("server"));
  }
}

/**
 * Listens for TCP connections on `host:port` (port 0: any free port).
 * Python's socket() + bind() + listen(backlog), in one call.
 * @example
 * import { listen } from "./lib/socket.ts";
 * const server = await listen("127.0.0.1", 0);
 * console.log(server.address().port > 0); // → true
 * server.close();
 */
export function listen(host: string, port: number, options: ListenOptions = {}): Promise<Server> {
  checkHost(host);
  checkPort(port);
  const { backlog = 511 } = options;
  if (!(Number.isInteger(backlog) && backlog >= 1)) {
    throw new TypeError(`Expected \`backlog\` to be a positive integer, got \`${show(backlog)}\``);
  }
  return suspend<Server>((resolve, reject) => {
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true });
    server.once("error", reject);
    server.listen({ host, port, backlog }, () => {
      server.off("error", reject);
      server.on("error", () => {}); // after listening: reported per connection
      resolve(new Server(server));
    });
    return () => server.close();
  });
}

function checkPort(port: unknown): void {
  if (!(Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65535)) {
    throw new TypeError(`Expected \`port\` to be an integer from 0 to 65535, got \`${show(port)}\``);
  }
}

function checkHost(host: unknown): void {
  if (typeof host !== "string" || host === "") {
    throw new TypeError(`Expected \`host\` to be a host name or IP address, got \`${show(host)}\``);
  }
}
