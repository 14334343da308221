// The note's claims, checked by shape on real runs of examples 04 and 05
// (the .out templates only check the layout: every figure is {{num}}).
// The same run is matched with the example's .out here (test/examples.test.ts
// leaves these two out): 04 is the slowest example.
// The margins are wide enough for a loaded 2-core machine: measured
// here, a thread or process switch costs 40-400x an await, and a thread
// needs about 2,000x the memory of a coroutine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { assertExpectedOutput } from "./expect.ts";

const run = promisify(execFile);

const runs = new Map<string, Promise<string>>();

/** The stdout of one run of `file` (run once, shared by the tests below). */
function example(file: string): Promise<string> {
  let out = runs.get(file);
  if (!out) runs.set(file, (out = runExample(file)));
  return out;
}

async function runExample(file: string): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ["--import", "tsx", `examples/${file}`],
    {
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "", COLUMNS: "80" },
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return stdout;
}

/** The first number after `label` on its line ("1,665" → 1665). */
function figure(out: string, label: string): number {
  const line = out.split("\n").find((l) => l.trimStart().startsWith(label));
  assert.ok(line, `no line starting with "${label}" in:\n${out}`);
  const m = /(\d[\d,]*(?:\.\d+)?)/.exec(
    line.slice(line.indexOf(label) + label.length),
  );
  assert.ok(m, `no figure on: ${line}`);
  return Number(m[1]!.replaceAll(",", ""));
}

const UNITS: Record<string, number> = {
  B: 1 / 1024,
  KB: 1,
  MB: 1024,
  GB: 1024 * 1024,
  us: 1e-3,
  ms: 1,
  s: 1000,
};

/** The columns of a table row, each as a number in a base unit (KB or ms) when it has one. */
function row(out: string, section: string, label: string): number[] {
  const part = out.slice(out.indexOf(section));
  const line = part
    .split("\n")
    .find((l) => l.trimStart().startsWith(label + " "));
  assert.ok(line, `no "${label}" row under "${section}" in:\n${out}`);
  return [
    ...line.matchAll(/(\d[\d,]*(?:\.\d+)?)\s*(B|KB|MB|GB|us|ms|s)?\b/g),
  ].map(
    ([, n, unit]) => Number(n!.replaceAll(",", "")) * (unit ? UNITS[unit]! : 1),
  );
}

test(
  "05: an OS thread or process switch costs far more than an await; a generator step less than an OS switch",
  { timeout: 120_000 },
  async () => {
    const out = await example("05-switch-cost.ts");
    const gen = figure(out, "generator next()");
    const wait = figure(out, "await: two async functions");
    const thread = figure(out, "two threads: Atomics.wait");
    const proc = figure(out, "two processes: a pipe");
    const report = `generator ${gen} ns, await ${wait} ns, thread ${thread} ns, process ${proc} ns\n${out}`;
    assert.ok(gen > 0 && wait > 0, report);
    assert.ok(
      thread > 5 * wait,
      `a thread switch should cost more than 5x an await: ${report}`,
    );
    assert.ok(
      proc > 5 * wait,
      `a process switch should cost more than 5x an await: ${report}`,
    );
    assert.ok(
      gen < thread && gen < proc,
      `a generator step should be cheaper than an OS switch: ${report}`,
    );
  },
);

test(
  "04: on waiting, coroutines finish first and need at least 10x less memory per unit than threads",
  { timeout: 120_000 },
  async () => {
    const out = await example("04-three-ways.ts");
    const io = "IO-bound:";
    // Columns: wall (ms), start-up per unit (ms), memory per unit (KB).
    const [coWall, , coMem] = row(out, io, "coroutines");
    const [thWall, , thMem] = row(out, io, "threads");
    const [prWall] = row(out, io, "processes");
    const report = `wall: coroutines ${coWall} ms, threads ${thWall} ms, processes ${prWall} ms; memory: coroutines ${coMem} KB, threads ${thMem} KB\n${out}`;
    assert.ok(coWall! > 0 && coMem! > 0, report);
    assert.ok(
      coWall! < thWall!,
      `coroutines' wall time should be below threads': ${report}`,
    );
    assert.ok(
      coWall! < prWall!,
      `coroutines' wall time should be below processes': ${report}`,
    );
    assert.ok(
      coMem! * 10 <= thMem!,
      `a coroutine should need at least 10x less memory than a thread: ${report}`,
    );
  },
);

for (const slug of ["05-switch-cost", "04-three-ways"])
  test(
    `${slug}: output matches examples/${slug}.out`,
    { timeout: 120_000 },
    async () => assertExpectedOutput(slug, await example(`${slug}.ts`)),
  );
