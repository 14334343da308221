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
 * in first out: the `hub()`, as gevent's loop runs its callbacks.
 *
 * Read this file first. kill.ts, timeout.ts, joinall.ts, pool.ts and
 * reports.ts are built on it; index.ts exports them all.
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** Thrown into a task by `kill()`; like gevent's GreenletExit, not a failure. */
export class TaskExit extends Error {
  override name = "TaskExit";
  override message = "the task was killed";
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
    scope.run(this, () => {
      try {
        const result = this.#fn!(...this.#args!); // `this` in fn: undefined
        if (typeof (result as PromiseLike<unknown>)?.then !== "function")
          return this.end(result);
        Promise.resolve(result).then(Task.#returned, Task.#failed);
      } catch (error) {
        this.end(undefined, error ?? new Error(String(error)));
      }
    });
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
    observer()?.end?.(this as Task);
    this.#fn = this.#args = undefined;
    const list = this.#onDone;
    this.#onDone = undefined;
    if (typeof list === "function") list(this as Task);
    else for (const f of list ?? []) f(this as Task);
  }
}

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
};

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
  /** Undoes the wake-up: a function, or a timer to clear. */
  cancel: (() => void) | NodeJS.Timeout | undefined = undefined;
  due = Infinity; // when a sleep ends (see `now()`)
  over = false;
  constructor(scope: Scope, on: Task[] | string | undefined) {
    this.scope = scope;
    [this.resolve, this.reject] = captured as [(value: T) => void, never];
    this.on = on;
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
    else clearTimeout(this.cancel);
    this.reject(error);
  }
}

// One executor for every wait's promise, not a closure per wait.
let captured: [(value: never) => void, (error: unknown) => void];
const capture = (
  resolve: (value: never) => void,
  reject: (error: unknown) => void,
) => void (captured = [resolve, reject]);

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
  const promise = new Promise<T>(capture);
  const wait = new Wait<T>(here, on);
  const task = here.task;
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
  return park<void>((wait) => {
    if (ms === 0) return schedule(wait);
    wait.due = now() + ms;
    wait.cancel = setTimeout(wake, ms, wait, undefined);
  }, ms);
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
