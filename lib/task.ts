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

type Interrupt = (error: Error) => void;
const store = new AsyncLocalStorage<Task>();
let lastId = 0;

/** A function run concurrently by `spawn`; see gevent's Greenlet. */
export class Task<T = unknown> {
  /** `Task-1`, `Task-2`, ... in spawn order; `MainTask` outside any task. */
  name: string;
  /** The function's return value, once it has returned. */
  value: T | undefined = undefined;
  /** What the function threw, if it failed (a kill is not a failure). */
  exception: unknown = undefined;
  /** True once `kill()` ended the task. */
  killed = false;
  #state: "pending" | "running" | "done" = "pending";
  #fn: ((...args: never[]) => unknown) | undefined;
  #args: unknown[] | undefined;
  #onDone: (() => void)[] | undefined;
  /** @internal the waits this task is parked in (one, or several). */
  waiting: Interrupt | Set<Interrupt> | undefined;
  /** @internal an interrupt to deliver at the next switch point. */
  pending: Error | undefined;

  /** @internal use `spawn()`. */
  constructor(name: string, fn?: (...args: never[]) => unknown, args?: unknown[]) {
    this.name = name;
    this.#fn = fn;
    this.#args = args;
  }

  /** The name of the spawned function, for reports. */
  get fnName(): string {
    return this.#fn?.name || "anonymous";
  }

  /** True once the task has returned, failed or been killed. */
  ready(): boolean {
    return this.#state === "done";
  }

  /** True if the task finished without an exception (a kill counts as success, as in gevent). */
  successful(): boolean {
    return this.#state === "done" && this.exception === undefined;
  }

  /** True between the task's first step and its end. */
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
      this.killed = true;
      this.#finish();
    } else if (this.#state === "running") {
      this.interrupt(new TaskExit());
    }
    return join(this).then(() => undefined);
  }

  /** @internal throws `error` at the task's current or next switch point. */
  interrupt(error: Error): void {
    const w = this.waiting;
    if (w === undefined) this.pending = error;
    else if (w instanceof Set) for (const f of [...w]) f(error);
    else w(error);
  }

  /** @internal calls `fn` once the task is over. */
  onDone(fn: () => void): void {
    if (this.#state === "done") fn();
    else (this.#onDone ??= []).push(fn);
  }

  /** @internal run by the scheduler, in spawn order. */
  start(): void {
    if (this.#state !== "pending") return;
    this.#state = "running";
    observer?.start?.(this);
    store.run(this as Task, () => this.#run());
  }

  async #run(): Promise<void> {
    try {
      const fn = this.#fn as (...args: unknown[]) => T;
      this.value = await fn(...(this.#args as unknown[]));
    } catch (error) {
      if (error instanceof TaskExit) this.killed = true;
      else this.#fail(error);
    }
    this.#finish();
  }

  #fail(error: unknown): void {
    this.exception = error ?? new Error(String(error));
    // Like gevent's hub: report at once, even if someone joins later.
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const stack = error instanceof Error && error.stack ? `${error.stack}\n` : "";
    console.error(`${stack}${this.name} (${this.fnName}) failed with ${what}`);
  }

  #finish(): void {
    this.#state = "done";
    this.#fn = this.#args = undefined;
    observer?.end?.(this);
    const callbacks = this.#onDone;
    this.#onDone = undefined;
    if (callbacks) for (const f of callbacks) f();
  }
}

const MAIN = new Task("MainTask");

/**
 * The task that is running now; `MainTask` outside any task.
 * Like gevent's `getcurrent()`; the note prints `current_thread().name`.
 * @example
 * import { current, spawn, sleep } from "./lib/index.ts";
 * spawn(async () => {
 *   await sleep(10);
 *   console.log(current().name); // → Task-1
 * });
 * console.log(current().name); // → MainTask
 */
export function current(): Task {
  return store.getStore() ?? MAIN;
}

const queue: Task[] = [];
let flushing = false;

function flush(): void {
  flushing = false;
  for (const task of queue.splice(0)) task.start();
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
  const task = new Task<Awaited<R>>(`Task-${++lastId}`, fn as never, args);
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
  const task = current();
  const pending = task.pending;
  if (pending) {
    task.pending = undefined;
    return Promise.reject(pending);
  }
  return new Promise<T>((resolve, reject) => {
    let cleanup: (() => void) | void = undefined;
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      const w = task.waiting;
      if (w === interrupt) task.waiting = undefined;
      else if (w instanceof Set) w.delete(interrupt);
      observer?.resume?.(task);
      return true;
    };
    const interrupt = (error: Error): void => {
      if (!settle()) return;
      if (cleanup) cleanup();
      reject(error);
    };
    const w = task.waiting;
    task.waiting = w === undefined ? interrupt : w instanceof Set ? w.add(interrupt) : new Set([w, interrupt]);
    observer?.park?.(task, ms);
    cleanup = begin(
      (value) => settle() && resolve(value),
      (error) => settle() && reject(error),
    );
  });
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
  return suspend<void>((resolve) => {
    if (ms === 0) {
      const handle = setImmediate(resolve);
      return () => clearImmediate(handle);
    }
    const handle = setTimeout(resolve, ms);
    return () => clearTimeout(handle);
  }, ms);
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
    for (const t of list) {
      t.onDone(() => {
        if (raiseError && t.exception !== undefined) reject(t.exception);
        if (--left === 0) end();
      });
    }
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
}

/** A short, readable rendering of any value, for error messages. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return `function ${value.name || "anonymous"}`;
  if (typeof value === "object" && value !== null) return Array.isArray(value) ? "array" : "object";
  return String(value);
}
