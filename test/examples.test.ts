// Runs every examples/NN-*.ts and matches its stdout with the expected
// output kept beside it (examples/NN-*.out, see test/expect.ts for the
// placeholders). `UPDATE=1 npm test` rewrites the .out files.
// An example whose header says `@output none` has its own test file.
// Each example also runs unchanged on Deno and Bun (dev dependencies,
// found by scripts/runtimes.ts), checked against the same .out file;
// the two run at the same time to keep the suite short, except for
// examples that measure threads and processes against each other: two
// of those at once on a small machine would skew each other's figures.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { matchOutput, updateExpected } from "./expect.ts";
import { commandFor, findRuntime, runtimeEnv } from "../scripts/runtimes.ts";

const run = promisify(execFile);
const files = readdirSync("examples")
  .filter((f) => f.endsWith(".ts"))
  .sort();

test("examples are named NN-kebab-slug.ts and there is at least one", () => {
  assert.ok(files.length > 0, "no example found in examples/");
  for (const f of files) assert.match(f, /^\d\d-[a-z0-9-]+\.ts$/);
});

/** Lines of code: not blank, not only a comment (as formatted by prettier). */
function codeLines(src: string): number {
  const code = src.replace(/\/\*[\s\S]*?\*\//g, "");
  return code.split("\n").filter((l) => l.trim() && !/^\s*\/\//.test(l)).length;
}

// What lib/core.ts holds: a learner who copies it alone can run 01, 06, 07.
const CORE = new Set([
  "Task",
  "spawn",
  "current",
  "sleep",
  "join",
  "listen",
  "accept",
  "connect",
  "recv",
  "sendall",
  "close",
  "Connection",
  "Server",
]);

test("01, 06 and 07 use only the core of the lib; 06 and 07 fit a slide or two (40 and 50 lines of code)", () => {
  const limits: Record<string, number> = {
    "01-coroutines.ts": Infinity,
    "06-server.ts": 40,
    "07-client.ts": 50,
  };
  for (const [file, limit] of Object.entries(limits)) {
    const src = readFileSync(`examples/${file}`, "utf8");
    const lines = codeLines(src);
    assert.ok(lines <= limit, `${file} has ${lines} lines of code`);
    for (const [, names, from] of src.matchAll(
      /^import (?:type )?\{([^}]*)\} from "([^"]+)";$/gm,
    )) {
      if (from!.startsWith("./support/") || from!.startsWith("node:")) continue;
      assert.match(
        from!,
        /^\.\.\/lib\/(index|core)\.ts$/,
        `${file} imports ${from}`,
      );
      for (const name of names!
        .split(",")
        .map((n) => n.replace(/^\s*type\s+/, "").trim()))
        if (name)
          assert.ok(CORE.has(name), `${file} imports ${name}, not in the core`);
    }
    assert.doesNotMatch(src, /\bimport\(/, `${file}: no dynamic import`);
  }
});

test("the socket examples and their support fit 80 columns, line by line", () => {
  const files = [
    ...["06-server", "07-client", "08-server-pool-workers"],
    ...["09-client-threads", "support/cli", "support/roster"],
    ...["support/tally", "support/thread-client"],
  ];
  for (const f of files) {
    const long = readFileSync(`examples/${f}.ts`, "utf8")
      .split("\n")
      .map((l, i) => [i + 1, [...l].length] as const)
      .filter(([, n]) => n > 80);
    assert.deepEqual(long, [], `examples/${f}.ts: lines over 80 columns`);
  }
});

test("every example shows its concept first: its first function comes before the option parsing", () => {
  for (const file of files) {
    const src = readFileSync(`examples/${file}`, "utf8");
    const concept = src.search(/^(async )?function\*? /m);
    const options = src.search(
      /^(const \w+ = )?(cli|parseArgs)\(|^const args = |^const opts = /m,
    );
    assert.ok(concept > 0, `${file}: no function`);
    assert.ok(
      options < 0 || concept < options,
      `${file}: the option parsing comes before the first function`,
    );
  }
});

for (const file of files) {
  const slug = file.slice(0, -3);
  const src = readFileSync(`examples/${file}`, "utf8");

  test(`${slug}: header names title, note section, command and output`, () => {
    assert.match(
      src,
      /^\/\*\*\n \* @title \S/,
      "the file must open with a /** @title ... */ header",
    );
    assert.match(src, /\n \* @note \S/, "missing @note (the note's section)");
    assert.ok(
      src.includes(`\n * @run npx tsx examples/${file}`),
      `@run must be: npx tsx examples/${file}`,
    );
    assert.match(
      src,
      /\n \* @output (examples\/\S+\.out|none)/,
      "missing @output",
    );
  });

  if (/\n \* @output none/.test(src)) continue;

  test(`${slug}: output matches examples/${slug}.out`, async () => {
    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", `examples/${file}`],
      {
        env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "" },
        timeout: 120_000,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const outPath = `examples/${slug}.out`;
    if (process.env.UPDATE) {
      writeFileSync(
        outPath,
        updateExpected(
          existsSync(outPath) ? readFileSync(outPath, "utf8") : "",
          stdout,
        ),
      );
    }
    assert.ok(
      existsSync(outPath),
      `missing ${outPath}: run UPDATE=1 npm test to create it`,
    );
    const problem = matchOutput(readFileSync(outPath, "utf8"), stdout);
    assert.equal(
      problem,
      undefined,
      `${problem}\n--- actual output ---\n${stdout}`,
    );
  });

  test(`${slug}: runs unchanged on Deno and Bun, same output`, async () => {
    const expected = readFileSync(`examples/${slug}.out`, "utf8");
    const check = async (name: "deno" | "bun") => {
      const runtime = findRuntime(name);
      assert.ok(
        runtime,
        `${name} not found: it comes from the dev dependencies (npm ci)`,
      );
      const [bin, ...args] = commandFor(runtime, `examples/${file}`);
      const { stdout } = await run(bin, args, {
        env: runtimeEnv({ ...process.env, NO_COLOR: "1", FORCE_COLOR: "" }),
        timeout: 120_000,
        maxBuffer: 16 * 1024 * 1024,
      });
      const problem = matchOutput(expected, stdout);
      assert.equal(
        problem,
        undefined,
        `on ${runtime.version}: ${problem}\n--- actual output ---\n${stdout}`,
      );
    };
    if (/from "node:(worker_threads|child_process)"/.test(src)) {
      await check("deno");
      await check("bun");
    } else {
      await Promise.all([check("deno"), check("bun")]);
    }
  });
}
