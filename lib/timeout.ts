/**
 * Timeouts: gevent's `Timeout` and `with_timeout`, in milliseconds.
 *
 * A Timeout throws its `TimeoutError` at the current or next switch
 * point of the code that started it. Code that never reaches a switch
 * point cannot time out, as in gevent.
 */
import { Scope, checkMs, currentScope, interrupt, runIn, show } from "./wait.ts";

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
 * A timer that interrupts the task that started it (inside a
 * `withTimeout`, only the code inside). gevent's
 * `Timeout(seconds).start()` and `.close()`; prefer `withTimeout`.
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
  #scope: Scope | undefined;
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #error: TimeoutError | undefined;

  constructor(ms: number) {
    checkMs(ms, "ms");
    this.ms = ms;
  }

  /** Creates and starts a Timeout for the running code. */
  static start(ms: number): Timeout {
    return new Timeout(ms).start();
  }

  /** Starts (or restarts) the countdown for the running code. */
  start(): this {
    this.cancel();
    const scope = (this.#scope = currentScope());
    this.#timer = setTimeout(() => {
      // Fire after the other timers due now: a wait as long as the
      // Timeout, started after it, still ends first, as in gevent.
      this.#immediate = setImmediate(() => interrupt(scope, (this.#error = new TimeoutError(this))));
    }, this.ms);
    return this;
  }

  /** Stops the countdown; a timeout not yet delivered is dropped. */
  cancel(): void {
    clearTimeout(this.#timer);
    clearImmediate(this.#immediate);
    const scope = this.#scope;
    if (scope && scope.pending === this.#error) scope.pending = undefined;
    this.#scope = this.#error = undefined;
  }
}

/**
 * Runs `fn`; throws `TimeoutError` if it has not finished after `ms`
 * milliseconds. Only the waits of `fn` are interrupted, not others of
 * the same task. Like `gevent.with_timeout`.
 * @example
 * import { withTimeout, sleep } from "./lib/index.ts";
 * await withTimeout(1000, () => sleep(10)); // fine
 * await withTimeout(10, () => sleep(1000)).catch((e) => console.log(e.message));
 * // → timed out after 10 ms
 */
export function withTimeout<T>(ms: number, fn: () => T | PromiseLike<T>): Promise<T> {
  checkMs(ms, "ms");
  if (typeof fn !== "function") throw new TypeError(`Expected \`fn\` to be a function, got \`${show(fn)}\``);
  return runIn(new Scope(currentScope()), async () => {
    const timeout = Timeout.start(ms);
    try {
      return await fn();
    } finally {
      timeout.cancel();
    }
  });
}
