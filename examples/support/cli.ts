/**
 * Command-line manners shared by the examples and scripts: `--help`,
 * one-line errors with a hint, and exit codes (0 success, 1 runtime
 * failure, 2 bad usage). Built on `node:util` parseArgs.
 */
import { lookup } from "node:dns/promises";
import { parseArgs } from "node:util";
import { applyEnv } from "./env.ts";
import { svgPathProblem } from "./svg.ts";
import { startTimeline } from "./timeline.ts";

/** One option: a string value (`--port 80`) or a flag (`--threads`). */
export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  default?: string | boolean;
  /** One line for `--help`. */
  help: string;
}

/** Options of `cli()`: what the program is, and how to call it. */
export interface CliSpec<O extends Record<string, OptionSpec>> {
  /** The usage line(s), e.g. `npx tsx examples/06-server.ts [options]`. */
  usage: string;
  /** One or two lines on what the program does. */
  about: string;
  options?: O;
  /** The argument list; default `process.argv.slice(2)`. */
  args?: string[];
}

type Values<O extends Record<string, OptionSpec>> = {
  [K in keyof O]: O[K]["type"] extends "boolean" ? boolean : string | undefined;
};

/**
 * Prints `message` as one line of at most 80 columns on stderr and exits
 * with `code`. Control characters are shown escaped (`\n`, `\x1b`), and
 * a quoted value that does not fit is shortened in the middle.
 */
export function fail(message: string, code = 1): never {
  process.stderr.write(`${oneLine(`error: ${message}`)}\n`);
  process.exit(code);
}

/**
 * `line` with control characters escaped and its longest quoted part
 * cut to fit `columns`.
 */
export function oneLine(line: string, columns = 80): string {
  let text = escapeControl(line);
  const over = [...text].length - columns;
  if (over <= 0) return text;
  let longest: RegExpExecArray | undefined;
  for (const m of text.matchAll(/`([^`]*)`|'([^']*)'/g))
    if (!longest || m[0].length > longest[0].length) longest = m;
  if (longest) {
    const inner = [...(longest[1] ?? longest[2] ?? "")];
    const keep = Math.max(inner.length - over - 3, 6);
    const head = Math.ceil(keep / 2);
    const tail = inner.slice(inner.length - (keep - head));
    const cut = `${inner.slice(0, head).join("")}...${tail.join("")}`;
    const q = longest[0][0]!;
    text =
      text.slice(0, longest.index) +
      q +
      cut +
      q +
      text.slice(longest.index + longest[0].length);
  }
  const chars = [...text];
  return chars.length > columns
    ? `${chars.slice(0, columns - 3).join("")}...`
    : text;
}

/** Shows C0 and C1 control characters (newline, escape...) as escapes. */
function escapeControl(text: string): string {
  const named: Record<string, string> = {
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
  };
  return text.replace(
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => named[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}

/**
 * Parses the command line. `--help`/`-h` prints the help and exits 0;
 * a wrong option prints one line and exits 2. Every program also gets
 * `--timeline`: draw who ran when at exit (see ./timeline.ts), or
 * `--timeline=FILE.svg`: the same as a picture (see ./svg-timeline.ts).
 * @example
 * import { cli } from "./examples/support/cli.ts";
 * const opts = cli({ usage: "npx tsx x.ts [--port N]", about: "Demo.",
 *   options: { port: { type: "string", default: "8080", help: "port" } } });
 * console.log(opts.port); // → 8080
 */
export function cli<O extends Record<string, OptionSpec>>(
  spec: CliSpec<O>,
): Values<O> {
  // Output piped into `head` (or a closed terminal): stop quietly
  // instead of crashing with an EPIPE stack trace.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  const help: OptionSpec = {
    type: "boolean",
    short: "h",
    help: "show this help",
  };
  const timeline: OptionSpec = {
    type: "boolean",
    help:
      "at exit, draw who ran when (chart on stderr);" +
      " --timeline=FILE.svg writes it as a picture",
  };
  const options: Record<string, OptionSpec> = {
    ...spec.options,
    timeline,
    help,
  };
  const config: Record<
    string,
    { type: "string" | "boolean"; short?: string; default?: string | boolean }
  > = {};
  for (const [name, o] of Object.entries(options)) {
    const c: (typeof config)[string] = { type: o.type };
    if (o.short) c.short = o.short;
    if (o.default !== undefined) c.default = o.default;
    config[name] = c;
  }
  // parseArgs takes `--port -1` for two options ("ambiguous"): join a
  // value that looks like a negative number to its option, so that it
  // reaches the range check and gets a useful message.
  const args = [...(spec.args ?? process.argv.slice(2))];
  // `--timeline=FILE.svg`: the picture instead of the terminal chart.
  let timelineFile: string | undefined;
  for (const [i, arg] of args.entries()) {
    const file = /^--timeline=(.*)$/s.exec(arg)?.[1];
    if (file === undefined) continue;
    timelineFile = file;
    args[i] = "--timeline";
  }
  for (let i = 0; i < args.length - 1; i++) {
    const name = /^--([^=]+)$/.exec(args[i] ?? "")?.[1];
    if (
      name &&
      options[name]?.type === "string" &&
      /^-[\d.]/.test(args[i + 1] ?? "")
    ) {
      args.splice(i, 2, `--${name}=${args[i + 1]}`);
    }
  }
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args,
      options: config,
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    // The first sentence only: one line, within 80 columns.
    const text =
      error instanceof Error
        ? (error.message.split(/\n|\.\s/)[0] ?? "")
        : String(error);
    return fail(`${text.replace(/\.$/, "")} (try --help)`, 2);
  }
  if (values.help) {
    const usage = spec.usage.replace(
      /^npx tsx (?=examples\/)/,
      `${runCommand()} `,
    );
    const about = spec.about.split("\n").flatMap((l) => wrap(l, ""));
    const lines = [
      ...wrap(`Usage: ${usage}`, "       "),
      "",
      ...about,
      "",
      "Options:",
    ];
    for (const [name, o] of Object.entries(options)) {
      const short = o.short ? `-${o.short}, ` : "    ";
      const value = o.type === "string" ? " <value>" : "";
      const flag = `${short}--${name}${value}`;
      const dflt =
        o.default !== undefined && o.type === "string"
          ? ` (default: ${o.default})`
          : "";
      lines.push(
        ...wrap(`  ${flag.padEnd(24)} ${o.help}${dflt}`, " ".repeat(27)),
      );
    }
    process.stdout.write(`${lines.join("\n")}\n`);
    process.exit(0);
  }
  applyEnv();
  if (timelineFile !== undefined)
    startTimeline({ svg: svgOption("timeline", timelineFile) });
  else if (values.timeline) startTimeline();
  delete values.timeline;
  return values as Values<O>;
}

/**
 * The command that runs a TypeScript file on this runtime, as a reader
 * types it after `npm ci`: `npx tsx`, `npx deno run -A` or `npx bun`.
 */
export function runCommand(): string {
  if ("Deno" in globalThis) return "npx deno run -A";
  if (process.versions.bun) return "npx bun";
  return "npx tsx";
}

/**
 * Breaks `line` at spaces into lines of at most `columns`, the next
 * ones indented.
 */
export function wrap(line: string, indent: string, columns = 80): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > columns) {
    // Break before a bracketed option if there is one, else at the last space.
    let at = rest.lastIndexOf(" [", columns);
    if (at <= indent.length) at = rest.lastIndexOf(" ", columns);
    if (at <= indent.length) break;
    out.push(rest.slice(0, at).trimEnd());
    rest = indent + rest.slice(at + 1).trimStart();
  }
  out.push(rest);
  return out;
}

/**
 * Reads a picture's file name (`--chart=FILE.svg`): exits with code 2
 * and a one-line hint unless it ends in .svg and its folder exists, so
 * that a typo is caught before the run, not after it.
 */
export function svgOption(name: string, value: string): string {
  const problem = svgPathProblem(`--${name}`, value);
  if (problem) fail(problem, 2);
  return value;
}

/**
 * Reads an integer option: exits with code 2 and a one-line hint if
 * `value` is not an integer between `min` and `max`.
 */
export function intOption(
  name: string,
  value: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const n =
    value !== undefined && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range =
      max === Number.MAX_SAFE_INTEGER
        ? `an integer >= ${min}`
        : `an integer from ${min} to ${max}`;
    fail(`Expected \`--${name}\` to be ${range}, got \`${value}\``, 2);
  }
  return n;
}

/**
 * Reads a number option (e.g. seconds) written in decimal (`3`, `0.5`):
 * exits with code 2 unless it is >= `min` and <= `max`.
 */
export function numberOption(
  name: string,
  value: string | undefined,
  min: number,
  max = Number.MAX_VALUE,
): number {
  const n =
    value !== undefined && /^-?(\d+\.?\d*|\.\d+)$/.test(value.trim())
      ? Number(value)
      : NaN;
  if (!Number.isFinite(n) || n < min || n > max) {
    const range =
      max === Number.MAX_VALUE
        ? `a number >= ${min}`
        : `a number from ${min} to ${max}`;
    fail(`Expected \`--${name}\` to be ${range}, got \`${value}\``, 2);
  }
  return n;
}

/**
 * Reads a `--host` option: exits with code 2 unless it is an address or
 * a name that resolves (within `ms`), so a typo is told at once rather
 * than as a connection that times out.
 */
export async function hostOption(
  value: string | undefined,
  ms = 3000,
): Promise<string> {
  const host = value?.trim() ?? "";
  const want = "Expected `--host` to be an address like 127.0.0.1";
  if (host === "") fail(`${want}, got \`${value ?? ""}\``, 2);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(resolve, ms, `no answer in ${ms / 1000} s`);
  });
  const why = await Promise.race([
    lookup(host).then(
      () => "",
      (e: NodeJS.ErrnoException) => e.code ?? e.message,
    ),
    late,
  ]);
  clearTimeout(timer);
  if (why)
    fail(`cannot resolve the host \`${host}\` (${why}): check --host`, 2);
  return host;
}

/**
 * Why `listen()` failed, in one line with a hint: the port is taken,
 * needs privileges, or the address is not this host's.
 */
export function listenFailure(
  error: unknown,
  host: string,
  port: number,
): string {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  const where = `${host}:${port}`;
  if (code === "EADDRINUSE")
    return `${where} is in use (EADDRINUSE): stop that server or try --port 0`;
  if (code === "EACCES")
    return `cannot listen on ${where} (EACCES): try a port above 1023`;
  return `cannot listen on ${where} (${code}): check --host and --port`;
}

/**
 * The options of the socket examples: `--host` and `--port` (a server
 * may take port 0, any free port).
 */
export function addressOptions(role: "server" | "client") {
  const server = role === "server";
  return {
    host: {
      type: "string",
      default: "127.0.0.1",
      help: server ? "address to listen on" : "the server's address",
    },
    port: {
      type: "string",
      default: "8080",
      help: server ? "port, 0 for any free port" : "the server's port",
    },
  } as const satisfies Record<string, OptionSpec>;
}

/**
 * Ends the program on Ctrl-C (SIGINT), `kill` (SIGTERM) or a closed
 * terminal (SIGHUP): prints the line `summary()` returns, exits 0.
 */
export function onStop(summary: () => string): void {
  const stop = () => {
    process.stdout.write(`${summary()}\n`, () => process.exit(0));
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
    process.on(signal, stop);
}
