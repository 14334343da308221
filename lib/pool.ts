/**
 * Pool: at most `size` tasks at once, like `gevent.pool.Pool`.
 *
 * `pool.spawn()` queues the job and returns a Promise of its Task,
 * settled when the job starts: `await` it to slow down while the pool
 * is full (gevent's spawn blocks the caller), or spawn many without
 * `await` and `join()` them all. The pool never runs more than `size`.
 */
import { Task, joinAll, killAll, spawn } from "./task.ts";
import { show, suspend } from "./wait.ts";

/**
 * A group of at most `size` running tasks.
 * @example
 * import { Pool, sleep } from "./lib/index.ts";
 * const pool = new Pool(2);
 * for (let i = 0; i < 6; i++) pool.spawn(sleep, 100);
 * await pool.join(); // about 300 ms in all: 2 at a time
 */
export class Pool {
  readonly size: number;
  readonly #running = new Set<Task>();
  readonly #queue: (() => void)[] = [];
  readonly #waiters = new Set<() => void>();

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new TypeError(`Expected \`size\` to be an integer from 1 and up, got \`${show(size)}\``);
    }
    this.size = size;
  }

  /** The running tasks of the pool. */
  get tasks(): Task[] {
    return [...this.#running];
  }

  /** How many more tasks could start now. */
  freeCount(): number {
    return this.size - this.#running.size;
  }

  /** True when a new job would have to wait. */
  full(): boolean {
    return this.freeCount() <= 0;
  }

  /** Waits (a switch point) until a slot is free. */
  async waitAvailable(): Promise<void> {
    while (this.full() || this.#queue.length > 0) {
      await suspend<void>((resolve) => {
        this.#waiters.add(resolve);
        return () => this.#waiters.delete(resolve);
      });
    }
  }

  /** Queues `fn(...args)`; resolves with its Task once it has a slot. */
  spawn<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Promise<Task<Awaited<R>>> {
    if (typeof fn !== "function") throw new TypeError(`Expected \`fn\` to be a function, got \`${show(fn)}\``);
    return new Promise((resolve) => {
      this.#queue.push(() => {
        const task = spawn(fn, ...args);
        this.#running.add(task as Task);
        task.onDone(() => {
          this.#running.delete(task as Task);
          this.#next();
        });
        resolve(task);
      });
      this.#next();
    });
  }

  #next(): void {
    while (!this.full() && this.#queue.length > 0) this.#queue.shift()!();
    if (this.full()) return;
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }

  /** Waits until every job handed to the pool is over, or `timeoutMs` passed; returns whether all are. */
  async join(timeoutMs?: number): Promise<boolean> {
    const end = timeoutMs === undefined ? Infinity : performance.now() + timeoutMs;
    while (this.#running.size > 0) {
      const left = end - performance.now();
      if (left <= 0) return false;
      await joinAll(this.#running, left === Infinity ? {} : { timeout: left });
    }
    return true;
  }

  /** Kills every job of the pool, queued or running, and waits until they are over. */
  kill(): Promise<void> {
    for (const start of this.#queue.splice(0)) start(); // spawned, then killed before they run
    return killAll(this.#running);
  }
}
