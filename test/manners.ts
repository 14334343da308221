// The terminal manners of one example or script on one runtime, shared
// by test/manners.test.ts (Node) and test/deno-bun.test.ts (Deno, Bun):
// `--help` prints a Usage line (with the command for the runtime in use)
// and exits 0; an unknown option prints one line on stderr (no stack
// trace) and exits 2; help and errors fit in 80 columns.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { promisify } from "node:util";
import {
  commandFor,
  findRuntime,
  missingRuntime,
  runtimeEnv,
  typedCommand,
  type RuntimeName,
} from "../scripts/runtimes.ts";

const execFileP = promisify(execFile);
export const examples = readdirSync("examples")
  .filter((f) => /^\d\d-[a-z0-9-]+\.ts$/.test(f))
  .sort()
  .map((f) => `examples/${f}`);
export const scripts = readdirSync("scripts")
  .filter((f) => f.endsWith(".ts"))
  .sort()
  .map((f) => `scripts/${f}`);
export const plain: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
delete plain.FORCE_COLOR;

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export async function run(
  runtime: RuntimeName,
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv = plain,
): Promise<Result> {
  const rt = findRuntime(runtime);
  assert.ok(rt, missingRuntime(runtime));
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

/** Checks `file`'s manners on `runtime`; returns what `--help` printed. */
export async function checkManners(
  runtime: RuntimeName,
  file: string,
): Promise<Result> {
  const [help, bad] = await Promise.all([
    run(runtime, file, ["--help"]),
    run(runtime, file, ["--no-such-option"]),
  ]);
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
  return help;
}

/** The lines of `text` wider than 80 columns. */
export function wide(text: string): string[] {
  return text.split("\n").filter((l) => [...l].length > 80);
}
