import { test } from "node:test";
import assert from "node:assert/strict";
import { Pool, sleep, spawn, join } from "../lib/index.ts";

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
  assert.equal(pool.tasks.length, 0);
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

test("a task waiting in pool.spawn can be killed", async () => {
  const pool = new Pool(1);
  await pool.spawn(sleep, 10_000);
  const waiter = spawn(() => pool.spawn(() => "never"));
  await sleep(10);
  await waiter.kill();
  assert.equal(waiter.killed, true);
  assert.equal(pool.tasks.length, 1);
  await pool.kill();
  assert.equal(await join(waiter), true);
});

test("new Pool(0) and friends throw a TypeError", () => {
  assert.throws(() => new Pool(0), { name: "TypeError", message: "Expected `size` to be an integer from 1 and up, got `0`" });
  assert.throws(() => new Pool(1.5), { name: "TypeError", message: /got `1.5`/ });
});
