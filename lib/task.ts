/**
 * Tasks: gevent's greenlets, written with async/await. `spawn(fn)` runs
 * `fn` as a task on the one JavaScript thread until it reaches a switch
 * point (`await sleep()`, `join()`, a socket wait); there it parks, and
 * other tasks run until something wakes it: the note's "concurrency =
 * switching + saving state", where the saved state is the paused async
 * function. Differences from gevent: README.md, test/conformance.test.ts.
 */
import {
  Scope,
  type Wait,
  checkMs,
  currentScope,
  expect,
  interrupt,
  observer,
  park,
  runIn,
  setOutside,
  wake,
} from "./wait.ts";

export { type TaskObserver, setTaskObserver, sleep } from "./wait.ts";

/** Thrown into a task by `kill()`; like gevent's GreenletExit, not a failure. */
export class TaskExit extends Error {
  override name = "TaskExit";
  override message = "the task was killed";
}

type Fn = (...args: unknown[]) => unknown;
type Callback = (task: Task) => void;

/** A function run concurrently by `spawn`; see gevent's Greenlet. */
export class Task<T = unknown> extends Scope {
  #name: string | number; // a number until read: a million tasks need no strings
  /** What the function returned, or threw (a kill is not a failure); whether a kill ended it. */
  value: T | undefined = undefined;
  exception: unknown = undefined;
  killed = false;
  #state: "new" | "running" | "over" = "new";
  #fn: Fn | undefined;
  #args: unknown[] | undefined;
  // One callback or several (a million tasks in one joinAll need no array each).
  #onDone: Callback | Callback[] | undefined;
  /** @internal the waits the task is parked in: none, one, or several. */
  waits: Wait<never> | Wait<never>[] | undefined;

  /** @internal use `spawn()`. */
  constructor(name: string | number, fn?: Fn, args?: unknown[]) {
    super(undefined);
    this.#name = name;
    this.#fn = fn;
    this.#args = args;
    if (!fn) this.#state = "running"; // MainTask runs from the start
  }

  /** `Task-1`, `Task-2`... in spawn order, `MainTask` outside any task; may be set. */
  get name(): string {
    return typeof this.#name === "string"
      ? this.#name
      : (this.#name = `Task-${this.#name}`);
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
  /** True once the task has left the start queue (it ran, or was killed first). */
  started(): boolean {
    return this.#state !== "new";
  }
  /** True if the task is over without an exception (a kill counts, as in gevent). */
  successful(): boolean {
    return this.ready() && this.exception === undefined;
  }

  /** Waits for the task (a switch point); returns its value or throws its error (`TaskExit` if killed). */
  async get(): Promise<T> {
    if (!this.ready()) await join(this);
    if (this.killed) throw new TaskExit();
    if (this.exception !== undefined) throw this.exception;
    return this.value as T;
  }

  /**
   * Ends the task: one not started never runs; a running one gets
   * `TaskExit` from its current or next lib switch point (`sleep`,
   * `join`, `recv`...), so its `finally` blocks run. While it awaits
   * anything else (a plain Promise, `fetch`) the kill waits, and is lost
   * if the task ends first. Resolves once the task is over (at once when
   * a task kills itself: its next switch point throws); never rejects.
   */
  kill(): Promise<void> {
    const exit = new TaskExit();
    if (this.#state === "new") this.end(undefined, exit);
    else if (this.#state === "running") interrupt(this, exit);
    if (this.ready() || this === current()) return Promise.resolve();
    return new Promise((resolve) => this.onDone(() => resolve()));
  }

  /** @internal forgets `fn` (a join that gave up). */
  offDone(fn: Callback): void {
    const list = this.#onDone;
    if (list === fn) this.#onDone = undefined;
    else if (Array.isArray(list) && list.includes(fn))
      list.splice(list.indexOf(fn), 1);
  }

  /** @internal calls `fn(task)` once the task is over. */
  onDone(fn: Callback): void {
    const list = this.#onDone;
    if (this.ready()) fn(this as Task);
    else if (list === undefined) this.#onDone = fn;
    else if (typeof list === "function") this.#onDone = [list, fn];
    else list.push(fn);
  }

  /** @internal run by the scheduler, in spawn order. */
  start(): void {
    if (this.#state !== "new") return;
    this.#state = "running";
    observer?.start?.(this as Task);
    runIn(this, () => {
      let result: unknown;
      try {
        const fn = this.#fn!; // called plainly: `this` in it is undefined
        result = fn(...this.#args!);
      } catch (error) {
        return Task.#failed(error);
      }
      // Set up in the task's scope, so `current()` in them is the task.
      if (typeof (result as PromiseLike<unknown> | null)?.then !== "function")
        Task.#returned(result);
      else Promise.resolve(result).then(Task.#returned, Task.#failed);
    });
  }

  static #returned(value: unknown): void {
    current().end(value);
  }
  static #failed(error: unknown): void {
    current().end(undefined, error ?? new Error(String(error)));
  }

  private end(value: unknown, error?: unknown): void {
    if (error instanceof TaskExit) this.killed = true;
    else if (error === undefined) this.value = value as T;
    else {
      this.exception = error;
      // Like gevent's hub: reported at once, even if someone joins later;
      // one line, with the first place outside the lib and Node where it
      // was thrown (the whole stack is in `exception`).
      const e = error instanceof Error ? error : undefined;
      const frame = e?.stack
        ?.split("\n")
        .find(
          (l) =>
            /^\s+at /.test(l) && !l.includes(LIB) && !/\b(node|ext):/.test(l),
        );
      const at = frame
        ?.replace(/^\s+at (?:.* \()?(?:file:\/\/)?(.+?)\)?$/, "$1")
        .replace(`${process.cwd()}/`, "");
      console.error(
        `${this.name} (${this.fnName}) failed with ${e ? `${e.name}: ${e.message}` : String(error)}${at ? ` (at ${at})` : ""}`,
      );
    }
    this.#state = "over";
    observer?.end?.(this as Task);
    this.#fn = this.#args = undefined;
    const list = this.#onDone;
    this.#onDone = undefined;
    if (typeof list === "function") list(this as Task);
    else for (const f of list ?? []) f(this as Task);
  }
}

const MAIN = new Task("MainTask");
const LIB = new URL(".", import.meta.url).pathname; // this folder, to leave out of reports
setOutside(MAIN);
let lastId = 0;
let queue: Task[] = [];

/**
 * The task that is running now; `MainTask` outside any task. gevent's
 * `getcurrent()` (the note prints `current_thread().name`).
 * @example
 * import { current, spawn, sleep } from "./lib/index.ts";
 * spawn(async () => {
 *   await sleep(10);
 *   console.log(current().name); // → Task-1
 * });
 * console.log(current().name); // → MainTask
 */
export function current(): Task {
  return currentScope().task;
}

/**
 * Runs `fn(...args)` as a new task and returns its `Task` at once. As
 * with `gevent.spawn`, it starts when the spawner reaches a switch
 * point, so the spawner's next lines run first; tasks start in order.
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
  expect(typeof fn === "function", "fn", "a function", fn);
  const task = new Task<Awaited<R>>(++lastId, fn as Fn, args);
  if (queue.push(task as Task) === 1) {
    setImmediate(() => {
      const tasks = queue;
      queue = [];
      for (const t of tasks) t.start();
    });
  }
  observer?.spawn?.(task as Task);
  return task;
}

/** Waits until `task` is over, or `timeoutMs` has passed; resolves to `task.ready()`, never throws for the task's error. */
export function join(
  task: Task<unknown>,
  timeoutMs?: number,
): Promise<boolean> {
  expect(task instanceof Task, "task", "a Task", task);
  if (timeoutMs !== undefined) checkMs(timeoutMs, "timeoutMs");
  return joinAll([task], { timeout: timeoutMs }).then(() => task.ready());
}

/** Waits for every task, or `timeout` ms; returns those that are over, in order. `raiseError`: rejects with the first failure. */
export function joinAll(
  tasks: Iterable<Task<unknown>>,
  options: { timeout?: number | undefined; raiseError?: boolean } = {},
): Promise<Task<unknown>[]> {
  const list = [...tasks];
  const { timeout, raiseError = false } = options;
  if (timeout !== undefined) checkMs(timeout, "timeout");
  for (const t of list) expect(t instanceof Task, "tasks", "Tasks", t);
  const done = () => list.filter((t) => t.ready());
  return park<Task<unknown>[]>(
    (wait) => {
      let left = list.length;
      const stop = () => {
        clearTimeout(timer);
        for (const t of list) t.offDone(onDone); // nothing left behind on a task that runs on
      };
      const timer =
        timeout === undefined
          ? undefined
          : setTimeout(() => wake(wait, done()) && stop(), timeout);
      wait.cancel = stop;
      const onDone = (t: Task) => {
        if (raiseError && t.exception !== undefined && wait.settle()) {
          stop();
          wait.reject(t.exception);
        } else if (--left === 0 && wake(wait, done())) clearTimeout(timer);
      };
      if (left === 0) wake(wait, []);
      for (const t of list) t.onDone(onDone);
    },
    undefined,
    list,
  );
}

/** Kills every task (see `Task.kill`); resolves once all are over. `gevent.killall`. */
export async function killAll(tasks: Iterable<Task<unknown>>): Promise<void> {
  await Promise.all([...tasks].map((t) => t.kill()));
}
