/**
 * Several observers of the tasks at once (the timeline and the
 * blocking detector can both be on). The lib keeps one observer slot
 * per process, on `globalThis` under `Symbol.for("xiecheng.observer")`,
 * shared by every copy of the lib a program loads (a copied `lib/` and
 * the one this file sits beside). This module fills the slot with a
 * fan-out while any observer is added, and empties it again when the
 * last one is removed, so that nothing is paid while no observer is on.
 */
import type { Task, TaskObserver } from "../../lib/core.ts";

const shared = ((globalThis as Record<symbol, unknown>)[
  Symbol.for("xiecheng.observer")
] ??= {}) as { observer?: TaskObserver | undefined };
const setTaskObserver = (o: TaskObserver | undefined) =>
  void (shared.observer = o);

const observers: TaskObserver[] = [];

const fanOut: TaskObserver = {
  spawn: (t: Task) => {
    for (const o of observers) o.spawn?.(t);
  },
  start: (t: Task) => {
    for (const o of observers) o.start?.(t);
  },
  park: (t: Task, ms?: number) => {
    for (const o of observers) o.park?.(t, ms);
  },
  resume: (t: Task) => {
    for (const o of observers) o.resume?.(t);
  },
  end: (t: Task) => {
    for (const o of observers) o.end?.(t);
  },
};

/** Adds an observer of every task; returns a function that removes it. */
export function addTaskObserver(o: TaskObserver): () => void {
  observers.push(o);
  setTaskObserver(observers.length === 1 ? o : fanOut);
  return () => {
    const i = observers.indexOf(o);
    if (i >= 0) observers.splice(i, 1);
    setTaskObserver(
      observers.length === 0
        ? undefined
        : observers.length === 1
          ? observers[0]
          : fanOut,
    );
  };
}

const labels = new WeakMap<Task, string>();

/**
 * How reports name a task: `Task-2 (play)`, or just its name. The
 * label is kept from the first call (a finished task forgets its
 * function), so call it early, e.g. from the `spawn` hook.
 */
export function taskLabel(t: Task): string {
  let label = labels.get(t);
  if (label === undefined) {
    const fn = t.fnName;
    label = fn === "anonymous" || t.name === fn ? t.name : `${t.name} (${fn})`;
    labels.set(t, label);
  }
  return label;
}
