import { test } from "node:test";
import assert from "node:assert/strict";
import {
  join,
  sleep,
  spawn,
  Timeout,
  TimeoutError,
  withTimeout,
} from "../lib/index.ts";

test("a started Timeout interrupts the task's wait with its own TimeoutError", async () => {
  const t0 = performance.now();
  const timeout = Timeout.start(30);
  try {
    await sleep(5000);
    assert.fail("sleep should have been interrupted");
  } catch (error) {
    assert.ok(error instanceof TimeoutError);
    assert.equal(error.timeout, timeout);
    assert.equal(error.name, "TimeoutError");
    assert.equal(error.message, "timed out after 30 ms");
  } finally {
    timeout.cancel();
  }
  const took = performance.now() - t0;
  assert.ok(took >= 25 && took < 2000, `took ${took} ms`);
});

test("a cancelled Timeout never fires", async () => {
  const timeout = Timeout.start(20);
  timeout.cancel();
  await sleep(60);
});

test("a Timeout that fires while the task is busy is delivered at its next switch point", async () => {
  const timeout = Timeout.start(10);
  const until = Date.now() + 40;
  while (Date.now() < until) {
    // busy: no switch point, the timer cannot fire yet
  }
  await new Promise((r) => setTimeout(r, 20)); // not a lib switch point: the timer fires meanwhile
  await assert.rejects(sleep(1000), TimeoutError);
  timeout.cancel();
});

test("a Timeout only interrupts the task that started it", async () => {
  let otherDone = false;
  const other = spawn(async () => {
    await sleep(80);
    otherDone = true;
  });
  await assert.rejects(
    withTimeout(20, () => sleep(1000)),
    TimeoutError,
  );
  await join(other);
  assert.equal(otherDone, true);
});

test("withTimeout returns the value when fast enough, and works inside tasks", async () => {
  assert.equal(
    await withTimeout(1000, async () => {
      await sleep(5);
      return "ok";
    }),
    "ok",
  );
  const task = spawn(() =>
    withTimeout(20, () => sleep(1000)).catch((e: unknown) => (e as Error).name),
  );
  await join(task);
  assert.equal(task.value, "TimeoutError");
});

test("bad arguments throw a TypeError", async () => {
  assert.throws(() => new Timeout(-1), {
    name: "TypeError",
    message: /`ms`.*got `-1`/,
  });
  // Thrown at once, like every other bad input (not a rejected Promise).
  assert.throws(() => withTimeout(10, 5 as unknown as () => void), {
    name: "TypeError",
    message: "Expected `fn` to be a function, got `5`",
  });
  assert.throws(() => withTimeout(-1, () => sleep(1)), {
    name: "TypeError",
    message: /`ms`.*got `-1`/,
  });
});

test("a withTimeout in a plain callback interrupts only its own work, not main's wait", async () => {
  const log: string[] = [];
  setTimeout(async () => {
    try {
      await withTimeout(50, () => sleep(200));
    } catch (e) {
      log.push(`callback: ${(e as Error).name}`);
    }
  }, 10);
  const t0 = performance.now();
  await sleep(300); // main's own wait: it must not get the callback's TimeoutError
  log.push("main slept");
  assert.deepEqual(log, ["callback: TimeoutError", "main slept"]);
  assert.ok(performance.now() - t0 >= 290);
});

test("a Timeout as long as the work lets the work finish, as in gevent", async () => {
  const tasks = Array.from({ length: 10 }, () =>
    spawn(() =>
      withTimeout(50, () => sleep(50)).then(
        () => "done",
        (e: Error) => e.name,
      ),
    ),
  );
  for (const t of tasks) assert.equal(await t.get(), "done");
});

test("a Timeout.start in a plain callback covers the callback's own waits, not main's", async () => {
  const log: string[] = [];
  setTimeout(async () => {
    const t = Timeout.start(50);
    try {
      await sleep(200);
    } catch (e) {
      log.push(`callback: ${(e as Error).name}`);
    } finally {
      t.cancel();
    }
  }, 10);
  await sleep(300);
  log.push("main slept");
  assert.deepEqual(log, ["callback: TimeoutError", "main slept"]);
});

test("withTimeout over Promise.all: a sleep due with the Timeout ends, the longer wait is interrupted on time", async () => {
  const t0 = performance.now();
  const result = await withTimeout(100, () =>
    Promise.all([sleep(100), sleep(2000)]),
  ).catch((e: Error) => e.name);
  assert.equal(result, "TimeoutError");
  assert.ok(
    performance.now() - t0 < 1500,
    `took ${Math.round(performance.now() - t0)} ms`,
  );
});

test("Timeouts started and cancelled in a loop do not nest without end", async () => {
  const { currentScope } = await import("../lib/core.ts");
  const depth = () => {
    let n = 0;
    for (
      let s: { parent: unknown } | undefined = currentScope();
      s;
      s = s.parent as typeof s
    )
      n++;
    return n;
  };
  const task = spawn(async () => {
    for (let i = 0; i < 1000; i++) {
      const t = Timeout.start(1000);
      try {
        await sleep(0);
      } finally {
        t.cancel();
      }
    }
    return depth();
  });
  assert.ok((await task.get()) <= 3, "the task, at most one Timeout scope");
});
