// The cheap spawn path of lib/core.ts keeps the semantics: lazy names,
// one Wait per switch point, then()-followed tasks, and current()
// carried by AsyncLocalStorage.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  current,
  join,
  joinAll,
  sleep,
  spawn,
  Timeout,
  TimeoutError,
} from "../lib/index.ts";

test("names are made on first read, still numbered in spawn order; a name can be set", async () => {
  const a = spawn(() => 1);
  const b = spawn(() => 2);
  const c = spawn(() => 3);
  const n = (name: string) => Number(/^Task-(\d+)$/.exec(name)?.[1]);
  assert.equal(n(c.name), n(a.name) + 2, "read c first, then a");
  assert.equal(n(b.name), n(a.name) + 1);
  b.name = "worker";
  assert.equal(b.name, "worker");
  await joinAll([a, b, c]);
  assert.deepEqual([a.value, b.value, c.value], [1, 2, 3]);
});

test("a task returning a plain value, a foreign thenable or a rejected promise ends right", async (t) => {
  t.mock.method(console, "error", () => {});
  const plain = spawn(() => "plain");
  const thenable = spawn(() => ({
    then(resolve: (v: string) => void) {
      setTimeout(() => resolve("thenable"), 5);
    },
  }));
  const rejected = spawn(() => Promise.reject(new Error("no")));
  const nothing = spawn(() => Promise.reject(undefined));
  await joinAll([plain, thenable, rejected, nothing]);
  assert.equal(plain.value, "plain");
  assert.equal(thenable.value, "thenable");
  assert.equal((rejected.exception as Error).message, "no");
  assert.ok(
    nothing.exception instanceof Error,
    "a rejection with undefined still counts as a failure",
  );
  assert.equal(nothing.successful(), false);
});

test("current(): the task after every kind of await; a plain callback belongs to the task that set it up", async () => {
  const seen: string[] = [];
  let release!: () => void;
  const outside = new Promise<void>((r) => (release = r));
  const task = spawn(async () => {
    await outside; // a promise made outside the task
    seen.push(current().name);
    await new Promise((r) => setTimeout(r, 2));
    seen.push(current().name);
    await Promise.all([sleep(1), sleep(2)]);
    seen.push(current().name);
    setTimeout(() => seen.push(`callback:${current().name}`), 1);
    await sleep(10);
    return current().name;
  });
  await sleep(1);
  release();
  await join(task);
  assert.deepEqual(seen, [
    task.name,
    task.name,
    task.name,
    `callback:${task.name}`,
  ]);
  assert.equal(task.value, task.name);
  assert.equal(current().name, "MainTask");
});

test("a Timeout interrupts a sleep, and joinAll counts a task listed twice", async () => {
  const task = spawn(async () => {
    const t = Timeout.start(10);
    try {
      await sleep(5_000);
      return "slept";
    } catch (e) {
      return e instanceof TimeoutError ? "timed out" : "other";
    } finally {
      t.cancel();
    }
  });
  assert.deepEqual(await joinAll([task, task]), [task, task]);
  assert.equal(task.value, "timed out");
});

test("killing a sleeping task clears its timer: the process can exit at once", async () => {
  const script = `
    import { spawn, sleep, joinAll } from "./lib/index.ts";
    const tasks = [spawn(sleep, 60_000), spawn(sleep, 60_000)];
    await sleep(10);
    for (const t of tasks) await t.kill();
    console.log((await joinAll(tasks)).length, tasks.every((t) => t.killed));
  `;
  const t0 = performance.now();
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", script],
    { timeout: 30_000 },
  );
  assert.equal(stdout, "2 true\n");
  assert.ok(
    performance.now() - t0 < 20_000,
    "a pending 60 s timer kept the process alive",
  );
});

test("100,000 sleeping tasks all finish, each with its value", async () => {
  const tasks = [];
  for (let i = 0; i < 100_000; i++)
    tasks.push(spawn(async (x: number) => (await sleep(5), x), i));
  const done = await joinAll(tasks);
  assert.equal(done.length, 100_000);
  assert.equal(tasks[99_999]!.value, 99_999);
});

test("kill after one of two waits is over: only the live wait is interrupted, and a kill is never lost", async () => {
  const log: string[] = [];
  const task = spawn(async () => {
    try {
      // Two waits at once (a Set); the first ends, the second is killed.
      await Promise.all([
        sleep(1).then(() => log.push("short done")),
        sleep(5_000),
      ]);
      log.push("not reached");
    } finally {
      log.push("finally");
    }
  });
  while (!log.includes("short done")) await sleep(5); // however busy the machine
  await task.kill();
  assert.deepEqual(log, ["short done", "finally"]);
  assert.equal(task.killed, true);

  // A wait that is over is not interrupted again: the kill reaches the
  // task at its next switch point (here the second sleep).
  const steps: string[] = [];
  const t2 = spawn(async () => {
    await sleep(1);
    steps.push("woke");
    try {
      await sleep(5_000);
    } catch (e) {
      steps.push((e as Error).name);
      throw e;
    }
  });
  while (!steps.includes("woke")) await sleep(5);
  await t2.kill();
  assert.deepEqual(steps, ["woke", "TaskExit"]);
});
