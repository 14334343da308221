// The blocking detector (examples/support/blocking.ts), run in child processes: its
// watcher thread writes to fd 2, which only a parent process can see.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { detectBlocking } from "../examples/support/blocking.ts";

const run = promisify(execFile);

async function hog(args: string[], extra: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: "1",
    XIECHENG_BLOCKING: "",
    XIECHENG_TIMELINE: "",
    ...extra,
  };
  delete env.FORCE_COLOR; // (set, even empty, Node warns that NO_COLOR is ignored)
  const { stdout, stderr } = await run(
    process.execPath,
    [
      "--import",
      "tsx",
      "--import",
      "./examples/support/preload.ts",
      "test/fixtures/hog.ts",
      ...args,
    ],
    {
      env,
      timeout: 60_000,
    },
  );
  return { stdout, lines: stderr.split("\n").filter((l) => l !== "") };
}

const num = (s: string | undefined) => Number(s);
/** `123 ms` or `1.23 s` in a report, in ms. */
const duration = (n: string | undefined, unit: string | undefined) =>
  unit === "s" ? num(n) * 1000 : num(n);

function checkBlockReport(lines: string[], blockMs: number) {
  const done = lines.indexOf("-- hog done");
  assert.ok(done >= 0, `the fixture ran to its end:\n${lines.join("\n")}`);

  // While the hog still held the thread: a report naming it.
  const live = lines.findIndex((l) =>
    /^\[blocking\] Task-\d+ \(hog\) is blocking the thread: /.test(l),
  );
  assert.ok(live >= 0, `no live report naming the hog:\n${lines.join("\n")}`);
  assert.ok(
    live < done,
    `the live report came after the block ended:\n${lines.join("\n")}`,
  );
  const liveMs = /: (\d+) ms so far$/.exec(lines[live] ?? "");
  assert.ok(liveMs, `live report shape: ${lines[live]}`);
  assert.ok(
    num(liveMs[1]) >= 100 && num(liveMs[1]) < blockMs,
    `live report at ${liveMs[1]} ms`,
  );

  // Once it is over: who blocked, for how long, who woke late. (On a busy
  // machine a stall of the whole process may be reported as well, as
  // "code outside any task": only the hog's own report is checked.)
  const endAt = lines.findIndex((l) =>
    /\(hog\) blocked the thread for /.test(l),
  );
  const end =
    /^\[blocking\] Task-\d+ \(hog\) blocked the thread for ([\d.]+) (ms|s)$/.exec(
      lines[endAt] ?? "",
    );
  assert.ok(end, `no end-of-block report:\n${lines.join("\n")}`);
  const ms = duration(end[1], end[2]);
  assert.ok(
    ms >= blockMs - 20 && ms <= blockMs + 1500,
    `blocked for ${ms} ms, expected about ${blockMs}`,
  );
  const victim =
    /^\[blocking\] {3}woke late: Task-\d+ \(ticker\) \+([\d.]+) (ms|s)/.exec(
      lines[endAt + 1] ?? "",
    );
  assert.ok(
    victim,
    `the ticker is named as woken late on the next line: ${lines[endAt + 1]}`,
  );
  assert.ok(
    duration(victim[1], victim[2]) >= blockMs / 2,
    `ticker late by ${victim[1]} ${victim[2]}`,
  );
  assert.equal(
    lines.filter((l) => /\(hog\) blocked the thread for /.test(l)).length,
    1,
    "one block, one report",
  );
  for (const l of lines)
    assert.ok(l.length < 80, `a report line of ${l.length} columns: ${l}`);
}

test("a blocking call: reported while it lasts (culprit named), then its length and the late wakers", async () => {
  const { lines } = await hog(["block", "800"]);
  checkBlockReport(lines, 800);
});

test("a CPU loop without a switch point is caught as well", async () => {
  const { lines } = await hog(["loop", "600"]);
  checkBlockReport(lines, 600);
});

/** The report lines that name a task of the fixture (not a stall of the whole process). */
const naming = (lines: string[]) =>
  lines.filter((l) => /\((hog|ticker)\) (is blocking|blocked) /.test(l));

test("well-behaved code gets no report", async () => {
  const { lines } = await hog(["polite", "500"]);
  assert.ok(lines.includes("-- hog done"), lines.join("\n"));
  assert.deepEqual(naming(lines), [], lines.join("\n"));
});

test("XIECHENG_BLOCKING=1 turns it on without a call; XIECHENG_BLOCKING_MS sets the threshold", async () => {
  checkBlockReport(
    (await hog(["block", "800"], { XIECHENG_BLOCKING: "1" })).lines,
    800,
  );
  const quiet = await hog(["block", "300"], {
    XIECHENG_BLOCKING: "1",
    XIECHENG_BLOCKING_MS: "1000",
  });
  assert.ok(quiet.lines.includes("-- hog done"), quiet.lines.join("\n"));
  assert.deepEqual(naming(quiet.lines), [], quiet.lines.join("\n"));
});

test("off by default: a block goes unreported", async () => {
  const { lines } = await hog(["block", "300"], { NO_DETECTOR: "1" });
  assert.deepEqual(lines, ["-- hog done"]);
});

test("a bad XIECHENG_BLOCKING_MS is one line, exit code 2", async () => {
  await assert.rejects(
    hog(["polite", "10"], {
      XIECHENG_BLOCKING: "1",
      XIECHENG_BLOCKING_MS: "soon",
    }),
    (error: { code?: number; stderr?: string }) => {
      assert.equal(error.code, 2);
      assert.equal(
        error.stderr,
        "error: Expected `XIECHENG_BLOCKING_MS` to be a number of milliseconds > 0, got `soon` (unset it for 100 ms)\n",
      );
      return true;
    },
  );
});

test("detectBlocking checks its threshold and returns a stop function", () => {
  assert.throws(
    () => detectBlocking({ thresholdMs: -1 }),
    /Expected `thresholdMs` to be a non-negative number of milliseconds, got `-1`/,
  );
  assert.throws(() => detectBlocking({ thresholdMs: 0 }), TypeError);
  const stop = detectBlocking({ thresholdMs: 50 });
  assert.equal(typeof stop, "function");
  stop(); // the watcher thread ends; this test process can exit
});
