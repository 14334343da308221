/**
 * Tasks: gevent's greenlets, written with async/await.
 *
 * `spawn` starts a function as a task on the one JavaScript thread.
 * A task runs until it reaches a switch point (`await sleep()`,
 * `await join()`, a socket wait, ...); then another ready task runs.
 * That is "concurrency = switching + saving state", done by the
 * program: the saved state is the paused async function.
 *
 * Differences from gevent:
 * - Times are in milliseconds, not seconds.
 * - Every switch point is marked with `await`, so nothing needs
 *   monkey-patching, and code without `await` never switches.
 * - `join()` returns whether the task finished (gevent returns None).
 * - A Task is not awaitable itself: `await task.get()` (a thenable
 *   Task would be unwrapped by every `async` function returning it).
 * - A pending timer keeps Node alive; gevent's main exits at its end.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { clearImmediate, setImmediate } from "node:timers";
import * as v8 from "node:v8";

/** Thrown into a task by `kill()`; like gevent's GreenletExit it is not a failure. */
export class TaskExit extends Error {
  override name = "TaskExit";
  constructor() {
    super("the task was killed");
  }
}

/**
 * Called at every step of a task's life; used by the timeline and the
 * blocking detector. `undefined` (the default) costs one check per step.
 */
export interface TaskObserver {
  spawn?(task: Task): void;
  start?(task: Task): void;
  /** The task reached a switch point and waits (`ms`: for how long, when known, e.g. `sleep`). */
  park?(task: Task, ms?: number): void;
  /** The wait is over: the task will run again. */
  resume?(task: Task): void;
  end?(task: Task): void;
}
let observer: TaskObserver | undefined;

/** Installs (or, with `undefined`, removes) the observer of all tasks. */
export function setTaskObserver(o: TaskObserver | undefined): void {
  observer = o;
}

// Which task runs now, for `current()`. On Node, V8's promise hooks
// carry the task from the code that creates a promise to the code that
// runs when it settles: what AsyncLocalStorage does for promises,
// without the async ids it gives every promise on Node 20 (memory and
// time on each one). Code run by a plain callback (a timer, an event)
// is outside any task, as in gevent, where callbacks run in the hub.
// Where V8's hooks are missing (Deno, Bun): AsyncLocalStorage.
const TASK = Symbol("task");
let running: Task | undefined;

function trackPromises(): boolean {
  try {
    const hooks = v8.promiseHooks;
    type Tagged = Promise<unknown> & { [TASK]?: Task };
    hooks.onInit((promise: Tagged) => {
      if (running) promise[TASK] = running;
    });
    hooks.onBefore((promise: Tagged) => {
      running = promise[TASK];
    });
    hooks.onAfter(() => {
      running = undefined;
    });
    // Some runtimes have the API but never call the hooks: check.
    running = MAIN;
    const probe: Tagged = Promise.resolve();
    running = undefined;
    return probe[TASK] === MAIN;
  } catch {
    return false;
  }
}

let lastId = 0;
const NO_ARGS: unknown[] = [];

/** A function run concurrently by `spawn`; see gevent's Greenlet. */
export class Task<T = unknown> {
  // A number until someone reads `name`: 1,000,000 tasks need no strings.
  #name: string | number;
  /** The function's return value, once it has returned. */
  value: T | undefined = undefined;
  /** What the function threw, if it failed (a kill is not a failure). */
  exception: unknown = undefined;
  // "killed" is a way of being done; kept in the state, not a field of
  // its own (a million tasks, eight bytes each).
  #state: "pending" | "running" | "done" | "killed" = "pending";
  #fn: ((...args: never[]) => unknown) | undefined;
  // The arguments: an array, or (the common case, one argument that is
  // not an array) the argument itself, so that no array stays alive.
  #args: unknown;
  #onDone: ((task: Task) => void) | ((task: Task) => void)[] | undefined;
  /** @internal the waits this task is parked in (one, or several). */
  waiting: Wait<never> | Set<Wait<never>> | undefined;
  /** @internal an interrupt to deliver at the next switch point. */
  pending: Error | undefined;

  /** @internal use `spawn()`. */
  constructor(name: string | number, fn?: (...args: never[]) => unknown, args?: unknown[]) {
    this.#name = name;
    this.#fn = fn;
    this.#args = args === undefined || args.length === 0 ? NO_ARGS : args.length === 1 && !Array.isArray(args[0]) ? args[0] : args;
  }

  /** `Task-1`, `Task-2`, ... in spawn order; `MainTask` outside any task. */
  get name(): string {
    const name = this.#name;
    return typeof name === "string" ? name : (this.#name = `Task-${name}`);
  }

  set name(name: string) {
    this.#name = name;
  }

  /** The name of the spawned function, for reports. */
  get fnName(): string {
    return this.#fn?.name || "anonymous";
  }

  /** True once `kill()` ended the task. */
  get killed(): boolean {
    return this.#state === "killed";
  }

  /** True once the task has returned, failed or been killed. */
  ready(): boolean {
    return this.#state === "done" || this.#state === "killed";
  }

  /** True if the task finished without an exception (a kill counts as success, as in gevent). */
  successful(): boolean {
    return this.ready() && this.exception === undefined;
  }

  /** True once the task has left the start queue: it has run, or was killed before it could. */
  started(): boolean {
    return this.#state !== "pending";
  }

  /**
   * Waits for the task, then returns its value or throws its error.
   * Getting a killed task throws its `TaskExit`.
   */
  async get(): Promise<T> {
    if (!this.ready()) await join(this);
    if (this.killed) throw new TaskExit();
    if (this.exception !== undefined) throw this.exception;
    return this.value as T;
  }

  /**
   * Ends the task at its next switch point: its `await` throws
   * `TaskExit`, its `finally` blocks run. A task that has not started
   * never runs. Resolves once the task is over; never rejects.
   */
  kill(): Promise<void> {
    if (this.#state === "pending") {
      this.finish(true);
    } else if (this.#state === "running") {
      this.interrupt(new TaskExit());
    }
    return join(this).then(() => undefined);
  }

  /** @internal throws `error` at the task's current or next switch point. */
  interrupt(error: Error): void {
    const w = this.waiting;
    if (w === undefined) this.pending = error;
    else if (w instanceof Set) for (const wait of [...w]) wait.interrupt(error);
    else w.interrupt(error);
  }

  /** @internal calls `fn(task)` once the task is over. */
  onDone(fn: (task: Task) => void): void {
    const list = this.#onDone;
    if (this.ready()) fn(this as Task);
    else if (list === undefined) this.#onDone = fn;
    else if (typeof list === "function") this.#onDone = [list, fn];
    else list.push(fn);
  }

  /** @internal run by the scheduler, in spawn order. */
  start(): void {
    if (this.#state !== "pending") return;
    this.#state = "running";
    observer?.start?.(this);
    if (store) return store.run(this as Task, () => this.run());
    const outer = running;
    running = this as Task;
    try {
      this.run();
    } finally {
      running = outer;
    }
  }

  // Not an `async` method: one `then` costs less than an async frame,
  // and a task whose function returns a plain value ends at once.
  private run(): void {
    const fn = this.#fn as (...args: unknown[]) => unknown;
    let result: unknown;
    try {
      const args = this.#args;
      result = Array.isArray(args) ? fn(...args) : fn(args);
    } catch (error) {
      this.end(undefined, true, error);
      return;
    }
    this.#args = undefined;
    if (isThenable(result)) Promise.resolve(result).then(Task.#returned, Task.#failed);
    else this.end(result as T, false, undefined);
  }

  // `then` callbacks run in the context of the task that called `then`,
  // so `current()` is this task: no pair of closures per task.
  static #returned(value: unknown): void {
    current().end(value, false, undefined);
  }

  static #failed(error: unknown): void {
    current().end(undefined, true, error);
  }

  private end(value: T | undefined, failed: boolean, error: unknown): void {
    const killed = failed && error instanceof TaskExit;
    if (!failed) this.value = value;
    else if (!killed) this.report(error);
    this.finish(killed);
  }

  private report(error: unknown): void {
    this.exception = error ?? new Error(String(error));
    // Like gevent's hub: report at once, even if someone joins later.
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const stack = error instanceof Error && error.stack ? `${error.stack}\n` : "";
    console.error(`${stack}${this.name} (${this.fnName}) failed with ${what}`);
  }

  private finish(killed = false): void {
    this.#state = killed ? "killed" : "done";
    this.#fn = this.#args = undefined;
    observer?.end?.(this);
    const callbacks = this.#onDone;
    this.#onDone = undefined;
    if (typeof callbacks === "function") callbacks(this as Task);
    else if (callbacks) for (const f of callbacks) f(this as Task);
  }
}

const MAIN = new Task("MainTask");
// Set up on first use (the first spawn or current()), so that merely
// importing the lib (for lib/cli.ts, say) installs no hooks.
let store: AsyncLocalStorage<Task> | undefined;
let tracking = false;
function track(): void {
  tracking = true;
  if (!trackPromises()) store = new AsyncLocalStorage<Task>();
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}

/**
 * The task that is running now; `MainTask` outside any task.
 * Like gevent's `getcurrent()`; the note prints `current_thread().name`.
 * It follows a task across every `await`; a plain callback (a timer or
 * event handler) runs outside any task, as in gevent's hub (on Node;
 * Deno and Bun give the task that set the callback up).
 * @example
 * import { current, spawn, sleep } from "./lib/index.ts";
 * spawn(async () => {
 *   await sleep(10);
 *   console.log(current().name); // → Task-1
 * });
 * console.log(current().name); // → MainTask
 */
export function current(): Task {
  if (!tracking) track();
  return (store ? store.getStore() : running) ?? MAIN;
}

let queue: Task[] = [];
let flushing = false;

function flush(): void {
  const tasks = queue;
  queue = [];
  flushing = false;
  for (let i = 0; i < tasks.length; i++) tasks[i]!.start();
}

/**
 * Runs `fn(...args)` as a new task and returns its `Task` at once.
 * Like `gevent.spawn`, the task starts only when the spawner reaches
 * a switch point: the spawner's next lines run first. Tasks start in
 * spawn order.
 * @example
 * import { spawn, join } from "./lib/index.ts";
 * const t = spawn((a: number, b: number) => a + b, 2, 3);
 * console.log("spawned"); // → spawned (printed first)
 * await join(t);
 * console.log(t.value); // → 5
 */
export function spawn<A extends unknown[], R>(
  fn: (...args: A) => R,
  ...args: A
): Task<Awaited<R>> {
  if (typeof fn !== "function") {
    throw new TypeError(`Expected \`fn\` to be a function, got \`${show(fn)}\``);
  }
  if (!tracking) track();
  const task = new Task<Awaited<R>>(++lastId, fn as never, args);
  queue.push(task as Task);
  if (!flushing) {
    flushing = true;
    setImmediate(flush);
  }
  observer?.spawn?.(task as Task);
  return task;
}

/**
 * A switch point: parks the current task until `begin`'s callbacks
 * settle it. `kill()` or a `Timeout` interrupts the wait: `begin`'s
 * returned cleanup runs and the promise rejects with their error.
 * `ms`, when the wait has a known length, is passed on to the observer.
 * `sleep`, `join` and the socket waits are built on it.
 */
export function suspend<T>(
  begin: (resolve: (value: T) => void, reject: (error: unknown) => void) => (() => void) | void,
  ms?: number,
): Promise<T> {
  return park<T>((wait) => {
    wait.cancel = begin(
      (value) => wait.settle() && wait.resolve(value),
      (error) => wait.settle() && wait.reject(error),
    );
  }, ms);
}

/**
 * @internal One parked wait of a task, kept in `task.waiting` so that
 * `interrupt` can end it. An object with methods, not a bundle of
 * closures: a million sleeping tasks hold a million of these.
 */
export class Wait<T> {
  /** The parked task; `undefined` once the wait is over. */
  task: Task | undefined;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
  /** What undoes the wake-up on an interrupt: a cleanup, or sleep's shared timer. */
  cancel: (() => void) | Sleepers | void = undefined;

  constructor(task: Task, resolve: (value: T) => void, reject: (error: unknown) => void) {
    this.task = task;
    this.resolve = resolve;
    this.reject = reject;
  }

  get settled(): boolean {
    return this.task === undefined;
  }

  /** Marks the wait over (once): the task is no longer parked in it. */
  settle(): boolean {
    const task = this.task;
    if (task === undefined) return false;
    this.task = undefined;
    const w = task.waiting;
    if (w === this) task.waiting = undefined;
    else if (w instanceof Set) w.delete(this);
    observer?.resume?.(task);
    return true;
  }

  interrupt(error: Error): void {
    if (!this.settle()) return;
    const cancel = this.cancel;
    if (typeof cancel === "function") cancel();
    else if (cancel) cancel.leave();
    this.reject(error);
  }
}

/**
 * @internal The switch point under `suspend`, for hot paths: parks the
 * current task in a new Wait; `start` arranges its wake-up, which must
 * call `wait.settle()` and, if that returns true, `wait.resolve(value)`
 * (see `wake`). An interrupted Wait is `settled` before its wake-up
 * comes: the waker then keeps its value for the next wait. `reuse`: a
 * Wait of an earlier park that is over, armed again instead of a new
 * one (one object less per wait on a hot path, e.g. a connection's
 * reader); a Wait that is not over is left alone.
 */
export function park<T>(start: (wait: Wait<T>, ms: number | undefined) => void, ms?: number, reuse?: Wait<T>): Promise<T> {
  const task = current();
  const pending = task.pending;
  if (pending) {
    task.pending = undefined;
    return Promise.reject(pending);
  }
  // This promise is only ever awaited or then()ed, and the promise that
  // `await`/`then` makes is the one that carries the task to the code
  // that runs next: so this one is made outside the task (no tag).
  const outer = running;
  running = undefined;
  const promise = new Promise<T>(capture);
  running = outer;
  let wait: Wait<T>;
  if (reuse !== undefined && reuse.task === undefined) {
    wait = reuse;
    wait.task = task;
    wait.resolve = captured.resolve as (value: T) => void;
    wait.reject = captured.reject;
    wait.cancel = undefined;
  } else wait = new Wait<T>(task, captured.resolve as (value: T) => void, captured.reject);
  const w = task.waiting;
  task.waiting = w === undefined ? wait : w instanceof Set ? w.add(wait) : new Set([w, wait]);
  observer?.park?.(task, ms);
  start(wait, ms);
  return promise;
}

// A Promise's resolve/reject, taken out by one shared executor: no
// closure per wait (Node 20 has no Promise.withResolvers).
const captured: { resolve: (value: never) => void; reject: (error: unknown) => void } = {
  resolve: () => {},
  reject: () => {},
};
function capture(resolve: (value: never) => void, reject: (error: unknown) => void): void {
  captured.resolve = resolve;
  captured.reject = reject;
}

/** @internal Ends `wait` with `value`, unless it is already over; returns whether it took it. */
export function wake<T>(wait: Wait<T>, value: T): boolean {
  if (!wait.settle()) return false;
  wait.resolve(value);
  return true;
}

/**
 * Pauses the current task for `ms` milliseconds and lets the others
 * run. `sleep(0)` yields to the other ready tasks (one loop turn);
 * `await Promise.resolve()` would not: timers and IO would starve.
 * Like `gevent.sleep(seconds)`, in milliseconds.
 * @example
 * import { sleep } from "./lib/index.ts";
 * await sleep(100); // about 100 ms later
 */
export function sleep(ms = 0): Promise<void> {
  checkMs(ms, "ms");
  if (ms === 0) {
    return suspend<void>((resolve) => {
      const handle = setImmediate(resolve);
      return () => clearImmediate(handle);
    }, ms);
  }
  return park<void>(startSleep, ms);
}

// Sleeps of the same length that start within the same 0.1 ms share
// one timer (Node would give each its own Timeout object): a million
// tasks that sleep at once cost a million Waits in a few arrays. Node
// starts every timer set in one callback at the same cached loop time,
// so sharing adds at most 0.1 ms of earliness to Node's own. An
// interrupted sleep stays in its array, settled, and is skipped; the
// timer is cleared when no sleeper is left. (One difference: a plain
// setTimeout set between two sleeps of a group fires after both.)
class Sleepers {
  readonly waits: (Wait<void> | undefined)[] = [];
  live = 0;
  next = 0;
  readonly ms: number;
  readonly at: number;
  readonly timer: NodeJS.Timeout;
  constructor(ms: number, at: number) {
    this.ms = ms;
    this.at = at;
    this.timer = setTimeout(fire, ms, this);
  }
  leave(): void {
    if (--this.live > 0) return;
    clearTimeout(this.timer);
    if (open.get(this.ms) === this) open.delete(this.ms);
  }
}
// The group still taking sleepers, per length in ms.
const open = new Map<number, Sleepers>();
// Groups whose timer has fired, being woken one sleeper at a time.
const firing: Sleepers[] = [];

function fire(group: Sleepers): void {
  if (open.get(group.ms) === group) open.delete(group.ms);
  if (firing.push(group) === 1) wakeNextSleeper();
}

// Wakes one sleeper, then comes back in a microtask queued after that
// sleeper's own: each woken task runs up to its next switch point
// before the next one wakes, as with one timer each. So a task can
// still kill another whose sleep ends in the same millisecond.
function wakeNextSleeper(): void {
  const group = firing[0]!;
  const waits = group.waits;
  try {
    while (group.next < waits.length) {
      const wait = waits[group.next]!;
      waits[group.next++] = undefined;
      wait.cancel = undefined;
      if (wake(wait, undefined)) break;
    }
  } finally {
    // Even if an observer threw: the other sleepers must still wake.
    if (group.next === waits.length) {
      waits.length = 0;
      firing.shift();
    }
    if (firing.length > 0) queueMicrotask(wakeNextSleeper);
  }
}

function startSleep(wait: Wait<void>, ms: number | undefined): void {
  const at = Math.floor(performance.now() * 10);
  let group = open.get(ms as number);
  if (group === undefined || group.at !== at) {
    group = new Sleepers(ms as number, at);
    open.set(ms as number, group);
  }
  group.waits.push(wait);
  group.live++;
  wait.cancel = group;
}

/**
 * Waits until `task` is over, or `timeoutMs` has passed. Never throws
 * for the task's error (use `task.get()`): like gevent's `join`, but
 * returns `task.ready()`.
 * @example
 * import { spawn, sleep, join } from "./lib/index.ts";
 * const slow = spawn(sleep, 1000);
 * console.log(await join(slow, 50)); // → false
 * await slow.kill();
 */
export function join(task: Task<unknown>, timeoutMs?: number): Promise<boolean> {
  if (!(task instanceof Task)) {
    throw new TypeError(`Expected \`task\` to be a Task, got \`${show(task)}\``);
  }
  return joinAll([task], timeoutMs === undefined ? {} : { timeout: timeoutMs }).then(() => task.ready());
}

/** Options of `joinAll`. */
export interface JoinAllOptions {
  /** Give up after this many milliseconds (default: wait for all). */
  timeout?: number;
  /** Reject with the first error a task throws (default false). */
  raiseError?: boolean;
}

/**
 * Waits for every task, or until `timeout` ms have passed, and returns
 * the tasks that finished, in the order given. Like `gevent.joinall`:
 * it never throws for a task's error unless `raiseError` is set.
 * @example
 * import { spawn, sleep, joinAll } from "./lib/index.ts";
 * const tasks = [spawn(sleep, 10), spawn(sleep, 20)];
 * console.log((await joinAll(tasks)).length); // → 2
 */
export function joinAll(tasks: Iterable<Task<unknown>>, options: JoinAllOptions = {}): Promise<Task<unknown>[]> {
  const list = [...tasks];
  const { timeout, raiseError = false } = options;
  if (timeout !== undefined) checkMs(timeout, "timeout");
  for (const t of list) {
    if (!(t instanceof Task)) throw new TypeError(`Expected \`tasks\` to hold Tasks, got \`${show(t)}\``);
  }
  const finished = () => list.filter((t) => t.ready());
  return suspend<Task<unknown>[]>((resolve, reject) => {
    let left = list.length;
    let timer: NodeJS.Timeout | undefined;
    const end = () => {
      if (timer) clearTimeout(timer);
      resolve(finished());
    };
    if (left === 0) return end();
    // One callback for all the tasks, not one closure per task.
    const onDone = (t: Task) => {
      if (raiseError && t.exception !== undefined) reject(t.exception);
      if (--left === 0) end();
    };
    for (const t of list) t.onDone(onDone);
    if (timeout !== undefined) timer = setTimeout(end, timeout);
    return () => clearTimeout(timer);
  });
}

/**
 * Kills every task (see `Task.kill`) and waits until all are over.
 * Like `gevent.killall`.
 */
export async function killAll(tasks: Iterable<Task<unknown>>): Promise<void> {
  await Promise.all([...tasks].map((t) => t.kill()));
}

/** Throws a TypeError unless `ms` is a finite number >= 0. */
export function checkMs(ms: unknown, name: string): void {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
    throw new TypeError(`Expected \`${name}\` to be a non-negative number of milliseconds, got \`${show(ms)}\``);
  }
  // Timers take at most 2^31 - 1 ms; Node would fire a longer one at once.
  if (ms > MAX_MS) {
    throw new TypeError(`Expected \`${name}\` to be at most ${MAX_MS} ms (about 24.8 days), got \`${ms}\``);
  }
}

/** The longest wait a timer can take: 2^31 - 1 ms, about 24.8 days. */
export const MAX_MS = 2 ** 31 - 1;

/** A short, readable rendering of any value, for error messages. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return `function ${value.name || "anonymous"}`;
  if (typeof value === "object" && value !== null) return Array.isArray(value) ? "array" : "object";
  return String(value);
}
