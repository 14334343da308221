/**
 * Sockets: Python's `socket` (as gevent patches it), over node:net.
 *
 * `listen()` gives a server whose `accept()` waits for a connection;
 * `connect()` opens one. A connection has `recv(maxBytes)`,
 * `sendall(bytes)`, `shutdown()` and `close()`. Every wait is a switch
 * point: other tasks run meanwhile, and `kill()` or a Timeout ends it.
 *
 * Differences from Python's socket:
 * - Waits return Promises: `await conn.recv(1024)`.
 * - `listen(host, port, { backlog })` is socket + bind + listen.
 * - `accept()` returns the connection alone (its peer is
 *   `conn.remoteAddress`/`remotePort`), not a `(conn, address)` pair.
 * - `sendall` resolves once node:net holds the bytes and its buffer is
 *   below 16 KB; it waits while the peer does not read.
 * - At most 64 KB (`READ_LIMIT`) wait unread; then reading pauses and
 *   TCP slows the sender down.
 * - A reset is `ConnectionResetError`; bytes received before an error
 *   are returned first. A socket error never crashes the process.
 * - Only one task at a time may wait in `recv` (or `accept`).
 */
import net from "node:net";
import { type Wait, park, show, wake } from "./wait.ts";

/** Bytes a connection holds for a task that is not in `recv`. */
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
const busy = (what: string) => new Error(`another task is already waiting in ${what}`);

/** One TCP connection. */
export class Connection {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly #sock: net.Socket;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #eof = false;
  #closed = false;
  #error: Error | undefined;
  #reader: Wait<Buffer> | undefined;
  #max = 0;
  #writer: Wait<void> | undefined;

  /** @internal use `connect()` or `Server.accept()`. */
  constructor(sock: net.Socket) {
    this.#sock = sock;
    this.remoteAddress = sock.remoteAddress ?? "";
    this.remotePort = sock.remotePort ?? 0;
    sock.setNoDelay(true);
    sock.on("data", (chunk: Buffer) => {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
      if (this.#buffered >= READ_LIMIT) sock.pause();
      this.#feed();
    });
    sock.on("end", () => {
      this.#eof = true;
      this.#feed();
    });
    sock.on("drain", () => this.#writer && wake(this.#writer, undefined));
    sock.on("error", (e: NodeJS.ErrnoException) => {
      this.#error ??= e.code === "ECONNRESET" || e.code === "EPIPE" ? new ConnectionResetError(e) : e;
    });
    sock.on("close", () => {
      if (!this.#eof) this.#error ??= new SocketClosedError();
      this.#eof = true;
      this.#feed();
      if (this.#writer) this.#writer.interrupt(this.#error ?? new SocketClosedError());
    });
  }

  // Hands what is there (data, then the end or the error) to the
  // task waiting in recv, if any.
  #feed(): void {
    const wait = this.#reader;
    if (wait === undefined || wait.over) return;
    if (this.#buffered === 0 && !this.#eof && !this.#closed) return;
    this.#reader = undefined;
    if (this.#buffered > 0) wake(wait, this.#take(this.#max));
    else if (this.#error) wait.interrupt(this.#error);
    else wake(wait, EMPTY);
  }

  #take(max: number): Buffer {
    const first = this.#chunks[0]!;
    const out = first.length <= max ? first : first.subarray(0, max);
    if (out === first) this.#chunks.shift();
    else this.#chunks[0] = first.subarray(max);
    this.#buffered -= out.length;
    if (this.#buffered < READ_LIMIT && this.#sock.isPaused() && !this.#closed) this.#sock.resume();
    return out;
  }

  /**
   * Waits for data and returns up to `maxBytes` bytes; an empty Buffer
   * means the peer has closed its side. Python's `recv`.
   * @example
   * import { connect } from "./lib/index.ts";
   * const conn = await connect("127.0.0.1", 8080);
   * await conn.sendall("hi");
   * console.log(String(await conn.recv(1024))); // → HI (with 06-server)
   * conn.close();
   */
  recv(maxBytes: number): Promise<Buffer> {
    if (!(Number.isInteger(maxBytes) && maxBytes >= 0)) {
      throw new TypeError(`Expected \`maxBytes\` to be a non-negative integer, got \`${show(maxBytes)}\``);
    }
    if (this.#reader && !this.#reader.over) throw busy("recv() on this connection");
    return park<Buffer>((wait) => {
      if (maxBytes === 0) return void wake(wait, EMPTY);
      this.#reader = wait;
      this.#max = maxBytes;
      this.#feed();
    });
  }

  /** Sends every byte of `data`, waiting while the peer does not read. Python's `sendall`. */
  sendall(data: Uint8Array | string): Promise<void> {
    return park<void>((wait) => {
      const sock = this.#sock;
      if (this.#closed || sock.destroyed || this.#error) return wait.interrupt(this.#error ?? new SocketClosedError());
      if (sock.write(data)) return void wake(wait, undefined);
      this.#writer = wait;
    });
  }

  /** Ends the sending side; the peer's `recv` returns empty. Python's `shutdown(SHUT_WR)`. */
  shutdown(): void {
    if (!this.#closed) this.#sock.end();
  }

  /** Sends what is queued, then closes. Never throws; a waiting `recv` gets `SocketClosedError`. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#error ??= new SocketClosedError();
    const sock = this.#sock;
    if (sock.writableLength === 0) sock.destroy();
    else {
      sock.end(() => sock.destroy());
      // A peer that never reads must not keep it open for ever.
      setTimeout(() => sock.destroy(), 10_000).unref();
    }
    this.#feed();
  }

  /** Closes at once, dropping unsent bytes (the peer may see a reset). */
  abort(): void {
    this.close();
    this.#sock.destroy();
  }

  /** @internal starts reading (accepted connections wait paused). */
  resume(): void {
    if (this.#buffered < READ_LIMIT) this.#sock.resume();
  }
}

/**
 * Opens a TCP connection; rejects with node's error (`.code` is
 * `ECONNREFUSED` if nothing listens). Python's `create_connection`.
 */
export function connect(host: string, port: number): Promise<Connection> {
  checkAddress(host, port);
  return park<Connection>((wait) => {
    const sock = net.connect({ host, port, allowHalfOpen: true });
    sock.once("error", (e) => wait.interrupt(e));
    sock.once("connect", () => wake(wait, new Connection(sock)) || sock.destroy());
    wait.cancel = () => sock.destroy();
  });
}

/** A listening socket: `accept()` the next connection, `close()`. */
export class Server {
  readonly #server: net.Server;
  readonly #queue: Connection[] = [];
  #waiter: Wait<Connection> | undefined;
  #closed = false;

  /** @internal use `listen()`. */
  constructor(server: net.Server) {
    this.#server = server;
    server.on("connection", (sock: net.Socket) => {
      this.#queue.push(new Connection(sock));
      this.#feed();
    });
  }

  #feed(): void {
    const wait = this.#waiter;
    if (wait === undefined || wait.over) return;
    if (this.#closed) return wait.interrupt(new SocketClosedError("server"));
    const conn = this.#queue.shift();
    if (conn) {
      this.#waiter = undefined;
      wake(wait, conn);
      conn.resume();
    }
  }

  /** The address and real port (useful after listening on port 0). */
  address(): { host: string; port: number } {
    const a = this.#server.address() as net.AddressInfo;
    return { host: a.address, port: a.port };
  }

  /** Waits for the next connection. Python's `accept`, minus the address pair. */
  accept(): Promise<Connection> {
    if (this.#waiter && !this.#waiter.over) throw busy("accept() on this server");
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
    for (const conn of this.#queue.splice(0)) conn.abort();
    this.#feed();
  }
}

/** Options of `listen`. */
export interface ListenOptions {
  /** Finished handshakes the kernel queues before `accept` (default 511). */
  backlog?: number;
}

/**
 * Listens for TCP connections on `host:port` (port 0: any free port).
 * Python's socket() + bind() + listen(backlog), in one call.
 * @example
 * import { listen } from "./lib/index.ts";
 * const server = await listen("127.0.0.1", 0);
 * console.log(server.address().port > 0); // → true
 * server.close();
 */
export function listen(host: string, port: number, options: ListenOptions = {}): Promise<Server> {
  checkAddress(host, port);
  const { backlog = 511 } = options;
  if (!(Number.isInteger(backlog) && backlog >= 1)) {
    throw new TypeError(`Expected \`backlog\` to be a positive integer, got \`${show(backlog)}\``);
  }
  return park<Server>((wait) => {
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
    server.once("error", (e) => wait.interrupt(e));
    server.listen({ host, port, backlog }, () => {
      server.on("error", () => {}); // after listening: errors belong to connections
      wake(wait, new Server(server));
    });
    wait.cancel = () => server.close();
  });
}

function checkAddress(host: unknown, port: unknown): void {
  if (typeof host !== "string" || host === "") {
    throw new TypeError(`Expected \`host\` to be a host name or IP address, got \`${show(host)}\``);
  }
  if (!(Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65535)) {
    throw new TypeError(`Expected \`port\` to be an integer from 0 to 65535, got \`${show(port)}\``);
  }
}
