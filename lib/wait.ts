/**
 * Switch points: how a task parks and how it wakes.
 *
 * Every wait of the lib (`sleep`, `join`, `recv`...) is a `park()`: the
 * task's async function pauses on a Promise, and a `Wait` remembers how
 * to wake it (`wake`) or to end it early with an error (`interrupt`, for
 * `kill()` and Timeouts). Meanwhile the other tasks run.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Task } from "./task.ts";

/** Told of each step of every task (the demos' timeline uses it). */
export interface TaskObserver {
  spawn?(task: Task): void;
  start?(task: Task): void;
  park?(task: Task, ms?: number): void;
  resume?(task: Task): void;
  end?(task: Task): void;
}
/** @internal */
export let observer: TaskObserver | undefined;
/** Installs (or, with `undefined`, removes) the observer of all tasks. */
export const setTaskObserver = (o: TaskObserver | undefined): void => void (observer = o);

/**
 * @internal What a kill or a Timeout interrupts: a whole task, or the
 * code inside one `withTimeout`. `pending`: an interrupt that waits for
 * the next switch point inside the scope.
 */
export class Scope {
  readonly task: Task;
  readonly parent: Scope | undefined;
  pending: Error | undefined = undefined;
  constructor(parent: Scope | undefined) {
    this.parent = parent;
    this.task = parent ? parent.task : (this as Scope as Task);
  }
}

// The scope the running code is in. AsyncLocalStorage carries it across
// every `await` and into callbacks, on Node, Deno and Bun alike.
const context = new AsyncLocalStorage<Scope>();
// Code outside any task is in MainTask (task.ts registers it).
let outside: Scope;
/** @internal */
export const setOutside = (main: Scope): void => void (outside = main);
/** @internal */
export const currentScope = (): Scope => context.getStore() ?? outside;
/** @internal Runs `fn` inside `scope`. */
export const runIn = <T>(scope: Scope, fn: () => T): T => context.run(scope, fn);

/** @internal One parked wait: how to wake or undo it, and (for a join) what it waits for. */
export class Wait<T> {
  readonly scope: Scope;
  readonly resolve: (value: T) => void;
  readonly reject: (error: unknown) => void;
  readonly on: Task[] | undefined;
  cancel: (() => void) | NodeJS.Timeout | undefined = undefined;
  over = false;
  constructor(scope: Scope, resolve: (value: T) => void, reject: (error: unknown) => void, on?: Task[]) {
    this.scope = scope;
    this.resolve = resolve;
    this.reject = reject;
    this.on = on;
  }

  /** Marks the wait over (once): the task is no longer parked in it. */
  settle(): boolean {
    if (this.over) return false;
    this.over = true;
    const task = this.scope.task;
    const rest = Array.isArray(task.waits) ? task.waits.filter((w) => w !== this) : [];
    task.waits = rest.length > 1 ? rest : rest[0];
    if (this.on) joins.delete(this as Wait<never>);
    observer?.resume?.(task);
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

/** @internal Ends `wait` with `value` unless it is over; returns whether it took it. */
export const wake = <T>(wait: Wait<T>, value: T): boolean => wait.settle() && (wait.resolve(value), true);

/** @internal Throws `error` into the waits inside `scope`, or keeps it for the next one. */
export function interrupt(scope: Scope, error: Error): void {
  const ws = scope.task.waits;
  let hit = false;
  for (const w of Array.isArray(ws) ? [...ws] : ws ? [ws] : []) {
    let s: Scope | undefined = w.scope;
    while (s && s !== scope) s = s.parent;
    if (s) hit = (w.interrupt(error), true);
  }
  if (!hit) scope.pending = error;
}

/**
 * @internal The switch point under every wait: parks the running code;
 * `start(wait)` arranges the wake-up (`wake(wait, value)`) and may set
 * `wait.cancel`. An interrupt pending for the scope is thrown instead.
 */
export function park<T>(start: (wait: Wait<T>) => void, ms?: number, on?: Task[]): Promise<T> {
  const scope = currentScope();
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    const error = s.pending;
    s.pending = undefined;
    if (error) return Promise.reject(error);
  }
  let wait!: Wait<T>;
  const promise = new Promise<T>((resolve, reject) => (wait = new Wait(scope, resolve, reject, on)));
  const task = scope.task;
  const ws = task.waits as Wait<T> | Wait<T>[] | undefined;
  task.waits = (ws === undefined ? wait : Array.isArray(ws) ? [...ws, wait] : [ws, wait]) as Task["waits"];
  if (on) joins.add(wait as Wait<never>);
  if (task === outside && !watching) watchForDeadlock();
  observer?.park?.(task, ms);
  start(wait);
  return promise;
}

/**
 * A switch point for any callback-based wait: parks the running task
 * until `begin` calls `resolve` or `reject`. A kill or Timeout ends the
 * wait early: the cleanup `begin` returns runs, and the promise rejects.
 */
export function suspend<T>(begin: (resolve: (value: T) => void, reject: (error: unknown) => void) => (() => void) | void): Promise<T> {
  return park<T>((wait) => {
    const cleanup = begin((v) => wake(wait, v), (e) => wait.settle() && wait.reject(e));
    if (!wait.over && cleanup) wait.cancel = cleanup;
  });
}

/**
 * Pauses the running task for `ms` milliseconds while others run;
 * `sleep(0)` lets every other ready task and timer go first (unlike
 * `await Promise.resolve()`). `gevent.sleep(seconds)`, in ms.
 * @example
 * import { sleep } from "./lib/index.ts";
 * await sleep(100); // about 100 ms later
 */
export function sleep(ms = 0): Promise<void> {
  checkMs(ms, "ms");
  if (ms > 0) return park<void>((wait) => (wait.cancel = setTimeout(wake, ms, wait, undefined)), ms);
  return suspend((resolve) => {
    const immediate = setImmediate(resolve);
    return () => clearImmediate(immediate);
  });
}

// gevent's LoopExit: nothing is left to run, yet MainTask still waits,
// so nothing can ever wake it. Say who waits for whom, and exit 1.
const joins = new Set<Wait<never>>();
let watching = false;
function watchForDeadlock(): void {
  watching = true;
  process.on("beforeExit", () => {
    const ws = outside.task.waits;
    if (ws === undefined) return;
    const stuck = [...(Array.isArray(ws) ? ws : [ws]), ...[...joins].filter((w) => w.scope !== outside)];
    const on = (w: Wait<never>) => (w.on ? w.on.filter((t) => !t.ready()).map((t) => t.name).join(" and ") : "an event");
    process.stderr.write(`error: deadlock, no task can ever go on: ${stuck.map((w) => `${w.scope.task.name} waits for ${on(w)}`).join(", ")}\n`);
    process.exit(1);
  });
}

/** @internal Throws a TypeError unless `ms` is a number of milliseconds a timer can take. */
export function checkMs(ms: unknown, name: string): void {
  if (typeof ms !== "number" || !(ms >= 0)) {
    throw new TypeError(`Expected \`${name}\` to be a non-negative number of milliseconds, got \`${show(ms)}\``);
  }
  // Node would fire a longer timer at once.
  if (ms > 2 ** 31 - 1) throw new TypeError(`Expected \`${name}\` to be at most 2147483647 ms (about 24.8 days), got \`${ms}\``);
}

/** @internal A short rendering of any value, for error messages. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return `function ${value.name || "anonymous"}`;
  if (typeof value === "object" && value !== null) return Array.isArray(value) ? "array" : "object";
  return String(value);
}
