/**
 * The core of xiecheng: tasks (gevent's greenlets) on one thread.
 *
 * A task runs alone until it awaits a switch point; only there can other
 * tasks run. The switch points are all in this file: `sleep()`, `join()`,
 * `task.get()`, and the socket's `listen()`, `connect()`, `accept()`,
 * `recv()` and `sendall()` (when the peer reads slowly). Each of them calls
 * `park()`, the one place where a task stops: its state is saved in its
 * paused async function, and it goes on when something calls `wake()` (a
 * timer, a socket, a task that ended) or `interrupt()` (a kill, a Timeout).
 * New tasks and `sleep(0)` wake-ups wait their turn in one run queue, first
 * in first out: the `hub()`, as gevent's loop runs its callbacks. A switch
 * point that nobody awaits switches nothing: see `Task.end()`.
 *
 * Read this file first. kill.ts, timeout.ts, joinall.ts, pool.ts and
 * reports.ts are built on it; index.ts exports them all.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { readFileSync, readdirSync } from "node:fs";
import net from "node:net";
import { nextTick } from "node:process";

/** Thrown into a task by `kill()`; like gevent's GreenletExit, not a failure. */
export class TaskExit extends Error {
  override name = "TaskExit";
  override message = "the task was killed";
  /** @internal Switch points the killed task reached after it was sent. */
  parks = 0;
}

/** @internal What a kill or a Timeout interrupts: a task, or a part of one. */
export class Scope {
  readonly task: Task;
  readonly parent: Scope | undefined;
  /** An interrupt kept for the next switch point inside the scope. */
  pending: Error | undefined = undefined;
  constructor(parent: Scope | undefined) {
    this.parent = parent;
    this.task = parent ? parent.task : (this as Scope as Task);
  }
  holds(scope: Scope | undefined): boolean {
    while (scope && scope !== this) scope = scope.parent;
    return scope === this;
  }
}

type Fn = (...args: unknown[]) => unknown;
type Callback = (task: Task) => void;

/** A function run concurrently by `spawn`; gevent's Greenlet. */
export class Task<T = unknown> extends Scope {
  #name: string | number; // a number until read: a million tasks need no strings
  /** What the function returned; what it threw (a kill is no failure). */
  value: T | undefined = undefined;
  exception: unknown = undefined;
  /** Whether a kill ended it. */
  killed = false;
  #state: "new" | "running" | "over";
  #fn: Fn | undefined;
  #args: unknown[] | undefined;
  #onDone: Callback | Callback[] | undefined; // one or several, for memory
  /** @internal The waits the task is parked in: none, one or several. */
  waits: Wait<never> | Wait<never>[] | undefined;
  /** @internal The TaskExit a kill sent it (kill.ts). */
  exit: TaskExit | undefined = undefined;

  /** @internal use `spawn()`. */
  constructor(name: string | number, fn?: Fn, args?: unknown[]) {
    super(undefined);
    this.#name = name;
    this.#fn = fn;
    this.#args = args;
    this.#state = fn ? "new" : "running"; // MainTask runs from the start
  }

  /** `Task-1`, `Task-2`... in spawn order; `MainTask` outside any task. */
  get name(): string {
    if (typeof this.#name === "number") this.#name = `Task-${this.#name}`;
    return this.#name;
  }
  set name(name: string) {
    this.#name = name;
  }
  /** The spawned function's name, for reports. */
  get fnName(): string {
    return this.#fn?.name || "anonymous";
  }
  /** True once the task has returned, failed or been killed. */
  ready(): boolean {
    return this.#state === "over";
  }
  /** True once the task has left the run queue (it ran, or was killed). */
  started(): boolean {
    return this.#state !== "new";
  }
  /** True if the task is over without an exception (a kill counts). */
  successful(): boolean {
    return this.ready() && this.exception === undefined;
  }

  /** Waits for the task (a switch point); its value, or its error. */
  async get(): Promise<T> {
    if (!this.ready()) await join(this);
    if (this.killed) throw new TaskExit();
    if (this.exception !== undefined) throw this.exception;
    return this.value as T;
  }

  /** @internal Calls `fn(task)` once the task is over. */
  onDone(fn: Callback): void {
    const list = this.#onDone;
    if (this.ready()) fn(this as Task);
    else if (list === undefined) this.#onDone = fn;
    else if (typeof list === "function") this.#onDone = [list, fn];
    else list.push(fn);
  }
  /** @internal Forgets `fn` (a join that gave up). */
  offDone(fn: Callback): void {
    const list = this.#onDone;
    if (list === fn) this.#onDone = undefined;
    else if (Array.isArray(list) && list.includes(fn))
      list.splice(list.indexOf(fn), 1);
  }

  /** @internal Run by the hub: calls the function in the task's scope. */
  start(): void {
    if (this.#state !== "new") return; // killed before it started
    this.#state = "running";
    observer()?.start?.(this as Task);
    scope.run(this, Task.#run, this as Task); // no closure per task
  }
  static #run(task: Task): void {
    try {
      const result = task.#fn!(...task.#args!); // `this` in fn: undefined
      if (typeof (result as PromiseLike<unknown>)?.then !== "function")
        return task.end(result);
      Promise.resolve(result).then(Task.#returned, Task.#failed);
    } catch (error) {
      task.end(undefined, error ?? new Error(String(error)));
    }
  }
  static #returned(value: unknown): void {
    current().end(value);
  }
  static #failed(error: unknown): void {
    current().end(undefined, error ?? new Error(String(error)));
  }

  /** @internal Ends the task, tells who waits for it. */
  end(value: unknown, error?: unknown): void {
    if (this.#state === "over") return;
    if (error instanceof TaskExit) this.killed = true;
    else if (error === undefined) this.value = value as T;
    else reports.failed(this as Task, (this.exception = error));
    this.#state = "over";
    // It returned while a sleep or join of its own still waits: most
    // likely an `await` forgotten (`sleep(3000)` alone waits for nothing).
    if (error === undefined && this.waits !== undefined) {
      const left = waitsOf(this as Task).find(
        (w) => w.due !== Infinity || Array.isArray(w.on),
      );
      const source = left && String(this.#fn); // once for all tasks of it
      if (left && !forgetful.has(source!)) {
        forgetful.add(source!);
        const what = left.due !== Infinity ? "sleep" : "join";
        reports.leftWaiting(this as Task, what);
      }
    }
    observer()?.end?.(this as Task);
    this.#fn = this.#args = undefined;
    const list = this.#onDone;
    this.#onDone = undefined;
    if (typeof list === "function") list(this as Task);
    else for (const f of list ?? []) f(this as Task);
  }
}

// The functions (by their source) whose tasks were reported for a
// forgotten await.
const forgetful = new Set<string>();

/**
 * What the core reports, one line each on stderr; reports.ts says more
 * (where a failure was thrown, who waits for whom in a deadlock).
 */
export const reports = {
  /** A task failed: gevent's hub prints it at once, joined or not. */
  failed(task: Task, error: unknown): void {
    const e =
      error instanceof Error ? `${error.name}: ${error.message}` : error;
    console.error(`${task.name} (${task.fnName}) failed with ${String(e)}`);
  },
  /** A killed task caught its TaskExit and went on: it is stopped. */
  caughtExit(task: Task): void {
    console.error(`${task.name} (${task.fnName}) ${CAUGHT}`);
  },
  /** A task returned while its own sleep or join still waited. */
  leftWaiting(task: Task, what: "sleep" | "join"): void {
    console.error(
      `${task.name} (${task.fnName}) returned while a ${what} of its own ` +
        "still waited: a forgotten await?",
    );
  },
};
const CAUGHT =
  "caught its TaskExit and went on: stopped; rethrow TaskExit in catch blocks";

/** Told of each step of every task (the demos' timeline uses it). */
export type TaskObserver = {
  [K in "spawn" | "start" | "park" | "resume" | "end"]?: (
    task: Task,
    ms?: number,
  ) => void;
};
// One slot per process, not per copy of this file: an observer sees the
// tasks of every copy of the lib that a program loads.
const shared = ((globalThis as Record<symbol, unknown>)[
  Symbol.for("xiecheng.observer")
] ??= {}) as { observer?: TaskObserver | undefined };
const observer = () => shared.observer;
/** Installs (or, with `undefined`, removes) the observer of all tasks. */
export const setTaskObserver = (o: TaskObserver | undefined): void =>
  void (shared.observer = o);

// The scope of the running code, carried across every `await` (and into
// the callbacks it sets up) by the runtime's AsyncLocalStorage.
const scope = new AsyncLocalStorage<Scope>();
/** @internal The task of the code outside any task. */
export const MAIN = new Task("MainTask");
/** @internal The scope of the running code; MainTask outside any task. */
export const currentScope = (): Scope => scope.getStore() ?? MAIN;
/** @internal Runs `fn` inside `s`. */
export const runIn = <T>(s: Scope, fn: () => T): T => scope.run(s, fn);
/** @internal Puts the rest of the running code, and what it awaits, in `s`. */
export const enterScope = <S extends Scope>(s: S): S => (scope.enterWith(s), s);

/**
 * The task that is running now; `MainTask` outside any task. gevent's
 * `getcurrent()` (the note prints `current_thread().name`).
 * @example
 * import { current, spawn, sleep } from "./lib/core.ts";
 * spawn(async () => {
 *   await sleep(10);
 *   console.log(current().name); // → Task-1
 * });
 * console.log(current().name); // → MainTask
 */
export function current(): Task {
  return currentScope().task;
}

// The hub's run queue: tasks to start and sleep(0) wake-ups, first in
// first out. A turn runs what was queued before it began: the starts in
// a row (each task runs to its first switch point); after a wake-up it
// ends early, so that the woken task runs before the next item, as a
// switch to that greenlet would. What a turn queues waits for the next.
const queue: (Task | Wait<void>)[] = [];
let head = 0;
function schedule(item: Task | Wait<void>): void {
  if (queue.push(item) - head === 1) setImmediate(hub);
}
function hub(): void {
  const end = queue.length;
  while (head < end) {
    const item = queue[head++]!;
    if (item instanceof Task) item.start();
    else if (wake(item, undefined) && head < end) break;
  }
  if (head === queue.length) return void (queue.length = head = 0);
  if (head * 2 > queue.length) {
    queue.splice(0, head); // a long run of turns keeps the queue short
    head = 0;
  }
  setImmediate(hub);
}

let lastId = 0;
/**
 * Runs `fn(...args)` as a new task and returns its `Task` at once. As
 * with `gevent.spawn`, it starts when the spawner reaches a switch
 * point, so the spawner's next lines run first; tasks start in order.
 * @example
 * import { spawn, join } from "./lib/core.ts";
 * const t = spawn((a: number, b: number) => a + b, 2, 3);
 * console.log("spawned"); // → spawned (printed first)
 * await join(t);
 * console.log(t.value); // → 5
 */
export function spawn<A extends unknown[], R>(
  fn: (...args: A) => R,
  ...args: A
): Task<Awaited<R>> {
  expect(typeof fn === "function", "fn", "a function", fn);
  const task = new Task<Awaited<R>>(++lastId, fn as Fn, args);
  schedule(task as Task);
  observer()?.spawn?.(task as Task);
  return task;
}

/** @internal One parked wait: how to wake or undo it, and what it is for. */
export class Wait<T> {
  readonly scope: Scope;
  readonly resolve: (value: T) => void;
  readonly reject: (error: unknown) => void;
  /** The tasks a join waits for; or a word on what the wait is for. */
  readonly on: Task[] | string | undefined;
  /** Undoes the wake-up: a function, or the alarm of a sleep. */
  cancel: (() => void) | Alarm | undefined = undefined;
  over = false;
  constructor(scope: Scope, on: Task[] | string | undefined) {
    this.scope = scope;
    this.resolve = resolved as (value: T) => void;
    this.reject = rejected;
    this.on = on;
  }
  /** When a sleep ends (see `now()`); Infinity for other waits. */
  get due(): number {
    return this.cancel instanceof Alarm ? this.cancel.due : Infinity;
  }

  /** Marks the wait over (once): the task is no longer parked in it. */
  settle(): boolean {
    if (this.over) return false;
    this.over = true;
    const task = this.scope.task;
    const ws = task.waits;
    if (!Array.isArray(ws)) task.waits = undefined;
    else if (ws.length > 2) task.waits = ws.filter((w) => w !== this);
    else task.waits = ws.find((w) => w !== this);
    observer()?.resume?.(task);
    return true;
  }

  /** Ends the wait with `error`, undoing its wake-up. */
  interrupt(error: Error): void {
    if (!this.settle()) return;
    if (typeof this.cancel === "function") this.cancel();
    else this.cancel?.drop();
    this.reject(error);
  }
}

// One executor for every wait's promise, not a closure per wait (nor an
// array: a wait is made at every switch).
let resolved: (value: never) => void;
let rejected: (error: unknown) => void;
function capture(
  resolve: (value: never) => void,
  reject: (error: unknown) => void,
): void {
  resolved = resolve;
  rejected = reject;
}

/**
 * @internal The one place where a task stops. Parks the running code
 * until `start(wait)`'s arrangement calls `wake(wait, value)`, or an
 * interrupt ends it; an interrupt kept for this scope is thrown at once.
 */
export function park<T>(
  start: (wait: Wait<T>) => void,
  ms?: number,
  on?: Task[] | string,
): Promise<T> {
  const here = currentScope();
  for (let s: Scope | undefined = here; s; s = s.parent) {
    const error = s.pending;
    if (error) return ((s.pending = undefined), Promise.reject(error));
  }
  const task = here.task;
  // A killed task may switch in its `finally` blocks; a second switch
  // point means a catch-all swallowed its TaskExit. It stops here.
  if (task.exit && task.exit.parks++ > 0 && !task.ready()) {
    reports.caughtExit(task);
    task.end(undefined, task.exit);
    return new Promise<T>(() => {});
  }
  const promise = new Promise<T>(capture);
  const wait = new Wait<T>(here, on);
  const ws = task.waits as Wait<T> | Wait<T>[] | undefined;
  if (ws === undefined) task.waits = wait as Wait<never>;
  else task.waits = [...(Array.isArray(ws) ? ws : [ws]), wait] as never;
  observer()?.park?.(task, ms);
  start(wait);
  return promise;
}

/** @internal Whether an interrupt waits for the running code's next switch. */
export function interrupted(): boolean {
  for (let s: Scope | undefined = currentScope(); s; s = s.parent)
    if (s.pending) return true;
  return false;
}

/** @internal Ends `wait` with `value` unless it is over; says if it did. */
export const wake = <T>(wait: Wait<T>, value: T): boolean =>
  wait.settle() && (wait.resolve(value), true);

/** @internal The waits `task` is parked in. */
export const waitsOf = (task: Task): Wait<never>[] =>
  Array.isArray(task.waits) ? [...task.waits] : task.waits ? [task.waits] : [];

/**
 * @internal Throws `error` into the waits inside `scope`, or keeps it
 * for its next switch point. A sleep there due by `due` (a Timeout's)
 * ends first, as in gevent; the error then waits for the next one.
 */
export function interrupt(scope: Scope, error: Error, due = -Infinity): void {
  const late = waitsOf(scope.task).filter(
    (w) => scope.holds(w.scope) && w.due > due,
  );
  if (late.length === 0) scope.pending = error;
  else for (const w of late) w.interrupt(error);
}

// gevent reads the clock once per loop turn, so timers set in one go
// share a start even if the OS paused the thread in between; so do we.
let tick: number | undefined;
/** @internal The time (ms) when the running stretch of code began. */
export function now(): number {
  if (tick === undefined) queueMicrotask(() => (tick = undefined));
  return (tick ??= performance.now());
}

/**
 * Pauses the running task for `ms` milliseconds while others run;
 * `sleep(0)` lets every task already in the run queue go first (unlike
 * `await Promise.resolve()`). `gevent.sleep(seconds)`, in ms.
 * @example
 * import { sleep } from "./lib/core.ts";
 * await sleep(100); // about 100 ms later
 */
export function sleep(ms = 0): Promise<void> {
  checkMs(ms, "ms");
  sleeping = ms; // for the one starter function: no closure per call
  return park<void>(startSleep, ms);
}
let sleeping = 0;
function startSleep(wait: Wait<void>): void {
  const ms = sleeping;
  if (ms === 0) return schedule(wait);
  const start = now();
  if (alarm?.due !== start + ms) alarm = new Alarm(start + ms, ms);
  alarm.add(wait);
}

// Sleeps of one length that begin in one stretch of code (one `now()`)
// end together, so they share one timer, an alarm: a million tasks that
// sleep at once cost one timer, not a million. When it rings, its sleeps
// wake one at a time, in the order they began, and each only after the
// task woken before it has run to its next switch point, as separate
// timers (and gevent) would have it. Node runs a process.nextTick queued
// from a microtask only once no microtask is left: that is the signal.
let alarm: Alarm | undefined;
class Alarm {
  readonly due: number;
  readonly #waits: (Wait<void> | undefined)[] = [];
  #next = 0;
  #live = 0;
  readonly #timer: NodeJS.Timeout;
  readonly #later = () => nextTick(Alarm.#wakeNext, this);
  constructor(due: number, ms: number) {
    this.due = due;
    this.#timer = setTimeout(Alarm.#ring, ms, this);
  }
  add(wait: Wait<void>): void {
    this.#waits.push(wait);
    this.#live++;
    wait.cancel = this;
  }
  /** A sleep of it was interrupted; with none left, the timer goes. */
  drop(): void {
    if (--this.#live > 0) return;
    clearTimeout(this.#timer);
    if (alarm === this) alarm = undefined;
  }
  static #ring(current: Alarm): void {
    if (alarm === current) alarm = undefined; // no sleep joins it now
    Alarm.#wakeNext(current);
  }
  static #wakeNext(alarm: Alarm): void {
    const waits = alarm.#waits;
    while (alarm.#next < waits.length) {
      const wait = waits[alarm.#next]!;
      waits[alarm.#next++] = undefined;
      if (!wake(wait, undefined)) continue;
      if (--alarm.#live > 0) queueMicrotask(alarm.#later);
      return;
    }
  }
}

/**
 * Waits until `task` is over, or `timeoutMs` has passed; resolves to
 * `task.ready()`. Never throws the task's error (`get()` does).
 * @example
 * import { join, sleep, spawn } from "./lib/core.ts";
 * console.log(await join(spawn(sleep, 50), 10)); // → false
 */
export function join(task: Task, timeoutMs?: number): Promise<boolean> {
  expect(task instanceof Task, "task", "a Task", task);
  if (timeoutMs !== undefined) checkMs(timeoutMs, "timeoutMs");
  return park<boolean>(
    (wait) => {
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(
              () => wake(wait, false) && task.offDone(done),
              timeoutMs,
            );
      const done = () => wake(wait, true) && clearTimeout(timer);
      wait.cancel = () => (clearTimeout(timer), task.offDone(done));
      task.onDone(done);
    },
    undefined,
    [task],
  );
}

/** @internal Throws ``TypeError: Expected `name` to be <want>, got `value` ``. */
export function expect(
  ok: boolean,
  name: string,
  want: string,
  value: unknown,
): void {
  if (ok) return;
  const shown =
    typeof value === "function"
      ? `function ${value.name || "anonymous"}`
      : Array.isArray(value)
        ? "array"
        : typeof value === "object" && value !== null
          ? "object"
          : typeof value === "string"
            ? JSON.stringify(value)
            : String(value);
  throw new TypeError(`Expected \`${name}\` to be ${want}, got \`${shown}\``);
}

/** @internal Checks a time in ms (a timer takes at most 2^31 - 1). */
export function checkMs(ms: unknown, name: string): void {
  const want = "a non-negative number of milliseconds";
  expect(typeof ms === "number" && ms >= 0, name, want, ms);
  const max = "at most 2147483647 ms (about 24.8 days)";
  expect((ms as number) <= 2 ** 31 - 1, name, max, ms);
}

// ---------------------------------------------------------------------
// The switching socket: Python's `socket` as gevent patches it, over
// node:net. Every wait (`accept`, `recv`, `sendall`, `connect`) is a
// switch point that a kill or Timeout can end. A socket error never
// crashes the process: the next `recv` or `sendall` throws it, after the
// bytes that came before.

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
let parking: Connection;

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
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    parking = this; // for the one parker function: no closure per call
    return park<Buffer>(Connection.#parkReader);
  }

  static #parkReader(wait: Wait<Buffer>): void {
    const conn = parking;
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
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    parking = this; // for the one parker function: no closure per call
    return park<void>(Connection.#parkWriter);
  }

  static #parkWriter(wait: Wait<void>): void {
    const conn = parking;
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
