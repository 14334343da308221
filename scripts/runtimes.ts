/**
 * Finds the JavaScript runtimes that can run the examples: Node.js
 * (with tsx), and Deno and Bun, which npx fetches from the npm registry
 * on first use (they are not dev dependencies: `npm ci` stays light).
 *
 * Run it to see what this machine has (it fetches Deno and Bun once,
 * about 100 MB each, into npm's cache):
 *   npx tsx scripts/runtimes.ts
 *
 * The tests and the tour run the pinned releases below. They ask npx
 * once per process where the binary is, then run it directly: each
 * `npx` call costs a second or more, and npm does not pass signals on
 * to the program it started.
 */
import { execFileSync } from "node:child_process";
import { relative } from "node:path";
import { pathToFileURL } from "node:url";
import { cli } from "../examples/support/cli.ts";
import { stopTimeline } from "../examples/support/timeline.ts";

/** The runtimes that the examples run on. */
export const RUNTIMES = ["node", "deno", "bun"] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

/** The Deno and Bun releases the examples are tested on. */
export const PINNED = { deno: "2.9.6", bun: "1.4.5" } as const;

/** A runtime found on this machine. */
export interface Runtime {
  name: RuntimeName;
  /** The executable. */
  bin: string;
  /** Arguments that go before the script's path. */
  pre: string[];
  /** What `--version` said, first line. */
  version: string;
}

/** Prints the path of the runtime's own binary, run through npx. */
const WHERE = {
  deno: ["eval", "console.log(Deno.execPath())"],
  bun: ["-e", "console.log(process.execPath)"],
} as const;

/**
 * Asks npx for the pinned `name` (fetching it the first time) and
 * returns its binary's path, or undefined with the reason.
 */
function fetchBinary(name: "deno" | "bun"): string | undefined {
  const npx = process.platform === "win32" ? "npx.cmd" : "npx";
  try {
    const out = execFileSync(
      npx,
      ["--yes", "--prefer-offline", `${name}@${PINNED[name]}`, ...WHERE[name]],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 600_000, // a first fetch on a slow line
        env: runtimeEnv({ ...process.env, NO_COLOR: "1" }),
        shell: process.platform === "win32",
      },
    );
    return out.trim().split("\n").at(-1) || undefined;
  } catch {
    return undefined;
  }
}

/** Runs `bin --version`; returns its first line, or undefined if it does not run. */
function versionOf(bin: string): string | undefined {
  try {
    const out = execFileSync(bin, ["--version"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 60_000,
      env: runtimeEnv({ ...process.env, NO_COLOR: "1" }),
    });
    return out.split("\n")[0]?.trim() || undefined;
  } catch {
    return undefined;
  }
}

const found = new Map<RuntimeName, Runtime | undefined>();

/**
 * Finds a runtime, or returns undefined if it cannot be had (npx could
 * not fetch it). `node` is this process's Node.js, running TypeScript
 * through tsx; `deno` and `bun` are the pinned releases ({@link PINNED}).
 * @example
 * const deno = findRuntime("deno");
 * if (deno) console.log(deno.version); // → deno 2.9.6 (stable, ...)
 */
export function findRuntime(name: RuntimeName): Runtime | undefined {
  if (found.has(name)) return found.get(name);
  let runtime: Runtime | undefined;
  if (name === "node") {
    runtime = {
      name,
      bin: process.execPath,
      pre: ["--import", "tsx"],
      version: `node ${process.version}`,
    };
  } else {
    const bin = fetchBinary(name);
    const version = bin && versionOf(bin);
    if (bin && version)
      runtime = {
        name,
        bin,
        pre: name === "deno" ? ["run", "-A"] : [],
        version: version.startsWith(name) ? version : `${name} ${version}`,
      };
  }
  found.set(name, runtime);
  return runtime;
}

/** Why a runtime is missing, for a test's or the tour's message. */
export function missingRuntime(name: RuntimeName): string {
  return name === "node"
    ? "node: not found"
    : `${name} not found: npx could not fetch ${name}@${PINNED[name]} (npm's registry is needed once)`;
}

/** The environment the runtimes need: no update checks, no prompts. */
export function runtimeEnv(
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  return { ...env, DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1" };
}

/** The command line that runs `file` with `args` on `runtime`: [bin, ...argv]. */
export function commandFor(
  runtime: Runtime,
  file: string,
  args: string[] = [],
): [string, ...string[]] {
  return [runtime.bin, ...runtime.pre, file, ...args];
}

/** The command a person would type to run `file` on `name`. */
export function typedCommand(name: RuntimeName, file: string): string {
  if (name === "deno") return `npx deno run -A ${file}`;
  if (name === "bun") return `npx bun ${file}`;
  return `npx tsx ${file}`;
}

const isMain =
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  cli({
    usage: "npx tsx scripts/runtimes.ts",
    about:
      "Lists the runtimes for the examples: Node.js, and Deno and Bun (npx fetches them once).",
  });
  stopTimeline(); // no tasks here: nothing to draw for --timeline
  let missing = 0;
  for (const name of RUNTIMES) {
    const r = findRuntime(name);
    if (!r) missing++;
    const rel = r ? relative(process.cwd(), r.bin) : "";
    const where = r
      ? rel && !rel.startsWith("..") && r.bin.includes("/")
        ? rel
        : r.bin
      : "";
    console.log(
      `${name.padEnd(5)} ${r ? `${r.version.padEnd(40)} ${where}` : missingRuntime(name)}`,
    );
  }
  process.exitCode = missing === 0 ? 0 : 1;
}
