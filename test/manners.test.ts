// Terminal manners of every example and script: `--help` prints a
// Usage line (with the command for the runtime in use) and exits 0; an
// unknown option or a bad number prints one line on stderr (no stack
// trace) and exits 2; help and errors fit in 80 columns. Examples are checked on Node, Deno and
// Bun; scripts on Node. Colour: the tour colours only when asked to
// (FORCE_COLOR) or on a terminal, never when NO_COLOR is set.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { promisify } from "node:util";
import {
  commandFor,
  findRuntime,
  runtimeEnv,
  typedCommand,
  type RuntimeName,
} from "../scripts/runtimes.ts";

const execFileP = promisify(execFile);
const examples = readdirSync("examples")
  .filter((f) => /^\d\d-[a-z0-9-]+\.ts$/.test(f))
  .sort()
  .map((f) => `examples/${f}`);
const scripts = readdirSync("scripts")
  .filter((f) => f.endsWith(".ts"))
  .sort()
  .map((f) => `scripts/${f}`);
const plain: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
delete plain.FORCE_COLOR;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(
  runtime: RuntimeName,
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv = plain,
): Promise<Result> {
  const rt = findRuntime(runtime);
  assert.ok(
    rt,
    `${runtime} not found: it comes from the dev dependencies (npm ci)`,
  );
  const [bin, ...argv] = commandFor(rt, file, args);
  try {
    const { stdout, stderr } = await execFileP(bin, argv, {
      env: runtimeEnv(env),
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as {
      code?: number | string;
      stdout?: string;
      stderr?: string;
    };
    if (typeof e.code !== "number") throw error;
    return { code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

async function checkManners(runtime: RuntimeName, file: string): Promise<void> {
  const help = await run(runtime, file, ["--help"]);
  const on = `${file} on ${runtime}`;
  assert.equal(help.code, 0, `${on}: --help should exit 0\n${help.stderr}`);
  assert.match(
    help.stdout,
    /^Usage: \S/,
    `${on}: --help should start with a Usage line`,
  );
  assert.match(help.stdout, /--help/, `${on}: --help should list its options`);
  // The usage line shows the command for this runtime (npx tsx, npx deno run -A, npx bun).
  const usage = help.stdout.split("\n")[0]!;
  if (file.startsWith("examples/"))
    assert.ok(
      usage.startsWith(`Usage: ${typedCommand(runtime, file)}`),
      `${on}: ${usage}`,
    );
  assert.deepEqual(
    wide(help.stdout),
    [],
    `${on}: --help lines over 80 columns`,
  );
  // The usage line(s) name every option (or say [options]); no doubled brackets.
  const usageLines = help.stdout.split("\n\n")[0]!;
  if (file.startsWith("examples/") && !usage.includes("[options]")) {
    for (const [, name] of help.stdout.matchAll(/^\s+(?:-\w, )?--([\w-]+)/gm)) {
      if (name !== "help")
        assert.ok(
          usageLines.includes(`[--${name}`),
          `${on}: the usage line should show --${name}: ${usageLines}`,
        );
    }
  }
  assert.doesNotMatch(
    help.stdout,
    /\) \(default:/,
    `${on}: doubled brackets before (default: ...)`,
  );

  const bad = await run(runtime, file, ["--no-such-option"]);
  assert.equal(
    bad.code,
    2,
    `${on}: an unknown option should exit 2, got ${bad.code}\n${bad.stderr}`,
  );
  const lines = bad.stderr.trimEnd().split("\n");
  assert.equal(
    lines.length,
    1,
    `${on}: one line on stderr expected, got:\n${bad.stderr}`,
  );
  assert.match(
    lines[0]!,
    /^error: .*--no-such-option/,
    `${on}: the line should name the option`,
  );
  assert.deepEqual(wide(bad.stderr), [], `${on}: the error is over 80 columns`);
  assert.doesNotMatch(bad.stderr, /\n\s+at /, `${on}: no stack trace`);
  assert.equal(bad.stdout, "", `${on}: nothing on stdout`);
}

/** The lines of `text` wider than 80 columns. */
function wide(text: string): string[] {
  return text.split("\n").filter((l) => [...l].length > 80);
}

test("there are examples and scripts to check", () => {
  assert.ok(examples.length > 0 && scripts.length > 0);
  assert.ok(scripts.includes("scripts/tour.ts"));
});

test(
  "--help and a bad option, on every example and script",
  { concurrency: 3 },
  async (t) => {
    const runs = [...examples, ...scripts].map((file) => {
      const runtimes: RuntimeName[] = file.startsWith("examples/")
        ? ["node", "deno", "bun"]
        : ["node"];
      return t.test(file, async () => {
        for (const runtime of runtimes) await checkManners(runtime, file);
      });
    });
    await Promise.all(runs);
  },
);

test(
  "a number option given `x`: one line of at most 80 columns naming an option, exit 2 (every example and script)",
  { concurrency: 3 },
  async (t) => {
    const runs = [...examples, ...scripts].map((file) =>
      t.test(file, async () => {
        const help = await run("node", file, ["--help"]);
        // The options whose help shows a numeric default, e.g. `(default: 8080)`.
        const numeric = [
          ...help.stdout.matchAll(
            /^\s+(?:-\w, )?--([\w-]+)\b.*\(default:? -?\d+(?:\.\d+)?\)$/gm,
          ),
        ].map((m) => m[1]!);
        for (const name of numeric) {
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
        }
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
