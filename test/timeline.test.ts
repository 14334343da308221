// The timeline (examples/support/timeline.ts): recording of scripted runs, drawing
// of a fixed recording, and --timeline on example 01.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { joinAll, sleep, spawn } from "../lib/index.ts";
import {
  type Lane,
  type Span,
  markTimeline,
  renderTimeline,
  startTimeline,
  stopTimeline,
} from "../examples/support/timeline.ts";

const run = promisify(execFile);
process.env.NO_COLOR = "1";
delete process.env.FORCE_COLOR;
const plain = { isTTY: false };

const states = (lane: Lane | undefined) =>
  (lane?.spans ?? []).map((s) => s.state).join(" ");
const length = (s: Span | undefined) => (s ? s.to - s.from : NaN);

function checkOrdered(lanes: Lane[]) {
  const runs: Span[] = [];
  for (const lane of lanes) {
    for (let i = 0; i < lane.spans.length; i++) {
      const s = lane.spans[i] as Span;
      assert.ok(s.to >= s.from, `${lane.label}: span ends before it starts`);
      if (i > 0)
        assert.ok(
          s.from >= (lane.spans[i - 1] as Span).to - 1e-6,
          `${lane.label}: spans out of order`,
        );
      if (s.state === "run") runs.push(s);
    }
  }
  // One thread: no two lanes run at the same time.
  runs.sort((a, b) => a.from - b.from);
  for (let i = 1; i < runs.length; i++)
    assert.ok(
      (runs[i] as Span).from >= (runs[i - 1] as Span).to - 0.01,
      "two lanes ran at once",
    );
}

test("records one lane per task, in spawn order, with run and wait spans", async () => {
  startTimeline({ atExit: false });
  async function eat() {
    await sleep(150);
  }
  async function play() {
    await sleep(50);
  }
  await joinAll([spawn(eat), spawn(play)]);
  const tl = stopTimeline();
  assert.deepEqual(
    tl.lanes.map((l) => l.label.replace(/\d+/, "N")),
    ["Task-N (eat)", "Task-N (play)", "MainTask"],
  );
  const [eatLane, playLane, main] = tl.lanes;
  // (a loaded machine may wake a task late: then "late" follows its wait)
  assert.match(states(eatLane), /^run wait( late)? run$/);
  assert.match(states(playLane), /^run wait( late)? run$/);
  assert.match(states(main), /^run wait( late)? run$/);
  const eatWait = length(eatLane?.spans[1]);
  const playWait = length(playLane?.spans[1]);
  assert.ok(eatWait >= 145 && eatWait < 1000, `eat waited ${eatWait} ms`);
  assert.ok(playWait >= 45 && playWait < 800, `play waited ${playWait} ms`);
  // play started after eat, and its wait ended first.
  assert.ok(
    (playLane?.spans[0]?.from ?? 0) >= (eatLane?.spans[0]?.from ?? Infinity),
  );
  assert.ok(
    (playLane?.spans[1]?.to ?? Infinity) < (eatLane?.spans[1]?.to ?? 0),
  );
  assert.ok(tl.totalMs >= eatWait && tl.totalMs < 2000);
  checkOrdered(tl.lanes);
});

test("a task that holds the thread shows as a long run; the others' overdue waits as late", async () => {
  startTimeline({ atExit: false });
  async function ticker() {
    for (let i = 0; i < 10; i++) await sleep(20);
  }
  async function hog() {
    await sleep(30);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  }
  await joinAll([spawn(ticker), spawn(hog)]);
  const tl = stopTimeline();
  const hogLane = tl.lanes.find((l) => l.label.endsWith("(hog)"));
  const tickLane = tl.lanes.find((l) => l.label.endsWith("(ticker)"));
  const longest = Math.max(
    ...(hogLane?.spans ?? []).filter((s) => s.state === "run").map(length),
  );
  assert.ok(
    longest >= 195 && longest < 1500,
    `the hog ran ${longest} ms in one go`,
  );
  const late = (tickLane?.spans ?? []).filter(
    (s) => s.state === "late" && length(s) >= 100,
  );
  assert.equal(
    late.length,
    1,
    `one long late stretch for the ticker: ${states(tickLane)}`,
  );
  assert.ok(
    length(late[0]) >= 150,
    `the ticker was due but frozen for ${length(late[0])} ms`,
  );
  // ...and it lies within the hog's long run.
  const hogRun = (hogLane?.spans ?? []).find(
    (s) => s.state === "run" && length(s) === longest,
  );
  assert.ok(
    late[0] &&
      hogRun &&
      late[0].from >= hogRun.from - 1 &&
      late[0].to >= hogRun.to - 1,
  );
  checkOrdered(tl.lanes);
});

test("lanes marked by hand; nothing is recorded while off", () => {
  markTimeline("ignored", "run");
  startTimeline({ atExit: false });
  markTimeline("gen", "run");
  markTimeline("gen", "wait", 0);
  markTimeline("gen", "done");
  const tl = stopTimeline();
  markTimeline("after", "run");
  assert.deepEqual(
    tl.lanes.map((l) => l.label),
    ["gen"],
  );
  assert.equal(states(tl.lanes[0]), "run wait");
});

test("draws lanes, sums and a time axis (plain ASCII off a terminal)", () => {
  const tl = {
    totalMs: 3000,
    truncated: false,
    lanes: [
      {
        label: "eat",
        spans: [
          { from: 0, to: 1, state: "run" as const },
          { from: 1, to: 2999, state: "wait" as const },
          { from: 2999, to: 3000, state: "run" as const },
        ],
      },
      {
        label: "play",
        spans: [
          { from: 0, to: 1, state: "run" as const },
          { from: 1, to: 999, state: "wait" as const },
          { from: 999, to: 1000, state: "run" as const },
        ],
      },
      {
        label: "hog",
        spans: [{ from: 1000, to: 1600, state: "run" as const }],
      },
      {
        label: "beat",
        spans: [
          { from: 0, to: 1000, state: "wait" as const },
          { from: 1000, to: 1600, state: "late" as const },
        ],
      },
    ],
  };
  const lines = renderTimeline(tl, { width: 30, stream: plain }).split("\n");
  assert.deepEqual(lines, [
    "timeline: 4 lanes on one thread, 3.00 s, one column = 100 ms",
    "  # running  : ran briefly  - waiting  ! due, but another task ran",
    "eat  |:----------------------------:| ran 2.0 ms, waited 3.00 s",
    "play |:--------:                    | ran 2.0 ms, waited 998 ms",
    "hog  |          ######              | ran 600 ms, waited 0.0 ms",
    "beat |----------!!!!!!              | ran 0.0 ms, waited 1.00 s, late 600 ms",
    "      |0 s                |2 s",
  ]);
  const few = renderTimeline(tl, {
    width: 30,
    stream: plain,
    maxLanes: 3,
  }).split("\n");
  assert.equal(few.length, 6);
  assert.equal(few[4], "      ... and 2 more lanes (not drawn)");
});

test("a column is # only when the task ran for most of it; a short run is ':'", () => {
  // Like 07's 500 clients: each runs 1 ms in every 100 ms slice, so no
  // lane may look busy. A lane that runs 60 ms of every 100 ms does.
  const spans = (runMs: number) =>
    Array.from({ length: 10 }, (_, i) => [
      { from: i * 100, to: i * 100 + runMs, state: "run" as const },
      { from: i * 100 + runMs, to: (i + 1) * 100, state: "wait" as const },
    ]).flat();
  const tl = {
    totalMs: 1000,
    truncated: true,
    lanes: [
      { label: "a", spans: spans(1) },
      { label: "b", spans: spans(60) },
    ],
  };
  const lines = renderTimeline(tl, { width: 10, stream: plain }).split("\n");
  assert.equal(lines[2], "a    |::::::::::| ran 10 ms, waited 990 ms");
  assert.equal(lines[3], "b    |##########| ran 600 ms, waited 400 ms");
  assert.match(
    lines.slice(-2).join(" "),
    /stopped recording after 200,000 stretches.*may look empty/,
  );
});

test("--timeline on example 01: eat waits 3 s while play runs and waits 1 s", async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.FORCE_COLOR; // (set, even empty, Node warns that NO_COLOR is ignored)
  const { stdout, stderr } = await run(
    process.execPath,
    ["--import", "tsx", "examples/01-coroutines.ts", "--timeline"],
    {
      env,
      timeout: 60_000,
    },
  );
  assert.match(stdout, /^MainTask\n/, "the program's own output is unchanged");
  const lines = stderr.split("\n");
  assert.match(
    lines[0] ?? "",
    /^timeline: 3 lanes on one thread, (2\.9|3\.\d)\d s, one column = \d+ ms$/,
  );
  const row = (label: string) => lines.find((l) => l.startsWith(label)) ?? "";
  // Fitted to 80 columns (about 35 over 3 s): eat spans all, play about a third.
  for (const l of lines) assert.ok(l.length < 80, `${l.length} columns: ${l}`);
  assert.match(
    row("Task-1 (eat)"),
    /^Task-1 \(eat\)\s+\|:-{20,}:{1,4}\| ran [\d.]+ ms, waited (2\.9|3\.\d)\d s/,
  );
  assert.match(
    row("Task-2 (play)"),
    /^Task-2 \(play\)\s+\|:-{4,16}:{1,4} {10,}\| ran [\d.]+ ms, waited (0\.9\d s|1\.\d\d s|\d{3} ms)/,
  );
  assert.match(row("MainTask"), /^MainTask\s+\|[:#]-+[:#]+\|/);
  assert.match(lines.at(-2) ?? "", /\|0 s\s+\|(1 s\s+\|2 s\s+\|3 s|2 s)/); // (a slow start may stretch the axis)
});

test("XIECHENG_TIMELINE=1 with the preload turns it on for any program", async () => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: "1",
    XIECHENG_TIMELINE: "1",
    NO_DETECTOR: "1",
  };
  delete env.FORCE_COLOR;
  const { stderr } = await run(
    process.execPath,
    [
      "--import",
      "tsx",
      "--import",
      "./examples/support/preload.ts",
      "test/fixtures/hog.ts",
      "block",
      "300",
    ],
    { env, timeout: 60_000 },
  );
  const lines = stderr.split("\n");
  assert.match(lines[1] ?? "", /^timeline: 3 lanes on one thread, /, stderr);
  // The hog holds the thread for 300 ms: a solid run in its lane, and
  // the ticker's lane shows the same stretch as due-but-frozen.
  assert.match(
    lines.find((l) => /\(hog\) /.test(l)) ?? "",
    /#{4,}.*\| ran \d{3} ms/,
  );
  assert.match(
    lines.find((l) => /\(ticker\) /.test(l)) ?? "",
    /!{4,}.*, late \d{3} ms$/,
  );
});
