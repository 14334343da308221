/**
 * Pool: at most `size` tasks at once, like `gevent.pool.Pool`.
 *
 * `pool.spawn()` queues the job at once. `await` it (a switch point) to
 * wait until the job has a slot and get its Task: gevent's spawn blocks
 * the caller so, and a kill or Timeout that ends the wait takes the job
 * back out of the queue. Or spawn many without `await` and `join()` them
 * all: the pool never runs more than `size` at once.
 */
import { type Task, type Wait, expect, park, spawn, wake } from "./core.ts";
import { joinAll } from "./joinall.ts";
import { type KillOptions, Parked, killAll } from "./kill.ts";

const SLOT = "a free slot in the pool"; // what a deadlock report names

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
  readonly #waiters = new Set<Wait<void>>();

  constructor(size: number) {
    expect(
      Number.isInteger(size) && size >= 1,
      "size",
      "an integer from 1 and up",
      size,
    );
    this.size = size;
  }

  /** The running tasks (gevent's `pool.greenlets`; `len(pool)` is `tasks.length`). */
  get tasks(): Task[] {
    return [...this.#running];
  }

  /** How many more tasks could start now. */
  freeCount(): number {
    return this.size - this.#running.size;
  }

  /** True when a new job would have to wait. */
  full(): boolean {
    return this.freeCount() === 0 || this.#queue.length > 0;
  }

  /** Waits (a switch point) until a new job could start at once. */
  async waitAvailable(): Promise<void> {
    while (this.full()) {
      await park<void>(
        (wait) => {
          this.#waiters.add(wait);
          wait.cancel = () => this.#waiters.delete(wait);
        },
        undefined,
        SLOT,
      );
    }
  }

  /** Queues `fn(...args)`; `await` it for its Task, once it has a slot. */
  spawn<A extends unknown[], R>(
    fn: (...args: A) => R,
    ...args: A
  ): Parked<Task<Awaited<R>>> {
    expect(typeof fn === "function", "fn", "a function", fn);
    let task: Task<Awaited<R>> | undefined;
    let spawner: Wait<Task<Awaited<R>>> | undefined;
    const start = () => {
      const t = (task = spawn(fn, ...args)) as Task;
      this.#running.add(t);
      t.onDone(() => this.#running.delete(t) && this.#next());
      if (spawner) wake(spawner, task);
    };
    this.#queue.push(start);
    this.#next();
    return new Parked((wait) => {
      if (task) return void wake(wait, task);
      spawner = wait;
      wait.cancel = () => {
        const i = this.#queue.indexOf(start);
        if (i >= 0) this.#queue.splice(i, 1); // the job never runs
      };
    }, SLOT);
  }

  #next(): void {
    while (this.freeCount() > 0 && this.#queue.length > 0)
      this.#queue.shift()!();
    if (this.full()) return;
    for (const wait of this.#waiters) wake(wait, undefined);
    this.#waiters.clear();
  }

  /** Waits until every job handed to the pool is over (true), or `timeoutMs` has passed (false). */
  async join(timeoutMs?: number): Promise<boolean> {
    const end = performance.now() + (timeoutMs ?? Infinity);
    while (this.#running.size > 0 && performance.now() < end) {
      await joinAll(this.#running, {
        timeout: timeoutMs === undefined ? undefined : end - performance.now(),
      });
    }
    return this.#running.size === 0;
  }

  /**
   * Kills every job, queued (it never runs) or running; `await` it until
   * all are over, or pass `{ block: false }` to go on at once.
   */
  kill(options: { block: false }): void;
  kill(options?: { block?: true }): Parked<void>;
  kill({ block = true }: KillOptions = {}): Parked<void> | void {
    for (const start of this.#queue.splice(0)) start();
    if (block) return killAll(this.#running);
    killAll(this.#running, { block: false });
  }
}
