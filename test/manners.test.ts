// Terminal manners of every example and script on Node (test/manners.ts
// says what is checked; test/deno-bun.test.ts checks the examples on Deno
// and Bun). Colour: the tour colours only when asked to (FORCE_COLOR) or
// on a terminal, never when NO_COLOR is set.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { commandFor, findRuntime } from "../scripts/runtimes.ts";
import {
  checkManners,
  examples,
  plain,
  run,
  scripts,
  wide,
} from "./manners.ts";

test("there are examples and scripts to check", () => {
  assert.ok(examples.length > 0 && scripts.length > 0);
  assert.ok(scripts.includes("scripts/tour.ts"));
});

test(
  "--help, a bad option, and a number option given `x` (one line of at most 80 columns naming an option, exit 2), on every example and script",
  { concurrency: 4 },
  async (t) => {
    const runs = [...examples, ...scripts].map((file) =>
      t.test(file, async () => {
        const help = await checkManners("node", file);
        // The options whose help shows a numeric default, e.g. `(default: 8080)`.
        const numeric = [
          ...help.stdout.matchAll(
            /^\s+(?:-\w, )?--([\w-]+)\b.*\(default:? -?\d+(?:\.\d+)?\)$/gm,
          ),
        ].map((m) => m[1]!);
        await Promise.all(
          numeric.map(async (name) => {
            const bad = await run("node", file, [`--${name}`, "x"]);
            const on = `${file} --${name} x`;
            assert.equal(bad.code, 2, `${on}: exit code\n${bad.stderr}`);
            assert.equal(
              bad.stderr.trimEnd().split("\n").length,
              1,
              `${on}: one line expected, got:\n${bad.stderr}`,
            );
            // It names this option (or one that must come first, like bench-load's --port).
            assert.match(
              bad.stderr,
              /^error: .*`--[\w-]+`/,
              `${on}: the line should name the option`,
            );
            assert.deepEqual(wide(bad.stderr), [], `${on}: over 80 columns`);
          }),
        );
      }),
    );
    await Promise.all(runs);
  },
);

test("the tour colours only when FORCE_COLOR asks (not in a pipe, never with NO_COLOR)", async () => {
  const esc = "\x1b[";
  const envWith = (vars: Record<string, string>) => {
    const e: NodeJS.ProcessEnv = { ...process.env, ...vars };
    if (!("NO_COLOR" in vars)) delete e.NO_COLOR;
    if (!("FORCE_COLOR" in vars)) delete e.FORCE_COLOR;
    return e;
  };
  const piped = await run("node", "scripts/tour.ts", ["--list"], envWith({}));
  assert.equal(piped.code, 0);
  assert.ok(!piped.stdout.includes(esc), "colour in a pipe");
  const forced = await run(
    "node",
    "scripts/tour.ts",
    ["--list"],
    envWith({ FORCE_COLOR: "1" }),
  );
  assert.ok(forced.stdout.includes(esc), "no colour with FORCE_COLOR=1");
  const off = await run(
    "node",
    "scripts/tour.ts",
    ["--list"],
    envWith({ NO_COLOR: "1" }),
  );
  assert.ok(!off.stdout.includes(esc), "colour with NO_COLOR=1");
});

test("output piped into a reader that stops early (like `| head -1`): exit 0, no stack trace", async () => {
  const rt = findRuntime("node")!;
  for (const file of [examples[0]!, "scripts/tour.ts"]) {
    const [bin, ...argv] = commandFor(
      rt,
      file,
      file.startsWith("scripts/") ? ["--only", "01"] : [],
    );
    const child = spawn(bin, argv, {
      env: plain,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    // Read the first chunk, then close our end of the pipe.
    await new Promise((resolve) => child.stdout.once("data", resolve));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) =>
      child.on("exit", (c) => resolve(c)),
    );
    assert.equal(
      code,
      0,
      `${file}: exit code after the reader left\n${stderr}`,
    );
    assert.doesNotMatch(
      stderr,
      /EPIPE|\n\s+at /,
      `${file}: no EPIPE stack trace`,
    );
  }
});
