/**
 * Switch points: how a task parks and wakes. Every wait of the lib
 * (`sleep`, `join`, `recv`...) is a `park()`: the task's async function
 * pauses on a Promise, and a `Wait` knows how to wake it (`wake`) or to
 * end it early with an error (`interrupt`: kills and Timeouts).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import * as v8 from "node:v8";
import type { Task } from "./task.ts";

/** Told of each step of every task (the demos' timeline uses it). */
export type TaskObserver = {
  [K in "spawn" | "start" | "park" | "resume" | "end"]?: (
    task: Task,
    ms?: number,
  ) => void;
};
/** @internal */
export let observer: TaskObserver | undefined;
/** Installs (or, with `undefined`, removes) the observer of all tasks. */
export const setTaskObserver = (o: TaskObserver | undefined): void =>
  void (observer = o);

/** @internal What a kill or a Timeout interrupts: a task, or a part of one. */
export class Scope {
  readonly task: Task;
  readonly parent: Scope | undefined;
  /** An interrupt for the next switch point inside the scope. */
  pending: Error | undefined = undefined;
  /** A cancelled Timeout's: a new Timeout nests in its parent instead. */
  closed = false;
  constructor(parent: Scope | undefined) {
    this.parent = parent;
    this.task = parent ? parent.task : (this as Scope as Task);
  }
  holds(scope: Scope | undefined): boolean {
    while (scope && scope !== this) scope = scope.parent;
    return scope === this;
  }
}

// The scope of the running code, carried across every `await`. On Node,
// V8's promise hooks carry it from the code that makes a promise to the
// code that runs when it settles: AsyncLocalStorage's job, without the
// bookkeeping that costs every promise on Node 20 (`npm run bench`: a
// third more CPU per reply at 5,000 connections). A plain callback then
// runs outside any task, as in gevent's hub. Deno and Bun call no hooks:
// AsyncLocalStorage there, and a callback is in the task that set it up.
// Set up on first use, so that importing the lib changes nothing.
const SCOPE = Symbol("scope");
type Tagged = Promise<unknown> & { [SCOPE]?: Scope };
let running: Scope | undefined;
let context:
  | {
      getStore(): Scope | undefined;
      run<T>(s: Scope, fn: () => T): T;
      enterWith(s: Scope): void;
    }
  | undefined;
function setUp(): NonNullable<typeof context> {
  try {
    v8.promiseHooks.onInit(
      (p: Tagged) => void (running && (p[SCOPE] = running)),
    );
    v8.promiseHooks.onBefore((p: Tagged) => void (running = p[SCOPE]));
    v8.promiseHooks.onAfter(() => void (running = undefined));
    running = outside; // some runtimes have the hooks but never call them: check
    if ((Promise.resolve() as Tagged)[SCOPE] !== outside)
      throw new Error("no promise hooks");
  } catch {
    return new AsyncLocalStorage<Scope>();
  } finally {
    running = undefined;
  }
  const reset = () => void (running = undefined);
  return {
    getStore: () => running,
    run(scope, fn) {
      const outer = running;
      running = scope;
      try {
        return fn();
      } finally {
        running = outer;
      }
    },
    enterWith: (scope) => void ((running = scope), queueMicrotask(reset)), // till the end of this callback
  };
}
let outside: Scope;
/** @internal */
export const setOutside = (main: Scope): void => void (outside = main);
/** @internal */
export const currentScope = (): Scope =>
  (context ??= setUp()).getStore() ?? outside;
/** @internal */
export const runIn = <T>(scope: Scope, fn: () => T): T =>
  (context ??= setUp()).run(scope, fn);
/** @internal Puts the rest of the running code, and what it awaits, in `scope`. */
export const enterScope = (scope: Scope): Scope => (
  (context ??= setUp()).enterWith(scope),
  scope
);

/** @internal One parked wait: how to wake or undo it, and (for a join) which tasks it waits for. */
export class Wait<T> {
  readonly scope: Scope;
  readonly resolve: (value: T) => void;
  readonly reject: (error: unknown) => void;
  readonly on: Task[] | undefined;
  cancel: (() => void) | NodeJS.Timeout | undefined = undefined;
  due = Infinity; // when a sleep ends (see `now()`)
  over = false;
  constructor(
    scope: Scope,
    resolve: (value: T) => void,
    reject: (error: unknown) => void,
    on?: Task[],
  ) {
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
    const ws = task.waits;
    if (!Array.isArray(ws)) task.waits = undefined;
    else
      task.waits =
        ws.length > 2
          ? ws.filter((w) => w !== this)
          : ws.find((w) => w !== this);
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
export const wake = <T>(wait: Wait<T>, value: T): boolean =>
  wait.settle() && (wait.resolve(value), true);

/**
 * @internal Throws `error` into the waits inside `scope`, or keeps it for
 * its next switch point. A sleep there due by `due` (a Timeout's) ends
 * first, as in gevent: then the error waits for the next switch point.
 */
export function interrupt(scope: Scope, error: Error, due = -Infinity): void {
  const late = waitsOf(scope.task).filter(
    (w) => scope.holds(w.scope) && w.due > due,
  );
  if (late.length === 0) scope.pending = error;
  else for (const w of late) w.interrupt(error);
}

// One executor for every wait's promise: no closure per wait.
const captured: [(value: never) => void, (error: unknown) => void] = [
  () => {},
  () => {},
];
const capture = (
  resolve: (value: never) => void,
  reject: (error: unknown) => void,
) => void ((captured[0] = resolve), (captured[1] = reject));

/** @internal True if an interrupt waits for the next switch point of the running code. */
export function interrupted(): boolean {
  for (let s: Scope | undefined = currentScope(); s; s = s.parent)
    if (s.pending) return true;
  return false;
}

/** @internal Parks the running code; `start(wait)` arranges `wake(wait, value)` and may set `wait.cancel`. */
export function park<T>(
  start: (wait: Wait<T>) => void,
  ms?: number,
  on?: Task[],
): Promise<T> {
  const scope = currentScope();
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    const error = s.pending;
    if (error) return ((s.pending = undefined), Promise.reject(error));
  }
  // Made outside the scope: the promise that an `await` of it makes
  // carries the scope on, so this one needs no tag (one object less).
  const outer = running;
  running = undefined;
  const promise = new Promise<T>(capture);
  running = outer;
  const wait = new Wait<T>(
    scope,
    captured[0] as (value: T) => void,
    captured[1],
    on,
  );
  const task = scope.task;
  const ws = task.waits as Wait<T> | Wait<T>[] | undefined;
  task.waits = (
    ws === undefined ? wait : Array.isArray(ws) ? [...ws, wait] : [ws, wait]
  ) as Task["waits"];
  if (task === outside && !watching) watchForDeadlock();
  observer?.park?.(task, ms);
  start(wait);
  return promise;
}

// gevent reads the clock once per loop turn, so timers set in one go
// share a start even if the OS paused the thread in between; so do we.
let tick: number | undefined;
/** @internal The time (ms) when the running stretch of synchronous code began. */
export function now(): number {
  if (tick === undefined) queueMicrotask(() => (tick = undefined));
  return (tick ??= performance.now());
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
  return park<void>((wait) => {
    if (ms === 0) {
      const immediate = setImmediate(wake, wait, undefined);
      return void (wait.cancel = () => clearImmediate(immediate));
    }
    wait.due = now() + ms;
    wait.cancel = setTimeout(wake, ms, wait, undefined);
  }, ms);
}

// gevent's LoopExit: nothing is left to run, and MainTask waits in a
// join whose tasks wait in joins too, round in a circle: nothing can
// ever wake them. Say who waits for whom, and exit 1. (A task waiting
// for anything else, say a plain Promise, proves nothing: Node decides.)
let watching = false;
function watchForDeadlock(): void {
  watching = true;
  process.on("beforeExit", () => {
    const who: string[] = [];
    const known = new Map<Task, boolean>();
    const stuck = (task: Task): boolean => {
      if (known.has(task)) return known.get(task)!; // true while we are in it: a circle
      known.set(task, true);
      const waits = waitsOf(task);
      const result =
        waits.length > 0 &&
        waits.every((w) => {
          const on = w.on?.filter((t) => !t.ready()) ?? [];
          who.push(
            `${task.name} waits for ${on.map((t) => t.name).join(" and ")}`,
          );
          return on.some(stuck);
        });
      known.set(task, result);
      return result;
    };
    if (!stuck(outside.task)) return;
    process.stderr.write(
      `error: deadlock, no task can ever go on: ${who.join(", ")}\n`,
    );
    process.exit(1);
  });
}

/** @internal The waits `task` is parked in. */
export const waitsOf = (task: Task): Wait<never>[] =>
  Array.isArray(task.waits) ? [...task.waits] : task.waits ? [task.waits] : [];

/** @internal Throws ``TypeError: Expected `name` to be <want>, got `value` `` unless `ok`. */
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
      : typeof value === "object" && value !== null
        ? Array.isArray(value)
          ? "array"
          : "object"
        : typeof value === "string"
          ? JSON.stringify(value)
          : String(value);
  throw new TypeError(`Expected \`${name}\` to be ${want}, got \`${shown}\``);
}

/** @internal Checks a time in ms (a timer takes at most 2^31 - 1; Node fires a longer one at once). */
export function checkMs(ms: unknown, name: string): void {
  expect(
    typeof ms === "number" && ms >= 0,
    name,
    "a non-negative number of milliseconds",
    ms,
  );
  expect(
    (ms as number) <= 2 ** 31 - 1,
    name,
    "at most 2147483647 ms (about 24.8 days)",
    ms,
  );
}
