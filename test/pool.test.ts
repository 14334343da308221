import { test } from "node:test";
import assert from "node:assert/strict";
import { Pool, sleep, spawn } from "../lib/index.ts";

test("a Pool runs at most `size` tasks at once; spawn waits for a free slot", async () => {
  const pool = new Pool(3);
  let running = 0;
  let peak = 0;
  const work = async () => {
    running++;
    peak = Math.max(peak, running);
    await sleep(20);
    running--;
  };
  const t0 = performance.now();
  for (let i = 0; i < 9; i++) await pool.spawn(work);
  assert.ok(pool.full());
  await pool.join();
  const took = performance.now() - t0;
  assert.equal(peak, 3);
  assert.equal(pool.freeCount(), 3);
  assert.equal(pool.freeCount(), pool.size);
  assert.ok(took >= 55, `9 tasks of 20 ms, 3 at a time, took only ${took} ms`);
});

test("a failed task frees its slot", async (t) => {
  t.mock.method(console, "error", () => {});
  const pool = new Pool(1);
  const bad = await pool.spawn(() => {
    throw new Error("nope");
  });
  const good = await pool.spawn(() => "fine");
  await pool.join();
  assert.equal(bad.successful(), false);
  assert.equal(good.value, "fine");
});

test("pool.kill() kills every task and frees the pool", async () => {
  const pool = new Pool(2);
  const a = await pool.spawn(sleep, 10_000);
  const b = await pool.spawn(sleep, 10_000);
  await sleep(5);
  await pool.kill();
  assert.equal(a.killed && b.killed, true);
  assert.equal(pool.freeCount(), 2);
});

test("pool.spawn without await: the size holds, and join() waits for every job", async () => {
  const pool = new Pool(2);
  let running = 0;
  let most = 0;
  const done: number[] = [];
  const job = async (n: number) => {
    most = Math.max(most, ++running);
    await sleep(20);
    running--;
    done.push(n);
  };
  for (let n = 0; n < 6; n++) void pool.spawn(job, n); // a line-by-line translation of gevent code
  assert.equal(pool.freeCount(), 0);
  assert.equal(await pool.join(), true);
  assert.deepEqual(done, [0, 1, 2, 3, 4, 5]);
  assert.equal(most, 2);
  assert.equal(pool.freeCount(), 2);
});

test("awaiting pool.spawn waits for a slot; a kill of the waiting caller lands there, and the job never runs", async () => {
  const pool = new Pool(1);
  await pool.spawn(sleep, 10_000);
  const waiter = spawn(async () => {
    await pool.spawn(() => "queued");
    await sleep(0);
    return "not reached";
  });
  await sleep(10);
  waiter.kill({ block: false });
  await sleep(10);
  assert.equal(waiter.ready(), true, "awaiting pool.spawn is a switch point");
  assert.equal(waiter.killed, true);
  assert.equal(pool.tasks.length, 1, "the queued job was taken back");
  await pool.kill();
  assert.equal(pool.freeCount(), 1);
});

test("new Pool(0) and friends throw a TypeError", () => {
  assert.throws(() => new Pool(0), {
    name: "TypeError",
    message: "Expected `size` to be an integer from 1 and up, got `0`",
  });
  assert.throws(() => new Pool(1.5), {
    name: "TypeError",
    message: /got `1.5`/,
  });
});
