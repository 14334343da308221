/**
 * Pool: at most `size` tasks at once, like `gevent.pool.Pool`.
 *
 * `pool.spawn()` waits while the pool is full, so the caller slows
 * down instead of piling up tasks. In gevent `spawn` blocks the
 * calling greenlet; here it returns a Promise: `await pool.spawn(...)`.
 */
import { Task, joinAll, killAll, show, spawn, suspend } from "./task.ts";

/**
 * A group of at most `size` running tasks.
 * @example
 * import { Pool, sleep } from "./lib/index.ts";
 * const pool = new Pool(2);
 * for (let i = 0; i < 6; i++) await pool.spawn(sleep, 100);
 * await pool.join(); // about 300 ms in all: 2 at a time
 */
export class Pool {
  readonly size: number;
  readonly #tasks = new Set<Task>();
  readonly #waiters: (() => void)[] = [];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new TypeError(`Expected \`size\` to be an integer from 1 and up, got \`${show(size)}\``);
    }
    this.size = size;
  }

  /** The tasks spawned by this pool that are not over yet. */
  get tasks(): Task[] {
    return [...this.#tasks];
  }

  /** How many more tasks could start now. */
  freeCount(): number {
    return this.size - this.#tasks.size;
  }

  /** True when `spawn` would have to wait. */
  full(): boolean {
    return this.freeCount() <= 0;
  }

  /** Waits (a switch point) until at least one slot is free. */
  async waitAvailable(): Promise<void> {
    while (this.full()) {
      await suspend<void>((resolve) => {
        this.#waiters.push(resolve);
        return () => {
          const i = this.#waiters.indexOf(resolve);
          if (i >= 0) this.#waiters.splice(i, 1);
        };
      });
    }
  }

  /** Waits for a free slot, then spawns `fn(...args)` in it. */
  async spawn<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Promise<Task<Awaited<R>>> {
    await this.waitAvailable();
    const task = spawn(fn, ...args);
    this.#tasks.add(task as Task);
    task.onDone(() => {
      this.#tasks.delete(task as Task);
      this.#waiters.shift()?.();
    });
    return task;
  }

  /** Waits until the pool's current tasks are over (see `joinAll`). */
  join(timeoutMs?: number): Promise<Task[]> {
    return joinAll(this.tasks, timeoutMs === undefined ? {} : { timeout: timeoutMs });
  }

  /** Kills every task of the pool and waits until they are over. */
  kill(): Promise<void> {
    return killAll(this.tasks);
  }
}
