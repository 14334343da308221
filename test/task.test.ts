import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import v8 from "node:v8";
import vm from "node:vm";
import {
  current,
  join,
  joinAll,
  killAll,
  sleep,
  spawn,
  Task,
  TaskExit,
} from "../lib/index.ts";

// A full garbage collection, so that a heap reading is what stays alive.
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

const taskNumber = (t: Task) => Number(/^Task-(\d+)$/.exec(t.name)?.[1]);

test("spawn returns at once; tasks start at the spawner's next switch point, in spawn order", async () => {
  const log: string[] = [];
  const a = spawn(() => log.push("a"));
  const b = spawn(() => log.push("b"));
  const c = spawn(() => log.push("c"));
  log.push("spawner");
  assert.deepEqual(log, ["spawner"]);
  assert.equal(a.started(), false);
  await joinAll([a, b, c]);
  assert.deepEqual(log, ["spawner", "a", "b", "c"]);
  assert.equal(taskNumber(b), taskNumber(a) + 1);
  assert.equal(taskNumber(c), taskNumber(a) + 2);
});

test("current() names the running task across awaits and nested spawns", async () => {
  assert.equal(current().name, "MainTask");
  const seen: string[] = [];
  const child = async () => {
    seen.push(`child:${current().name}`);
    await sleep(5);
    seen.push(`child:${current().name}`);
  };
  const parent = spawn(async () => {
    const me = current().name;
    seen.push(`parent:${me}`);
    const kid = spawn(child);
    await Promise.resolve();
    seen.push(`parent:${current().name}`);
    // sleep(0), not sleep(1): the kid's start is already queued for this
    // loop turn, and a 1 ms timer could fire first on a busy machine.
    await sleep(0);
    seen.push(`parent:${current().name}`);
    await join(kid);
    seen.push(`parent:${current().name}`);
    return kid.name;
  });
  await join(parent);
  const p = parent.name;
  const k = parent.value as string;
  assert.equal(
    k,
    `Task-${taskNumber(parent) + 1}`,
    "a nested spawn gets the next number",
  );
  assert.deepEqual(seen, [
    `parent:${p}`,
    `parent:${p}`,
    `child:${k}`,
    `parent:${p}`,
    `child:${k}`,
    `parent:${p}`,
  ]);
  assert.equal(current().name, "MainTask");
});

test("value, get(), ready() and successful() of a task that returns", async () => {
  const t = spawn(
    async (x: number, y: number) => {
      await sleep(1);
      return x * y;
    },
    6,
    7,
  );
  assert.equal(t.ready(), false);
  assert.equal(await t.get(), 42);
  assert.equal(t.value, 42);
  assert.equal(t.ready(), true);
  assert.equal(t.successful(), true);
  assert.equal(t.exception, undefined);
});

test("join never throws for a failed task; get() re-throws its error", async (t) => {
  const errors = t.mock.method(console, "error", () => {});
  const boom = new Error("boom");
  const task = spawn(async () => {
    await sleep(1);
    throw boom;
  });
  assert.equal(await join(task), true);
  assert.equal(task.successful(), false);
  assert.equal(task.exception, boom);
  await assert.rejects(task.get(), boom);
  assert.equal(errors.mock.callCount(), 1);
});

test("a failure is reported on stderr at once, naming the task, and the others go on", async () => {
  const script = `
    import { spawn, sleep, joinAll } from "./lib/index.ts";
    async function boom() { await sleep(10); throw new Error("boom"); }
    async function steady() { for (let i = 0; i < 3; i++) { await sleep(20); console.log("tick " + i); } }
    await joinAll([spawn(boom), spawn(steady)]);
    console.log("main done");
  `;
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [
    "--import",
    "tsx",
    "--input-type=module",
    "-e",
    script,
  ]);
  assert.equal(stdout, "tick 0\ntick 1\ntick 2\nmain done\n");
  // One line, as on a projector: who failed, with what, and where.
  assert.match(
    stderr,
    /^Task-1 \(boom\) failed with Error: boom \(at \[eval1\]:3:\d+\)\n$/,
  );
});

test("join(task, timeout) gives up after the timeout and returns false", async () => {
  const slow = spawn(sleep, 5000);
  const t0 = performance.now();
  assert.equal(await join(slow, 50), false);
  const waited = performance.now() - t0;
  assert.ok(waited >= 45 && waited < 2000, `waited ${waited} ms`);
  assert.equal(slow.ready(), false);
  await slow.kill();
  assert.equal(await join(slow), true);
});

test("joinAll returns the finished tasks; on timeout only those", async () => {
  const fast = spawn(sleep, 10);
  const slow = spawn(sleep, 5000);
  const done = await joinAll([fast, slow], { timeout: 200 });
  assert.deepEqual(done, [fast]);
  await slow.kill();
  assert.deepEqual(await joinAll([fast, slow]), [fast, slow]);
  assert.deepEqual(await joinAll([]), []);
});

test("joinAll with raiseError rejects with the first failure", async (t) => {
  t.mock.method(console, "error", () => {});
  const err = new Error("first");
  const a = spawn(async () => {
    await sleep(10);
    throw err;
  });
  const b = spawn(sleep, 200);
  await assert.rejects(joinAll([a, b], { raiseError: true }), err);
  assert.equal(b.ready(), false);
  await b.kill();
});

test("kill before start: the task never runs, and it is not a failure", async () => {
  let ran = false;
  const t = spawn(() => {
    ran = true;
  });
  await t.kill();
  await sleep(5);
  assert.equal(ran, false);
  assert.equal(t.killed, true);
  assert.equal(t.ready(), true);
  assert.equal(t.successful(), true);
  await assert.rejects(t.get(), TaskExit);
});

test("kill during sleep: the sleep throws TaskExit, finally runs, kill resolves after it", async (t) => {
  const errors = t.mock.method(console, "error", () => {});
  const log: string[] = [];
  const task = spawn(async () => {
    try {
      log.push("sleeping");
      await sleep(10_000);
      log.push("woke");
    } finally {
      log.push("finally");
    }
  });
  await sleep(10);
  const t0 = performance.now();
  await task.kill();
  assert.ok(performance.now() - t0 < 1000);
  assert.deepEqual(log, ["sleeping", "finally"]);
  assert.equal(task.killed, true);
  assert.equal(task.exception, undefined);
  assert.equal(
    errors.mock.callCount(),
    0,
    "a kill is not reported as a failure",
  );
});

test("killAll kills every task, including ones waiting in join", async () => {
  const sleeper = spawn(sleep, 10_000);
  const joiner = spawn(() => join(sleeper));
  await sleep(5);
  await killAll([joiner, sleeper]);
  assert.equal(joiner.killed, true);
  assert.equal(sleeper.killed, true);
});

test("sleep(0) yields to the other ready tasks, round-robin, and lets timers fire", async () => {
  const log: string[] = [];
  const worker = (name: string) => async () => {
    for (let i = 0; i < 3; i++) {
      log.push(`${name}${i}`);
      await sleep(0);
    }
  };
  await joinAll([spawn(worker("a")), spawn(worker("b"))]);
  assert.deepEqual(log, ["a0", "b0", "a1", "b1", "a2", "b2"]);

  let fired = false;
  setTimeout(() => (fired = true), 1);
  const t0 = performance.now();
  while (!fired && performance.now() - t0 < 2000) await sleep(0);
  assert.equal(fired, true, "a timer must fire while a task loops on sleep(0)");
});

test("sleep waits about the given time", async () => {
  const t0 = performance.now();
  await sleep(50);
  const took = performance.now() - t0;
  assert.ok(took >= 49 && took < 1500, `took ${took} ms`);
});

test("sleeps that end together wake one by one: the first can kill the next before it runs", async () => {
  const log: string[] = [];
  let b: Task | undefined;
  const a = spawn(async () => {
    await sleep(20);
    log.push("a woke");
    await b!.kill();
  });
  b = spawn(async () => {
    await sleep(20);
    log.push("b ran after its sleep");
  });
  await joinAll([a, b]);
  assert.deepEqual(log, ["a woke"]);
  assert.equal(b.killed, true);
});

test("sleeps begun together share a timer: a sleep begun after all of them were killed still wakes", async () => {
  const log: string[] = [];
  const sleeper = (name: string) =>
    spawn(async () => {
      await sleep(40);
      log.push(name);
    });
  // One hub turn starts a, b and killer: their sleeps begin together.
  const a = sleeper("a");
  const b = sleeper("b");
  const killer = spawn(async () => {
    killAll([a, b], { block: false }); // their timer goes
    await sleep(40); // same length, same start: a timer of its own
    log.push("killer");
  });
  const t0 = performance.now();
  await joinAll([a, b, killer]);
  const took = performance.now() - t0;
  assert.deepEqual(log, ["killer"]);
  assert.ok(took >= 39 && took < 5000, `took ${took} ms`);
});

test("bad arguments throw a TypeError naming the parameter and the value", () => {
  assert.throws(() => sleep(-1), {
    name: "TypeError",
    message:
      "Expected `ms` to be a non-negative number of milliseconds, got `-1`",
  });
  assert.throws(() => sleep(Number.NaN), {
    name: "TypeError",
    message: /`ms`.*got `NaN`/,
  });
  assert.throws(() => sleep("5" as unknown as number), {
    name: "TypeError",
    message: /got `"5"`/,
  });
  assert.throws(() => sleep(2 ** 31), {
    name: "TypeError",
    message:
      "Expected `ms` to be at most 2147483647 ms (about 24.8 days), got `2147483648`",
  });
  assert.throws(() => joinAll([], { timeout: 2 ** 40 }), {
    name: "TypeError",
    message: /`timeout` to be at most/,
  });
  assert.throws(() => spawn(42 as unknown as () => void), {
    name: "TypeError",
    message: "Expected `fn` to be a function, got `42`",
  });
  assert.throws(() => join({} as Task), {
    name: "TypeError",
    message: "Expected `task` to be a Task, got `object`",
  });
  assert.throws(() => joinAll([], { timeout: -5 }), {
    name: "TypeError",
    message: /`timeout`.*got `-5`/,
  });
});

test("a task that kills itself without await ends at its next switch point; the program goes on", async () => {
  const log: string[] = [];
  const t = spawn(async () => {
    current().kill({ block: false }); // gevent: getcurrent().kill(block=False)
    log.push("still running");
    try {
      await sleep(10);
      log.push("not reached");
    } finally {
      log.push("finally");
    }
  });
  await join(t);
  assert.deepEqual(log, ["still running", "finally"]);
  assert.equal(t.killed, true);
  assert.equal(t.successful(), true);
});

test("a fire-and-forget kill does not spend the caller's expired Timeout", async () => {
  const { Timeout, TimeoutError } = await import("../lib/index.ts");
  const b = spawn(sleep, 1000);
  const a = spawn(async () => {
    const timeout = Timeout.start(10);
    try {
      await new Promise((r) => setTimeout(r, 30)); // not a switch point: the Timeout waits
      b.kill({ block: false });
      await sleep(100);
      return "no timeout";
    } catch (e) {
      return e instanceof TimeoutError && e.timeout === timeout
        ? "caught its Timeout"
        : String(e);
    } finally {
      timeout.cancel();
    }
  });
  assert.equal(await a.get(), "caught its Timeout");
  assert.equal(b.killed, true);
});

test("a deadlock is one line on stderr naming who waits for whom, and exit code 1", async () => {
  const run = promisify(execFile);
  const error = await run(
    process.execPath,
    ["--import", "tsx", "test/fixtures/deadlock.ts"],
    { timeout: 30_000 },
  ).then(
    () => assert.fail("a deadlock must not exit 0"),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
  assert.equal(error.code, 1);
  assert.equal(error.stdout, "");
  assert.equal(
    error.stderr,
    "error: deadlock, no task can ever go on: MainTask waits for Task-1, Task-1 waits for Task-2, Task-2 waits for Task-1\n",
  );
});

test("a task that kills itself, with await, gets one TaskExit, right at the await (as in gevent)", async () => {
  const log: string[] = [];
  const t = spawn(async () => {
    try {
      await current().kill(); // a switch point: the TaskExit comes here
      log.push("not reached either");
      await sleep(10);
      log.push("not reached");
    } catch (e) {
      log.push((e as Error).name);
      await sleep(1); // caught once: no second TaskExit
      log.push("slept after");
    }
  });
  await join(t);
  assert.deepEqual(log, ["TaskExit", "slept after"]);
  assert.equal(t.killed, false, "it caught the TaskExit and returned");
});

test("joinAll with raiseError leaves no timer behind; joins that time out leave nothing on the task", async () => {
  const timers = () =>
    process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
  const before = timers();
  const bad = spawn(() => {
    throw Object.assign(new Error("boom"), { quiet: true });
  });
  const err = console.error;
  console.error = () => {}; // the one-line failure report
  try {
    await assert.rejects(
      joinAll([bad], { timeout: 60_000, raiseError: true }),
      /boom/,
    );
  } finally {
    console.error = err;
  }
  assert.equal(timers(), before, "the timeout's timer is cleared");
  const long = spawn(sleep, 60_000);
  // 10,000 joins that time out (each would keep about 2 KB if it left
  // its callback on the task): 500 tasks with 20 each, so that the
  // timers of a round fire together.
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  await joinAll(
    Array.from({ length: 500 }, () =>
      spawn(async () => {
        for (let i = 0; i < 20; i++) assert.equal(await join(long, 0), false);
      }),
    ),
    { raiseError: true },
  );
  gc();
  const grown = (process.memoryUsage().heapUsed - heap0) / 1e6;
  assert.ok(grown < 4, `10,000 timed-out joins kept ${grown.toFixed(1)} MB`);
  await long.kill();
});

test("MainTask is running: started() is true, and a kill from a task interrupts main's wait", async () => {
  assert.equal(current().started(), true);
  assert.equal(current().ready(), false);
  const script = `
    import { current, sleep, spawn } from "./lib/index.ts";
    const main = current();
    spawn(() => main.kill());
    try { await sleep(1000); console.log("slept"); } catch (e) { console.log("main got " + e.name, main.ready()); }
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", script],
    { timeout: 30_000 },
  );
  assert.equal(stdout, "main got TaskExit false\n");
});

test("a join left behind by Promise.race is no deadlock: the program ends normally", async () => {
  const run = promisify(execFile);
  const script = `
    import { join, sleep, spawn } from "./lib/index.ts";
    const worker = spawn(() => new Promise(() => {}));
    console.log(await Promise.race([join(worker).then(() => "joined"), sleep(50).then(() => "gave up")]));
  `;
  const { stdout, stderr } = await run(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", script],
    { timeout: 30_000 },
  );
  assert.equal(stdout, "gave up\n");
  assert.equal(stderr, "");
});

test("tasks waiting for one task resume in the order they began to wait, join or joinAll alike (as in gevent)", async () => {
  const { joinAll } = await import("../lib/index.ts");
  const log: string[] = [];
  const t = spawn(sleep, 10);
  const a = spawn(async () => {
    await join(t);
    log.push("A join");
  });
  const b = spawn(async () => {
    await joinAll([t]);
    log.push("B joinAll");
  });
  await joinAll([a, b]);
  assert.deepEqual(log, ["A join", "B joinAll"]);
});
