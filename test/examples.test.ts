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

test("06 and 07, the note's server and client: at most 60 lines each, importing only the lib and node: built-ins", () => {
  for (const file of ["06-server.ts", "07-client.ts"]) {
    const src = readFileSync(`examples/${file}`, "utf8");
    const lines = src.trimEnd().split("\n").length;
    assert.ok(lines <= 60, `${file} has ${lines} lines`);
    for (const [, from] of src.matchAll(/^import .* from "([^"]+)";$/gm)) {
      assert.ok(
        from === "../lib/index.ts" || from!.startsWith("node:"),
        `${file} imports ${from}`,
      );
    }
    assert.doesNotMatch(src, /\bimport\(/, `${file}: no dynamic import`);
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
