// A forgotten `await` is named, as Python warns of a coroutine never
// awaited: `join`, `get`, `kill`, `killAll` and `withTimeout` called
// without it print one line on stderr with the caller's file and line; a
// task that ends while a sleep of its own still runs is named too.
// The programs are in test/fixtures/unawaited.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);
const FIXTURE = "test/fixtures/unawaited.ts";
const source = readFileSync(FIXTURE, "utf8").split("\n");

/** Runs one scenario: its exit code, stdout and stderr. */
async function scenario(name: string) {
  return run(process.execPath, ["--import", "tsx", FIXTURE, name], {
    timeout: 30_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

/** The place of the `n`th line marked `// here` after `after`. */
function here(after: string, n = 0): string {
  let at = source.findIndex((l) => l.includes(after));
  for (let i = 0; i <= n; i++)
    at = source.findIndex((l, j) => j > at && l.includes("// here"));
  const col = source[at]!.search(/\S/) + 1;
  return `${FIXTURE}:${at + 1}:${col}`;
}

const fix = "put await before it";

test("a task that ends while its own sleep still runs (a forgotten await sleep) is named; the program runs on", async () => {
  const r = await scenario("sleep");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "eat start\neat end\nmain end\n");
  assert.equal(
    r.stderr,
    "Task-1 (eat) ended while a sleep of its own still ran: a forgotten await?\n",
  );
});

test("500 tasks of one function that forget the same await: one line", async () => {
  const r = await scenario("many");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^Task-\d+ \(anonymous\) ended while a sleep/);
  assert.equal(r.stderr.split("\n").length, 2, r.stderr);
});

test("join and get without await are named", async () => {
  for (const [name, what] of [
    ["join", "join(Task-1)"],
    ["get", "Task-1.get()"],
  ] as const) {
    const r = await scenario(name);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `^MainTask did not await ${what.replace(/[().]/g, "\\$&")} ` +
          `\\(at ${FIXTURE}:${here(`async ${name}()`).split(":")[1]}:\\d+\\): ${fix}\\n$`,
      ),
    );
  }
});

test("a withTimeout nobody awaits times out: named with its error, no crash", async () => {
  const r = await scenario("withTimeout");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "main end\n");
  assert.equal(
    r.stderr,
    `MainTask did not await withTimeout(10, ...) (at ${here("async withTimeout()")}): ` +
      `${fix}; it failed with TimeoutError: timed out after 10 ms\n`,
  );
});

test("kill and killAll without await are named; kill({ block: false }) is not", async () => {
  const r = await scenario("kill");
  assert.equal(r.code, 0, r.stderr);
  const at = (n: number) => here("async kill()", n).split(":")[1];
  // In the order the killed tasks end: killAll's had not yet started.
  const lines = r.stderr.split("\n").filter(Boolean).sort();
  assert.equal(lines.length, 2, r.stderr);
  assert.match(
    lines[0]!,
    new RegExp(
      `^MainTask did not await Task-1\\.kill\\(\\) \\(at ${FIXTURE}:${at(0)}:\\d+\\): ${fix}$`,
    ),
  );
  assert.match(
    lines[1]!,
    new RegExp(
      `^MainTask did not await killAll\\(\\) \\(at ${FIXTURE}:${at(1)}:\\d+\\): ${fix}$`,
    ),
  );
});

test("awaits that come late, through Promise.all, .then or spawn: nothing reported", async () => {
  const r = await scenario("fine");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "nothing forgotten\n");
  assert.equal(r.stderr, "");
});
