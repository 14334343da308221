/**
 * Timeouts: gevent's `Timeout` and `with_timeout`, in milliseconds.
 *
 * A started Timeout throws its `TimeoutError` into the task that
 * started it, at that task's current or next switch point. Like in
 * gevent, code that never reaches a switch point cannot time out.
 */
import { Task, checkMs, current } from "./task.ts";

/** The error a `Timeout` throws; `timeout` tells which one fired. */
export class TimeoutError extends Error {
  override name = "TimeoutError";
  readonly timeout: Timeout;
  constructor(timeout: Timeout) {
    super(`timed out after ${timeout.ms} ms`);
    this.timeout = timeout;
  }
}

/**
 * A timer that interrupts the task that started it.
 * Same as gevent's `Timeout(seconds).start()` / `.close()`.
 * @example
 * import { Timeout, TimeoutError, sleep } from "./lib/index.ts";
 * const t = Timeout.start(50);
 * try {
 *   await sleep(1000);
 * } catch (e) {
 *   console.log(e instanceof TimeoutError && e.timeout === t); // → true
 * } finally {
 *   t.cancel();
 * }
 */
export class Timeout {
  readonly ms: number;
  #task: Task | undefined;
  #timer: NodeJS.Timeout | undefined;
  #error: TimeoutError | undefined;

  constructor(ms: number) {
    checkMs(ms, "ms");
    this.ms = ms;
  }

  /** Creates and starts a Timeout in the current task. */
  static start(ms: number): Timeout {
    return new Timeout(ms).start();
  }

  /** Starts the countdown for the current task. */
  start(): this {
    this.cancel();
    const task = current();
    this.#task = task;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#error = new TimeoutError(this);
      task.interrupt(this.#error);
    }, this.ms);
    return this;
  }

  /** Stops the countdown; an undelivered timeout is dropped. */
  cancel(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#task && this.#task.pending === this.#error) this.#task.pending = undefined;
    this.#timer = this.#task = this.#error = undefined;
  }
}

/**
 * Runs `fn` in the current task; throws `TimeoutError` if it has not
 * finished after `ms` milliseconds. Like `gevent.with_timeout`.
 * @example
 * import { withTimeout, sleep } from "./lib/index.ts";
 * await withTimeout(1000, () => sleep(10)); // fine
 * await withTimeout(10, () => sleep(1000)).catch((e) => console.log(e.message));
 * // → timed out after 10 ms
 */
export async function withTimeout<T>(ms: number, fn: () => T | PromiseLike<T>): Promise<T> {
  if (typeof fn !== "function") {
    throw new TypeError(`Expected \`fn\` to be a function, got \`${typeof fn}\``);
  }
  const timeout = Timeout.start(ms);
  try {
    return await fn();
  } finally {
    timeout.cancel();
  }
}
