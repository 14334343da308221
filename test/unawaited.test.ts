// A forgotten `await`. The linter (no-floating-promises, with
// checkThenables) flags each forgotten call with its file and line; at
// run time, a task that returns while a sleep or join of its own still
// waits is named, once per function, and a withTimeout that times out
// unawaited names the line that called it. The programs are in
// test/fixtures/unawaited.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);
const FIXTURE = "test/fixtures/unawaited.ts";
const lines = readFileSync(FIXTURE, "utf8").split("\n");

/** Runs one scenario: its exit code, stdout and stderr. */
async function scenario(name: string) {
  return run(process.execPath, ["--import", "tsx", FIXTURE, name], {
    timeout: 30_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

test("the linter flags every forgotten await, kill, killAll and pool call with its line, and nothing else", async () => {
  const r = await run(
    process.execPath,
    [
      "node_modules/eslint/bin/eslint.js",
      "--no-inline-config",
      "--format",
      "json",
      FIXTURE,
    ],
    { timeout: 60_000 },
  ).catch((e: { stdout: string }) => e);
  const messages = (
    JSON.parse(r.stdout) as {
      messages: { ruleId: string; line: number }[];
    }[]
  )[0]!.messages;
  const flagged = messages
    .filter((m) => m.ruleId === "@typescript-eslint/no-floating-promises")
    .map((m) => m.line);
  const marked = lines.flatMap((l, i) =>
    l.endsWith("// here") ? [i + 1] : [],
  );
  assert.equal(marked.length, 9);
  assert.deepEqual(flagged, marked);
});

test("a task that returns while its own sleep still waits (a forgotten await sleep) is named; the program runs on", async () => {
  const r = await scenario("sleep");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "eat start\neat end\nmain end\n");
  assert.equal(
    r.stderr,
    "Task-1 (eat) returned while a sleep of its own still waited: a forgotten await?\n",
  );
});

test("500 tasks of one function that forget the same await: one line", async () => {
  const r = await scenario("many");
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /^Task-\d+ \(client\) returned while a sleep of its own still waited/,
  );
  assert.equal(r.stderr.split("\n").length, 2, r.stderr);
});

test("a task that forgets await join is named", async () => {
  const r = await scenario("join");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stderr,
    "Task-2 (watcher) returned while a join of its own still waited: a forgotten await?\n",
  );
});

test("a task that fails is reported as failed, not for the sleep it left behind", async () => {
  const r = await scenario("failed");
  assert.match(r.stderr, /^Task-\d+ \(both\) failed with Error: boom/);
  assert.doesNotMatch(r.stderr, /forgotten/);
});

test("a withTimeout nobody awaits times out: its TimeoutError names the line that called it", async () => {
  const r = await scenario("withTimeout");
  assert.equal(r.code, 1, r.stderr);
  const at = lines.findIndex((l) => l.includes("withTimeout(10,")) + 1;
  assert.match(r.stderr, /TimeoutError: timed out after 10 ms/);
  assert.match(
    r.stderr,
    new RegExp(`^\\s+at .*test/fixtures/unawaited\\.ts:${at}:\\d+`, "m"),
  );
});

test("awaits that come late or through Promise.all, and kills with { block: false }: nothing reported", async () => {
  const r = await scenario("fine");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "nothing forgotten\n");
  assert.equal(r.stderr, "");
});
