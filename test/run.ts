/**
 * The two lists of test files, and the runner for them.
 *
 *   node --import tsx test/run.ts fast --checks  # `npm test`
 *   node --import tsx test/run.ts slow           # what `npm run test:all` adds
 *   node --import tsx test/run.ts all            # both lists in one run
 *
 * `--checks` also runs `tsc --noEmit` and `npm run lint` beside the
 * tests (they use one core while the tests mostly wait on their child
 * processes) and fails if either fails. Other arguments after the list's
 * name go to `node --test` as they are, e.g. `--test-reporter=spec`
 * (each test with its time) or `--test-name-pattern=joinAll`.
 *
 * Which list a new test file goes in:
 * - FAST (`npm test`): the lib, every example's output, the conformance
 *   suite, the README's claims, anything a change to the code can break.
 *   A file belongs here if it takes at most about 20 s on its own on a
 *   quiet 2-core machine and needs nothing fetched while it runs.
 * - SLOW (`npm run test:all`, which CI runs as well): end-to-end runs of
 *   the tour, Deno and Bun (npx fetches them on first use), the bench's
 *   smoke run, and tests of scale (thousands of connections, file
 *   descriptor limits).
 * Every test/*.test.ts must be in exactly one list: the runner refuses
 * to start otherwise. Files run in parallel (CONCURRENCY at a time), so
 * a test may not depend on having the machine to itself.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { findRuntime } from "../scripts/runtimes.ts";

export const FAST = [
  "test/expect.test.ts",
  "test/cli.test.ts",
  "test/task.test.ts",
  "test/unawaited.test.ts",
  "test/task-perf.test.ts",
  "test/timeout.test.ts",
  "test/pool.test.ts",
  "test/socket.test.ts",
  "test/server-limits.test.ts",
  "test/blocking.test.ts",
  "test/timeline.test.ts",
  "test/conformance.test.ts",
  "test/interop.test.ts",
  "test/examples.test.ts",
  "test/claims.test.ts",
  "test/example-06-server.test.ts",
  "test/example-07-client.test.ts",
  "test/example-08-server.test.ts",
  "test/example-09-client.test.ts",
  "test/manners.test.ts",
  "test/readme.test.ts",
  "test/copy-paste.test.ts",
  "test/tour-cards.test.ts",
  "test/svg.test.ts",
];

export const SLOW = [
  "test/tour.test.ts",
  "test/deno-bun.test.ts",
  "test/bench.test.ts",
  "test/server-scale.test.ts",
  "test/example-08-workers.test.ts",
  "test/example-09-threads.test.ts",
  "test/accept-burst.test.ts",
  "test/svg-slides.test.ts",
];

/**
 * Test files at once. Most tests wait on child processes and sockets,
 * so three keep two cores busy without starving the timing checks.
 */
const CONCURRENCY = 3;

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const usage =
  "usage: node --import tsx test/run.ts fast|slow|all [node --test options]";

/** The problems with the lists: a file missing, listed twice, or in neither. */
function listProblems(): string[] {
  const problems: string[] = [];
  const listed = [...FAST, ...SLOW];
  for (const file of listed) {
    if (listed.indexOf(file) !== listed.lastIndexOf(file))
      problems.push(`${file} is listed twice`);
    if (!existsSync(join(root, file)))
      problems.push(`${file} is listed but does not exist`);
  }
  for (const name of readdirSync(join(root, "test")).sort()) {
    const file = `test/${name}`;
    if (name.endsWith(".test.ts") && !listed.includes(file))
      problems.push(`${file} is in no list: add it to FAST or SLOW`);
  }
  return [...new Set(problems)];
}

const [which, ...more] = process.argv.slice(2);
const withChecks = more.includes("--checks");
const rest = more.filter((a) => a !== "--checks");
const lists: Record<string, string[]> = {
  fast: FAST,
  slow: SLOW,
  all: [...FAST, ...SLOW],
};
const files = which === undefined ? undefined : lists[which];
if (!files) {
  console.error(
    `error: Expected a list, \`fast\`, \`slow\` or \`all\`, got \`${which ?? ""}\` (${usage})`,
  );
  process.exit(2);
}
const problems = listProblems();
if (problems.length > 0) {
  for (const p of problems)
    console.error(`error: ${p} (in test/run.ts; the rule is at its top)`);
  process.exit(2);
}

console.log(
  `# node ${process.version}: ${files.length} test files (${which}), ${CONCURRENCY} at a time`,
);
if (which !== "fast") {
  // Fetch Deno and Bun once, here, before test files ask for them side
  // by side, and say which releases run.
  const found = (["node", "deno", "bun"] as const).map(
    (name) => findRuntime(name)?.version ?? `${name}: not found`,
  );
  console.log(`# runtimes: ${found.join("; ")}`);
}

/** A check run beside the tests, its output kept for the end. */
function check(cmd: string, args: string[]): Promise<[string, number]> {
  const child: ChildProcess = spawn(cmd, args, {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => {
    child.on("error", (e) => resolve([`${cmd}: ${e.message}`, 1]));
    child.on("close", (code) => resolve([out, code ?? 1]));
  });
}

const checks = withChecks
  ? ([
      ["tsc --noEmit", check(process.execPath, [tscBin(), "--noEmit"])],
      ["npm run lint", check(npm(), ["run", "lint", "--silent"])],
    ] as const)
  : [];

function tscBin(): string {
  return join(root, "node_modules", "typescript", "bin", "tsc");
}

function npm(): string {
  return process.platform === "win32" ? "npm.cmd" : "npm";
}

const tests = spawn(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    `--test-concurrency=${CONCURRENCY}`,
    ...rest,
    ...files,
  ],
  { cwd: root, stdio: "inherit" },
);
const testsCode = await new Promise<number>((resolve) =>
  tests.on("close", (code) => resolve(code ?? 1)),
);
let failed = testsCode !== 0;
for (const [name, result] of checks) {
  const [out, code] = await result;
  if (code !== 0) {
    failed = true;
    console.error(`\n${name} failed:\n${out.trimEnd()}`);
  } else console.log(`# ${name}: ok`);
}
process.exit(failed ? 1 : 0);
