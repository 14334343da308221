/**
 * Kills: gevent's `greenlet.kill()` and `gevent.killall()`, built on the
 * core's `interrupt()`. Importing this file gives every Task `kill()`.
 */
import { Task, TaskExit, current, interrupt } from "./core.ts";

declare module "./core.ts" {
  interface Task {
    /**
     * Ends the task: one not started never runs; a running one gets
     * `TaskExit` from its current or next lib switch point (`sleep`,
     * `join`, `recv`...), so its `finally` blocks run. While it awaits
     * anything else (a plain Promise, `fetch`) the kill waits, and is
     * lost if the task ends first. Resolves once the task is over (at
     * once when a task kills itself: its next switch point throws);
     * never rejects.
     * @example
     * import { sleep, spawn } from "./lib/index.ts";
     * const t = spawn(sleep, 1000);
     * await sleep(10);
     * await t.kill();
     * console.log(t.killed); // → true
     */
    kill(): Promise<void>;
  }
}

Task.prototype.kill = function kill(this: Task): Promise<void> {
  const exit = new TaskExit();
  if (!this.started()) this.end(undefined, exit);
  else if (!this.ready()) interrupt(this, exit);
  if (this.ready() || this === current()) return Promise.resolve();
  return new Promise((resolve) => this.onDone(() => resolve()));
};

/**
 * Kills every task (see `Task.kill`); resolves once all are over.
 * `gevent.killall`.
 */
export async function killAll(tasks: Iterable<Task>): Promise<void> {
  await Promise.all([...tasks].map((t) => t.kill()));
}
