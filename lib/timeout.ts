/**
 * Timeouts: gevent's `Timeout` and `with_timeout`, in milliseconds. A
 * Timeout throws its `TimeoutError` at the current or next switch point
 * of the code that started it; code that never reaches a switch point
 * cannot time out, as in gevent.
 */
import {
  Scope,
  checkMs,
  currentScope,
  enterScope,
  expect,
  interrupt,
  now,
  runIn,
} from "./core.ts";

// The part of a task that a Timeout covers. Once cancelled, it is
// closed: a Timeout started after it nests beside it, not inside.
class Covered extends Scope {
  closed = false;
}

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
 * A timer that interrupts the task that started it: gevent's
 * `Timeout(seconds).start()` and `.close()`. Prefer `withTimeout`.
 * @example
 * import { Timeout, sleep } from "./lib/index.ts";
 * const t = Timeout.start(50);
 * try {
 *   await sleep(1000);
 * } catch (e) {
 *   console.log((e as { timeout?: unknown }).timeout === t); // → true
 * } finally {
 *   t.cancel();
 * }
 */
export class Timeout {
  readonly ms: number;
  #scope: Covered | undefined;
  #timer: NodeJS.Timeout | undefined;
  #error: TimeoutError | undefined;

  constructor(ms: number) {
    checkMs(ms, "ms");
    this.ms = ms;
  }

  /** Creates and starts a Timeout. */
  static start(ms: number): Timeout {
    return new Timeout(ms).start();
  }

  /**
   * Starts (or restarts) the countdown. It covers the code that runs
   * after it until the running callback returns, and what that code
   * awaits: not the task's other callbacks, but also the `Promise.all`
   * branches started after it. `withTimeout` covers exactly its `fn`.
   */
  start(): this {
    this.cancel();
    let parent: Scope = currentScope();
    while (parent instanceof Covered && parent.closed) parent = parent.parent!;
    const scope = (this.#scope = enterScope(new Covered(parent)));
    const due = now() + this.ms;
    this.#timer = setTimeout(
      () => interrupt(scope, (this.#error = new TimeoutError(this)), due),
      this.ms,
    );
    return this;
  }

  /** @internal Its TimeoutError, if it was thrown into the code it covers. */
  thrown(): TimeoutError | undefined {
    return this.#scope?.pending === this.#error ? undefined : this.#error;
  }

  /** Stops the countdown; a timeout not yet delivered is dropped. */
  cancel(): void {
    clearTimeout(this.#timer);
    const scope = this.#scope;
    if (scope) scope.closed = true;
    if (scope && scope.pending === this.#error) scope.pending = undefined;
    this.#scope = this.#error = undefined;
  }
}

/**
 * Runs `fn`; throws `TimeoutError` if it has not finished after `ms`
 * milliseconds. Only the waits inside `fn` are interrupted, not other
 * waits of the task. `gevent.with_timeout`.
 * @example
 * import { withTimeout, sleep } from "./lib/index.ts";
 * await withTimeout(1000, () => sleep(10)); // fine
 * await withTimeout(10, () => sleep(1000)).catch((e) => console.log(e.message));
 * // → timed out after 10 ms
 */
export function withTimeout<T>(
  ms: number,
  fn: () => T | PromiseLike<T>,
): Promise<T> {
  checkMs(ms, "ms");
  expect(typeof fn === "function", "fn", "a function", fn);
  // Where it was called: a TimeoutError thrown out of it points there,
  // not into the timer that fired (an unawaited one names its line).
  const site: { stack?: string } = {};
  Error.captureStackTrace(site, withTimeout);
  return runIn(new Scope(currentScope()), async () => {
    const timeout = Timeout.start(ms);
    try {
      const value = await fn();
      // Its time ran out, and a catch inside fn swallowed the TimeoutError.
      const error = timeout.thrown();
      if (error) throw error;
      return value;
    } catch (error) {
      if (error instanceof TimeoutError && error.timeout === timeout)
        error.stack = `${error.name}: ${error.message}${site.stack?.replace(/^.*/, "")}`;
      throw error;
    } finally {
      timeout.cancel();
    }
  });
}
