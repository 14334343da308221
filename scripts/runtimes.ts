/**
 * Finds the JavaScript runtimes that can run the examples: Node.js
 * (with tsx), and Deno and Bun, which come from the npm registry as
 * dev dependencies.
 *
 * Run it to see what this machine has:
 *   npx tsx scripts/runtimes.ts
 *
 * Deno and Bun ship their binaries inside platform packages
 * (`@deno/linux-x64-glibc`, `@oven/bun-linux-x64`, ...). Their
 * `deno`/`bun` wrapper packages only copy that binary in a postinstall
 * script, which npm may skip (`--ignore-scripts`, or npm 11 install
 * script approval). So this module looks for the platform package's
 * binary first, then for the wrapper's copy, then on PATH.
 */
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { cli } from "../examples/support/cli.ts";
import { stopTimeline } from "../examples/support/timeline.ts";

/** The runtimes that the examples run on. */
export const RUNTIMES = ["node", "deno", "bun"] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

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

const require = createRequire(import.meta.url);
const exe = process.platform === "win32" ? ".exe" : "";

/** The folder of an installed package, or undefined. */
function packageDir(name: string): string | undefined {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

function isLinuxMusl(): boolean {
  if (process.platform !== "linux") return false;
  const report = process.report?.getReport() as
    { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime === undefined;
}

/** Where a runtime's binary may be, most robust first. */
function candidates(name: "deno" | "bun"): string[] {
  const { platform } = process;
  const list: string[] = [];
  const add = (pkg: string, file: string) => {
    const dir = packageDir(pkg);
    if (dir) list.push(join(dir, file));
  };
  if (name === "deno") {
    const libc =
      platform === "linux" ? (isLinuxMusl() ? "-musl" : "-glibc") : "";
    add(`@deno/${platform}-${process.arch}${libc}`, `deno${exe}`);
    add("deno", `deno${exe}`);
  } else {
    const arch = process.arch === "arm64" ? "aarch64" : process.arch;
    const musl = isLinuxMusl() ? "-musl" : "";
    for (const variant of ["", "-baseline"]) {
      add(`@oven/bun-${platform}-${arch}${musl}${variant}`, `bin/bun${exe}`);
    }
    // The wrapper's own bin/bun.exe is a small placeholder script until
    // its postinstall has copied the real binary over it.
    add("bun", "bin/bun.exe");
  }
  list.push(name); // on PATH
  return list;
}

/** Runs `bin --version`; returns its first line, or undefined if it does not run. */
function versionOf(bin: string): string | undefined {
  try {
    const out = execFileSync(bin, ["--version"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 20_000,
      env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    });
    return out.split("\n")[0]?.trim() || undefined;
  } catch {
    return undefined;
  }
}

const found = new Map<RuntimeName, Runtime | undefined>();

/**
 * Finds a runtime, or returns undefined if it is not installed.
 * `node` is this process's Node.js, running TypeScript through tsx.
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
    for (const bin of candidates(name)) {
      if (bin.includes("/") || bin.includes("\\")) {
        // A placeholder script is a few hundred bytes; the real binary tens of MB.
        if (!existsSync(bin) || statSync(bin).size < 1_000_000) continue;
      }
      const version = versionOf(bin);
      if (version) {
        const named = version.startsWith(name) ? version : `${name} ${version}`;
        runtime = {
          name,
          bin,
          pre: name === "deno" ? ["run", "-A"] : [],
          version: named,
        };
        break;
      }
    }
  }
  found.set(name, runtime);
  return runtime;
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
      "Lists the runtimes for the examples: Node.js, Deno and Bun (dev dependencies).",
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
      `${name.padEnd(5)} ${r ? `${r.version.padEnd(40)} ${where}` : "not found: run npm ci"}`,
    );
  }
  process.exitCode = missing === 0 ? 0 : 1;
}
