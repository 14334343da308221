/**
 * `joinAll`: gevent's `joinall`, waiting for many tasks at once.
 */
import { Task, checkMs, expect, park, wake } from "./core.ts";

/**
 * Waits for every task, or `timeout` ms; returns those that are over,
 * in the order given. `raiseError`: rejects with the first failure.
 * @example
 * import { joinAll, sleep, spawn } from "./lib/index.ts";
 * const done = await joinAll([spawn(sleep, 10), spawn(sleep, 500)], {
 *   timeout: 100,
 * });
 * console.log(done.length); // → 1
 */
export function joinAll(
  tasks: Iterable<Task>,
  options: { timeout?: number | undefined; raiseError?: boolean } = {},
): Promise<Task[]> {
  const list = [...tasks];
  const { timeout, raiseError = false } = options;
  if (timeout !== undefined) checkMs(timeout, "timeout");
  for (const t of list) expect(t instanceof Task, "tasks", "Tasks", t);
  const done = () => list.filter((t) => t.ready());
  return park<Task[]>(
    (wait) => {
      let left = list.length;
      const stop = () => {
        clearTimeout(timer);
        for (const t of list) t.offDone(onDone); // none left on a live task
      };
      const timer =
        timeout === undefined
          ? undefined
          : setTimeout(() => wake(wait, done()) && stop(), timeout);
      wait.cancel = stop;
      const onDone = (t: Task) => {
        if (raiseError && t.exception !== undefined && wait.settle()) {
          stop();
          wait.reject(t.exception);
        } else if (--left === 0 && wake(wait, done())) clearTimeout(timer);
      };
      if (left === 0) wake(wait, []);
      for (const t of list) t.onDone(onDone);
    },
    undefined,
    list,
  );
}
