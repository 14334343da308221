// The note's claims, checked by shape on real runs of examples 04 and 05
// (the .out templates only check the layout: every figure is {{num}}).
// The same run is matched with the example's .out here (test/examples.test.ts
// leaves these two out): 04 is the slowest example.
// The margins are wide enough for a loaded 2-core machine: measured
// here, a thread or process switch costs 40-400x an await (under 20x with
// both cores fully loaded), an await 5-8x a generator step, and a thread needs about 2,000x the memory of
// a coroutine. Beside them, what the READMEs say of these figures and of
// the examples (what to copy, which take --timeline) is checked against
// what the examples do.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
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
    // The READMEs: a generator step costs tens of ns, an await a few
    // times that (not "tens of ns" too: 96-250 ns measured here).
    assert.ok(
      wait > 2 * gen,
      `an await should cost more than twice a generator step: ${report}`,
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
    // The READMEs: threads take longer than coroutines, processes longer again.
    assert.ok(
      thWall! < prWall!,
      `threads' wall time should be below processes': ${report}`,
    );
  },
);

// ---------------------------------------------------------------- the READMEs
const READMES = ["README.md", "README.zh-CN.md"];
const examples = readdirSync("examples")
  .filter((f) => /^\d\d-[a-z0-9-]+\.ts$/.test(f))
  .sort();

test("the READMEs state the costs 05 and 04 measure as shapes that hold under load", () => {
  for (const file of READMES) {
    const text = readFileSync(file, "utf8");
    // An await costs about 200 ns here, up to 1 µs fully loaded: not "tens of ns".
    assert.doesNotMatch(
      text,
      /(?:generator steps and awaits|generator step or an `await`) costs? tens of n|生成器和 await 只要几十纳秒/,
      `${file} says an await costs tens of nanoseconds`,
    );
    // On a busy machine threads and processes gain nothing on arithmetic.
    assert.doesNotMatch(
      text,
      /threads and processes can use both cores|线程和进程能用上两个核/,
      `${file} promises both cores without saying "when they are free"`,
    );
    // Time ranges of 04 measured on a quiet machine only.
    assert.doesNotMatch(text, /0\.7-4 s and 1\.7-12 s/, file);
  }
});

test("the READMEs say gevent's names are written in camelCase here", () => {
  const en = readFileSync("README.md", "utf8");
  const zh = readFileSync("README.zh-CN.md", "utf8");
  assert.match(en, /camelCase/, "README.md");
  assert.match(zh, /驼峰/, "README.zh-CN.md");
  assert.doesNotMatch(zh, /名字和 gevent 一样/, "README.zh-CN.md");
  assert.doesNotMatch(en, /^The same names,/m, "README.md");
  // And the table does: each snake_case name of gevent's column comes
  // back camelCased in ours.
  for (const [, py, ts] of en.matchAll(/^\| (`[^|]*) \| (`[^|]*) \|$/gm)) {
    for (const [snake] of py!.matchAll(/\b[a-z]+(?:_[a-z]+)+\b/g)) {
      if (snake === "current_thread") continue; // current().name
      const camel = snake.replace(/_([a-z])/g, (_, c: string) =>
        c.toUpperCase(),
      );
      assert.ok(ts!.includes(camel), `${snake} should be ${camel} in: ${ts}`);
    }
  }
});

/** The folders a README says to copy with an example (its "outside this repository" paragraph). */
function foldersToCopy(file: string): string[] {
  const text = readFileSync(file, "utf8");
  assert.doesNotMatch(
    text,
    /只依赖 `lib\/`|depends? only on `lib\/`|the core it needs is `lib\/`/,
    `${file} says an example needs lib/ alone`,
  );
  const para = text
    .split(/\n\s*\n/)
    .find((p) => /outside this repository|在本仓库之外/.test(p));
  assert.ok(para, `${file} does not say how to run an example elsewhere`);
  const folders = [...para.matchAll(/`([a-z/]+\/)`/g)].map((m) => m[1]!);
  assert.ok(folders.includes("lib/"), `${file}: ${para}`);
  return [...new Set(folders)];
}

/** The local files `file` imports, and theirs, as paths from the project folder. */
function localImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const src = readFileSync(file, "utf8");
  for (const [, spec] of src.matchAll(
    /^(?:import|export)\s[^;]*?from\s+"(\.{1,2}\/[^"]+)"/gm,
  ))
    localImports(path.normalize(path.join(path.dirname(file), spec!)), seen);
  return seen;
}

test("every file an example imports lies in what the READMEs say to copy", () => {
  const folders = foldersToCopy("README.md");
  assert.deepEqual(
    foldersToCopy("README.zh-CN.md").sort(),
    [...folders].sort(),
  );
  for (const f of examples) {
    const outside = [...localImports(`examples/${f}`)].filter(
      (p) => p !== `examples/${f}` && !folders.some((d) => p.startsWith(d)),
    );
    assert.deepEqual(
      outside,
      [],
      `examples/${f} imports files outside ${folders.join(" and ")}`,
    );
  }
});

test(
  "an example copied with what the READMEs name runs outside the repository, and takes --timeline as they say",
  { timeout: 90_000 },
  async () => {
    const folders = foldersToCopy("README.md");
    for (const file of READMES)
      assert.match(
        readFileSync(file, "utf8"),
        /Every example takes\s+`--timeline`|每个示例都接受 `--timeline`/,
        `${file} should say which examples take --timeline`,
      );
    const dir = mkdtempSync(path.join(tmpdir(), "copied-"));
    try {
      for (const f of folders)
        cpSync(f, path.join(dir, f), { recursive: true });
      for (const f of examples)
        cpSync(`examples/${f}`, path.join(dir, "examples", f));
      writeFileSync(
        path.join(dir, "package.json"),
        JSON.stringify({ type: "module" }),
      );
      symlinkSync(path.resolve("node_modules"), path.join(dir, "node_modules"));
      // The timing demo, and the note's server (once the one example
      // without --timeline); every example takes its options the same way.
      const picked = examples.filter((f) => /^0[16]-/.test(f));
      await Promise.all(
        picked.map(async (f) => {
          const { stdout } = await run(
            process.execPath,
            ["--import", "tsx", `examples/${f}`, "--help"],
            { cwd: dir, env: { ...process.env, NO_COLOR: "1" } },
          ).catch((e: { stderr: string }) =>
            assert.fail(
              `${f}, copied with ${folders.join(" and ")}: ${e.stderr}`,
            ),
          );
          assert.match(stdout, /--timeline/, `${f} --help: no --timeline`);
        }),
      );
      for (const f of examples)
        assert.match(
          readFileSync(`examples/${f}`, "utf8"),
          /from "\.\/support\/cli\.ts"/,
          `${f} does not take its options from cli.ts (and --timeline with them)`,
        );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

for (const slug of ["05-switch-cost", "04-three-ways"])
  test(
    `${slug}: output matches examples/${slug}.out`,
    { timeout: 120_000 },
    async () => assertExpectedOutput(slug, await example(`${slug}.ts`)),
  );
