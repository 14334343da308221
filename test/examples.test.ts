// Runs every examples/NN-*.ts and matches its stdout with the expected
// output kept beside it (examples/NN-*.out, see test/expect.ts for the
// placeholders). `UPDATE=1 npm test` rewrites the .out files.
// An example whose header says `@output none` has its own test file.
// test/deno-bun.test.ts checks the same .out files on Deno and Bun.
// The examples run at the same time (as a learner's would beside other
// work): each .out's ranges hold on a busy machine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { promisify } from "node:util";
import { assertExpectedOutput } from "./expect.ts";

const run = promisify(execFile);
// These are matched with their .out in test/claims.test.ts, on the run
// that checks the note's claims (04 is the slowest example: one run).
const MATCHED_IN_CLAIMS = new Set(["04-three-ways", "05-switch-cost"]);
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
}

test(
  "every example's output matches its .out",
  { concurrency: true },
  async (t) => {
    const checked = files.filter(
      (file) =>
        !/\n \* @output none/.test(readFileSync(`examples/${file}`, "utf8")) &&
        !MATCHED_IN_CLAIMS.has(file.slice(0, -3)),
    );
    await Promise.all(
      checked.map((file) =>
        t.test(`${file.slice(0, -3)}: output matches its .out`, async () => {
          const { stdout } = await run(
            process.execPath,
            ["--import", "tsx", `examples/${file}`],
            {
              env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "" },
              timeout: 120_000,
              maxBuffer: 16 * 1024 * 1024,
            },
          );
          assertExpectedOutput(file.slice(0, -3), stdout);
        }),
      ),
    );
  },
);
