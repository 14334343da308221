/**
 * Kills: gevent's `greenlet.kill()` and `gevent.killall()`, built on the
 * core's `interrupt()`. Importing this file gives every Task `kill()`.
 */
import {
  Task,
  TaskExit,
  type Wait,
  currentScope,
  interrupt,
  park,
  runIn,
  wake,
} from "./core.ts";

declare module "./core.ts" {
  interface Task {
    /**
     * Ends the task: one not started never runs; a running one gets
     * `TaskExit` from its current or next lib switch point (`sleep`,
     * `join`, `recv`...), so its `finally` blocks run. While it awaits
     * anything else (a plain Promise, `fetch`) the kill waits, and is
     * lost if the task ends first. `await` it (a switch point, as in
     * gevent) to wait until the task is over; a task that kills itself
     * gets its `TaskExit` there. Never rejects for the killed task.
     * To go on at once on purpose, pass `{ block: false }`, as gevent's
     * `kill(block=False)`: it returns nothing, so the linter's
     * no-floating-promises rule has nothing to flag.
     * @example
     * import { sleep, spawn } from "./lib/index.ts";
     * const t = spawn(sleep, 1000);
     * await sleep(10);
     * await t.kill();
     * console.log(t.killed); // → true
     */
    kill(options: { block: false }): void;
    kill(options?: { block?: true }): Parked<void>;
  }
}

/** `block: false`: send the kill and go on; nothing to await. */
export type KillOptions = { block?: boolean };

Task.prototype.kill = function kill(
  this: Task,
  { block = true }: KillOptions = {},
): Parked<void> | void {
  sendExit(this);
  if (block) return whenOver([this]);
} as Task["kill"];

/**
 * Kills every task (see `Task.kill`); `await` it to wait until all are
 * over (a switch point). `gevent.killall`; `{ block: false }` as there.
 */
export function killAll(tasks: Iterable<Task>, options: { block: false }): void;
export function killAll(
  tasks: Iterable<Task>,
  options?: { block?: true },
): Parked<void>;
export function killAll(
  tasks: Iterable<Task>,
  { block = true }: KillOptions = {},
): Parked<void> | void {
  const list = [...tasks];
  list.forEach(sendExit);
  if (block) return whenOver(list);
}

/**
 * A switch point that parks the caller only once it is awaited (or
 * `.then`ed): for calls that act at once and may be awaited or not
 * (`task.kill()`, `killAll()`, `pool.spawn()`). A caller that does not
 * await it is never parked in it, so no kill or Timeout meant for that
 * caller is lost in a wait that nobody reads.
 */
export class Parked<T> implements PromiseLike<T> {
  readonly #scope = currentScope();
  readonly #start: (wait: Wait<T>) => void;
  readonly #on: Task[] | string | undefined;
  #promise: Promise<T> | undefined;
  constructor(start: (wait: Wait<T>) => void, on?: Task[] | string) {
    this.#start = start;
    this.#on = on;
  }
  then<A = T, B = never>(
    ok?: ((value: T) => A | PromiseLike<A>) | null,
    fail?: ((error: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    this.#promise ??= runIn(this.#scope, () =>
      park(this.#start, undefined, this.#on),
    );
    return this.#promise.then(ok, fail);
  }
  catch<B = never>(
    fail?: ((error: unknown) => B | PromiseLike<B>) | null,
  ): Promise<T | B> {
    return this.then(undefined, fail);
  }
}

// One not started never runs; a running one gets TaskExit at its switch point.
function sendExit(task: Task): void {
  if (!task.started()) task.end(undefined, new TaskExit());
  else if (!task.ready()) interrupt(task, (task.exit = new TaskExit()));
}

function whenOver(list: Task[]): Parked<void> {
  return new Parked<void>((wait) => {
    let left = list.length;
    const done = () => void (--left === 0 && wake(wait, undefined));
    wait.cancel = () => list.forEach((t) => t.offDone(done));
    if (left === 0) wake(wait, undefined);
    for (const t of list) t.onDone(done);
  }, list);
}
