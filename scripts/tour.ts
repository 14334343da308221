/**
 * The demo tour: `npm start` runs every example in the note's order,
 * each after a title card that names the note's section (in Chinese
 * and English) and says what to watch for. The cards come from each
 * example's header (`@title`, `@note`, `@run` and the prose under
 * them), so a new examples/NN-*.ts joins the tour by itself.
 *
 * In a terminal it waits for Enter before each step; piped or with
 * `--no-pause` it runs straight through. A socket section starts a
 * server (an example named NN-server or NN-server-*) in the background
 * on a free port, waits for its ready line (`listening on HOST:PORT`),
 * runs the clients that follow it (NN-client, NN-client-*) against it
 * for a few seconds, then stops the server with SIGINT: first the
 * note's own server and client (06, 07), then their measured
 * versions (08, 09). Every example runs under
 * a small guard process that stops it when the tour goes away, however
 * the tour ends (Ctrl-C, an error, even kill -9): no orphan process.
 * `--runtime deno` or `--runtime bun` runs the same files there.
 */
import { reportSlides, slideCommand, slidesFolder } from "./shared/slides.ts";
import { $, type ProcessPromise } from "zx";
import { readdirSync } from "node:fs";
import { constants } from "node:os";
import { createInterface } from "node:readline";
import type { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { paint, useColor, type Paint } from "../examples/support/chart.ts";
import { cli, fail, numberOption } from "../examples/support/cli.ts";
import { stopTimeline, timelineOn } from "../examples/support/timeline.ts";
import {
  RUNTIMES,
  findRuntime,
  missingRuntime,
  runtimeEnv,
  typedCommand,
  type Runtime,
  type RuntimeName,
} from "./runtimes.ts";
import {
  EXTRA_RUNS,
  SAY,
  cardInput,
  readExample,
  renderCard,
  tourLang,
  type Example,
} from "./shared/tour-cards.ts";

const opts = cli({
  usage: "npm start -- [options]   (or: npx tsx scripts/tour.ts [options])",
  about: [
    "Runs the examples in the note's order, each after a title card.",
    "Waits for Enter between steps in a terminal; runs straight through otherwise.",
    "With --timeline, each example draws who ran when at its end (not the server,",
    "the client, nor the switch-cost benchmark, whose chart would hit its cap).",
    "Exit code: 0 all steps passed, 1 a step failed, 2 bad usage,",
    "130 stopped by Ctrl-C (143 by SIGTERM).",
  ].join("\n"),
  options: {
    only: {
      type: "string",
      help: "run only these examples, e.g. 06,07 or 01-coroutines",
    },
    list: { type: "boolean", help: "list the steps and exit" },
    "no-pause": {
      type: "boolean",
      help: "do not wait for Enter between steps",
    },
    slides: {
      type: "string",
      help: "run straight through, leaving one SVG picture per step in this folder",
    },
    runtime: {
      type: "string",
      default: "node",
      help: "run the examples on node, deno or bun",
    },
    duration: {
      type: "string",
      default: "3",
      help: "seconds the socket client runs",
    },
    quick: { type: "boolean", help: "shorter socket run (1 s), for tests" },
    lang: {
      type: "string",
      help: "zh or en: the cards' first language (default: from LANG)",
    },
  },
});

// cli() starts a timeline for --timeline; the tour has no tasks of its
// own, so it passes the flag on to the examples instead.
const timeline = timelineOn();
if (timeline) stopTimeline();

// --slides DIR: no pauses, and a picture per step (see ./shared/slides.ts).
const slides = slidesFolder(opts.slides);
if (slides !== undefined) opts["no-pause"] = true;
/** The command and environment that run `ex`, drawing its picture under --slides. */
const withSlide = (ex: Example, args: string[]) =>
  slideCommand(slides, runtime, ex, args, env);

// ---------------------------------------------------------------- colour
// Colour only on a terminal, honouring NO_COLOR and FORCE_COLOR (examples/support/chart.ts).
const colour = useColor();
const style = (name: Paint) => (s: string) => paint(s, name, colour);
const bold = style("bold");
const cyan = style("cyan");
const green = style("green");
const red = style("red");
const yellow = style("yellow");

// ---------------------------------------------------------------- examples
// Paths are relative to the project folder, wherever the tour is started from.
process.chdir(fileURLToPath(new URL("..", import.meta.url)));
const examples = readdirSync("examples")
  .filter((f) => /^\d\d-[a-z0-9-]+\.ts$/.test(f))
  .sort()
  .map(readExample);
if (examples.length === 0)
  fail(
    "no examples found in examples/ (run the tour from the project folder)",
    1,
  );

const isServer = (e: Example) => /(^|-)server(-|$)/.test(e.slug.slice(3));
const isClient = (e: Example) => /(^|-)client(-|$)/.test(e.slug.slice(3));
/** The server a client talks to: the nearest server example before it (or the first one). */
const serverFor = (client: Example) =>
  examples.filter((e) => isServer(e) && e.num < client.num).at(-1) ??
  examples.find(isServer);
// The switch-cost benchmark switches millions of times: its timeline
// would hit the recording cap and show nothing useful, so the tour
// does not pass --timeline to it.
const wantsTimeline = (e: Example) =>
  !/(^|-)switch-cost$/.test(e.slug.slice(3));

// ---------------------------------------------------------------- options
const runtimeName = opts.runtime as RuntimeName;
if (!RUNTIMES.includes(runtimeName))
  fail(
    `Expected \`--runtime\` to be node, deno or bun, got \`${opts.runtime}\``,
    2,
  );
const lang =
  tourLang(opts.lang) ??
  fail(`Expected \`--lang\` to be zh or en, got \`${opts.lang}\``, 2);
const say = SAY[lang];
const durationS = opts.quick ? 1 : numberOption("duration", opts.duration, 0.5);

let selected = examples;
if (opts.only !== undefined) {
  const wanted = opts.only
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (wanted.length === 0)
    fail(
      `Expected \`--only\` to list examples like 06,07, got \`${opts.only}\``,
      2,
    );
  for (const w of wanted) {
    if (
      !examples.some(
        (e) => e.num === w.padStart(2, "0") || e.slug === w || e.file === w,
      )
    ) {
      fail(
        `Expected \`--only\` to name examples (${examples.map((e) => e.num).join(", ")}), got \`${w}\``,
        2,
      );
    }
  }
  selected = examples.filter((e) =>
    wanted.some(
      (w) => e.num === w.padStart(2, "0") || e.slug === w || e.file === w,
    ),
  );
}

if (opts.list) {
  for (const e of selected) {
    const role = isServer(e) ? " (background)" : "";
    console.log(
      `${bold(e.num)}  ${cyan(e.title)}${role}\n    ${e.note}\n    ${typedCommand(runtimeName, e.file)}`,
    );
  }
  process.exit(0);
}

const runtime: Runtime =
  findRuntime(runtimeName) ?? fail(missingRuntime(runtimeName), 1);

// ---------------------------------------------------------------- steps
// A step runs one example in the foreground; a socket step runs its
// server in the background and the selected clients against it.
type Step =
  | { kind: "run"; ex: Example }
  | {
      kind: "socket";
      server: Example;
      clients: Example[];
      showServer: boolean;
    };
const steps: Step[] = [];
for (const ex of selected) {
  const server = isServer(ex) ? ex : isClient(ex) ? serverFor(ex) : undefined;
  if (server) {
    let group = steps.find((s) => s.kind === "socket" && s.server === server);
    if (!group) {
      group = {
        kind: "socket",
        server,
        clients: [],
        showServer: selected.includes(server),
      };
      steps.push(group);
    }
    if (ex !== server && group.kind === "socket") group.clients.push(ex);
  } else {
    steps.push({ kind: "run", ex });
  }
}
/** The runs of a client: as it is, then any extra run (EXTRA_RUNS). */
const runsOf = (client: Example) => [
  {
    args: [] as string[],
    label: "",
    extra: undefined as undefined | { en: string; zh: string },
  },
  ...(EXTRA_RUNS[client.slug] ?? []).map((r) => ({
    args: r.args,
    label: ` ${r.args.join(" ")}`,
    extra: { en: r.en, zh: r.zh },
  })),
];
let cards = 0;
for (const s of steps)
  cards +=
    s.kind === "run"
      ? 1
      : s.clients.reduce((n, c) => n + runsOf(c).length, 0) +
        (s.showServer ? 1 : 0);
let cardNo = 0;

const pause =
  Boolean(process.stdin.isTTY && process.stdout.isTTY) && !opts["no-pause"];
const cardWidth = Math.max(40, Math.min(process.stdout.columns || 78, 78));

/** The card of one run of an example, in both languages (the reader's first). */
function card(ex: Example, extra?: { en: string; zh: string }): void {
  cardNo++;
  const command = `${typedCommand(runtime.name, ex.file)}${argsShown(ex)}`;
  const lines = renderCard(
    cardInput(ex, cardNo, cards, command, extra),
    lang,
    cardWidth,
    { bold, title: (s) => bold(cyan(s)), label: yellow },
  );
  console.log(lines.join("\n"));
}

const shownArgs = new Map<Example, string[]>();
const argsShown = (ex: Example) => {
  const a = shownArgs.get(ex);
  return a && a.length ? ` ${a.join(" ")}` : "";
};

/**
 * Waits for Enter on a terminal. Resolves false if the reader typed q,
 * or ended the input (Ctrl-D, or a closed pipe): the tour then ends.
 */
async function waitForEnter(): Promise<boolean> {
  if (!pause) return true;
  if (quit) return false;
  // An input that has already ended never closes again: ask nothing.
  if (process.stdin.readableEnded || process.stdin.destroyed) {
    quit = true;
    return false;
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await new Promise<boolean>((resolve) => {
      let answered = false;
      rl.on("SIGINT", () => void stopTour("SIGINT"));
      rl.on("close", () => {
        if (answered) return;
        quit = true; // end of input (Ctrl-D)
        resolve(false);
      });
      rl.question(bold(`${say.prompt} `), (answer) => {
        answered = true;
        quit = answer.trim().toLowerCase() === "q";
        resolve(!quit);
      });
    });
  } finally {
    rl.close();
  }
}

// ---------------------------------------------------------------- processes
// Every example runs under a guard: a tiny Node process that runs it
// and holds a lifeline, a pipe from the tour on its fd 3. When the
// lifeline closes (the tour stops the example, or the tour dies in any
// way, even kill -9), the guard sends the example SIGINT, then SIGKILL
// after 5 s. So no example outlives the tour.
//
// The background server's guard runs in its own process group
// (detached): a Ctrl-C in the terminal signals the whole foreground
// group (the tour, the client), and the server must keep serving until
// the client has finished its summary. The tour stops the server itself,
// after the client (stopTour). If the tour dies, the lifeline still
// closes and the guard stops the server: detached does not mean orphaned.
const GUARD = `
const { spawn } = require("node:child_process");
const { Socket } = require("node:net");
const { constants } = require("node:os");
const [bin, ...args] = JSON.parse(process.argv[1]);
const stdin = process.argv[2] === "ignore" ? "ignore" : "inherit";
const child = spawn(bin, args, { stdio: [stdin, "inherit", "inherit"] });
let ctrlC = false;
let stopping = false;
// A Ctrl-C in the terminal reaches the example itself: only wait for it.
process.on("SIGINT", () => { ctrlC = true; });
const stop = () => {
  if (stopping) return;
  stopping = true;
  setTimeout(() => { if (!ctrlC) child.kill("SIGINT"); }, 50);
  setTimeout(() => child.kill("SIGKILL"), 5000).unref();
};
const life = new Socket({ fd: 3, readable: true, writable: false });
life.on("close", stop).on("error", stop).resume();
process.on("SIGTERM", stop).on("SIGHUP", stop);
child.on("error", (e) => { console.error("error: cannot start " + bin + ": " + e.message); process.exit(1); });
child.on("exit", (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 9)));
`;

const env = runtimeEnv(process.env);
// In the foreground an example says it is still running when it has
// been quiet for 2 s (examples/support/progress.ts), in the tour's
// language; a background server's output is the tour's to print.
const foregroundEnv = { XIECHENG_PROGRESS: "1", XIECHENG_LANG: lang };

/** A running example (under its guard). */
interface Launched {
  p: ProcessPromise;
  /** Resolves with the example's exit code (128 + n for signal n). */
  done: Promise<number>;
  /** Closes the lifeline: the guard stops the example. */
  stop(): void;
  /** Runs in its own process group (the background server). */
  background: boolean;
}
const running = new Set<Launched>();
let stopping = false;

/**
 * Starts an example under its guard. In the foreground its output goes
 * straight to the terminal; in the background its stdout is piped to
 * the tour (for the ready line) and it reads no input.
 */
function launch(ex: Example, args: string[], background: boolean): Launched {
  const [cmd, env] = withSlide(ex, args);
  const stdio = background
    ? ["ignore", "pipe", "inherit", "pipe"]
    : ["inherit", "inherit", "inherit", "pipe"];
  const p = $({
    stdio: stdio as never,
    nothrow: true,
    quiet: true,
    env: background ? env : { ...env, ...foregroundEnv },
    cwd: process.cwd(),
    detached: background,
  })`${process.execPath} -e ${GUARD} ${JSON.stringify(cmd)} ${background ? "ignore" : "inherit"}`;
  const lifeline = p.child?.stdio[3] as Writable | undefined;
  // The tour's end of the lifeline must close when the guard exits, or
  // zx would wait for it forever.
  p.child?.on("exit", () => lifeline?.destroy());
  const launched: Launched = {
    p,
    done: p.then((out) => out.exitCode ?? 1),
    stop: () => lifeline?.end(),
    background,
  };
  running.add(launched);
  void launched.done.finally(() => running.delete(launched));
  return launched;
}

/** Stops an example and waits for it; SIGKILLs its process tree after 10 s. */
async function stopAndWait(l: Launched): Promise<number> {
  l.stop();
  const timer = setTimeout(
    () => void l.p.kill("SIGKILL").catch(() => undefined),
    10_000,
  );
  try {
    return await l.done;
  } finally {
    clearTimeout(timer);
  }
}

/** Runs an example in the foreground until it ends. */
function runForeground(ex: Example, args: string[] = []): Promise<number> {
  return launch(ex, args, false).done;
}

interface Server extends Launched {
  host: string;
  port: number;
}

/** Starts the server in the background and waits for its ready line. */
async function startServer(ex: Example): Promise<Server> {
  const l = launch(ex, ["--port", "0"], true);
  const tag = `[${ex.slug}]`;
  try {
    return await new Promise<Server>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${ex.slug} printed no ready line within 30 s`)),
        30_000,
      );
      let ready = false;
      const lines = createInterface({ input: l.p.stdout });
      lines.on("line", (line) => {
        console.log(`${tag} ${line}`);
        const m = /listening on (\S+):(\d+)/.exec(line);
        if (!ready && m) {
          ready = true;
          clearTimeout(timer);
          resolve({
            ...l,
            host: m[1]!.replace(/^\[|\]$/g, ""),
            port: Number(m[2]),
          });
        }
      });
      void l.done.then((code) => {
        clearTimeout(timer);
        if (!ready)
          reject(
            new Error(
              `${ex.slug} exited with code ${code} before it was ready`,
            ),
          );
      });
    });
  } catch (error) {
    await stopAndWait(l);
    throw error;
  }
}

/** Stops every example still running: the clients first, then the server they talk to. */
async function stopAll(): Promise<void> {
  const all = [...running];
  await Promise.allSettled(all.filter((l) => !l.background).map(stopAndWait));
  await Promise.allSettled(all.filter((l) => l.background).map(stopAndWait));
}

/** Ctrl-C or SIGTERM: stop every example still running, then exit 128 + the signal's number (130 for Ctrl-C). */
async function stopTour(signal: NodeJS.Signals): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log(
      `\n${yellow(`tour stopped (${signal})`)}: stopping what is still running...`,
    );
    await stopAll();
  }
  process.exit(128 + (constants.signals[signal] ?? 2));
}
for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
  process.on(s, () => void stopTour(s));

// ---------------------------------------------------------------- the tour
const failures: string[] = [];
let ran = 0;
let quit = false;
const check = (
  ex: Example,
  code: number | null,
  what = "exited",
  counts = true,
  label = "",
) => {
  if (stopping) return;
  if (counts) ran++;
  if (code === 0) console.log(green(`✓ ${ex.slug}${label}`));
  else {
    failures.push(`${ex.slug}${label}`);
    console.log(red(`✗ ${ex.slug}${label} ${what} with code ${code}`));
  }
};

console.log(bold(say.tour(cards, runtime.version.split(" (")[0]!)));
if (pause) console.log(say.keys);

async function main(): Promise<void> {
  for (const step of steps) {
    if (step.kind === "run") {
      const args = timeline && wantsTimeline(step.ex) ? ["--timeline"] : [];
      shownArgs.set(step.ex, args);
      card(step.ex);
      if (!(await waitForEnter())) return;
      check(step.ex, await runForeground(step.ex, args));
      continue;
    }
    const { server: srv, clients } = step;
    shownArgs.set(srv, ["--port", "0"]);
    if (step.showServer) {
      card(srv, { en: SAY.en.server, zh: SAY.zh.server });
      if (!(await waitForEnter())) return;
    } else {
      console.log(`\n${say.starting(srv.slug)}`);
    }
    let bg: Server;
    try {
      bg = await startServer(srv);
    } catch (error) {
      cardNo += clients.length; // their steps are skipped
      failures.push(srv.slug);
      console.log(
        red(`✗ ${error instanceof Error ? error.message : String(error)}`),
      );
      continue;
    }
    clients: for (const client of clients) {
      for (const run of runsOf(client)) {
        const args = [
          "--host",
          bg.host,
          "--port",
          String(bg.port),
          "--duration",
          String(durationS),
          ...run.args,
        ];
        shownArgs.set(client, args);
        card(client, {
          en: [SAY.en.client(durationS), run.extra?.en]
            .filter(Boolean)
            .join("; "),
          zh: [SAY.zh.client(durationS), run.extra?.zh]
            .filter(Boolean)
            .join("；"),
        });
        if (!(await waitForEnter())) break clients;
        check(
          client,
          await runForeground(client, args),
          "exited",
          true,
          run.label,
        );
      }
    }
    if (!step.showServer || clients.length === 0) {
      // The server's own step: let it be seen running for a moment.
      if (clients.length === 0) await new Promise((r) => setTimeout(r, 1000));
    }
    if (stopping) return;
    console.log(say.stopping(srv.slug));
    check(srv, await stopAndWait(bg), "stopped", step.showServer);
  }
}

try {
  await main();
} catch (error) {
  console.error(
    `error: the tour failed: ${error instanceof Error ? error.message : String(error)}`,
  );
  failures.push("tour");
} finally {
  await stopAll();
}
if (!stopping) {
  if (slides !== undefined && !reportSlides(slides, selected))
    failures.push("slides");
  console.log("");
  if (quit && failures.length === 0) console.log(bold(say.ended(ran, cards)));
  else if (failures.length === 0)
    console.log(bold(green(say.done(ran, cards))));
  else console.log(bold(red(say.failed(failures.length, failures.join(", ")))));
  process.exit(failures.length === 0 ? 0 : 1);
}
