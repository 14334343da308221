/**
 * A timeline of who ran when: records, for opt-in runs, when each
 * task was running and when it was waiting, and draws one lane per
 * task with a time axis when the program exits.
 *
 * Turn it on with `--timeline` on any example (see ./cli.ts), with
 * `XIECHENG_TIMELINE=1` for any program that imports the lib, or with
 * `startTimeline()`. The chart goes to stderr, so it never mixes with
 * the program's own output. While it is off, nothing is recorded.
 *
 * The lanes (one thread, so at most one lane runs at any moment):
 *   #  running: the task's code ran for most of this column's time
 *   :  ran briefly in this column (less than half of it)
 *   -  waiting: parked at a switch point (sleep, join, a socket, ...)
 *   !  its wait was over (a sleep was due) but another task held the
 *      thread, so it could not run yet: a task that blocks shows here
 */
import { writeSync } from "node:fs";
import { fancy, ms, paint, useColor } from "./chart.ts";
import { addTaskObserver, taskLabel } from "./observe.ts";
import type { Task } from "../../lib/core.ts";

/** What a lane shows for a stretch of time. */
export type SpanState = "run" | "wait" | "late";
/** One stretch of a lane, in ms since the timeline started. */
export interface Span {
  from: number;
  to: number;
  state: SpanState;
}
/** One task (or a lane marked by hand) and its spans, in time order. */
export interface Lane {
  label: string;
  spans: Span[];
}

interface Live extends Lane {
  state: "new" | "run" | "wait" | "done";
  since: number;
  due: number | undefined;
}

const MAX_SPANS = 200_000;
/** Timer slack: a wake this close to its due time does not count as late. */
const SLACK_MS = 10;
let t0 = 0;
let lanes: Live[] = [];
let byKey = new Map<unknown, Live>();
let running: Live | undefined;
let spanCount = 0;
let stopObserving: (() => void) | undefined;
let printAtExit = false;

const now = () => performance.now() - t0;

function push(l: Live, state: SpanState, from: number, to: number): void {
  if (spanCount >= MAX_SPANS) return;
  const last = l.spans[l.spans.length - 1];
  if (last && last.state === state && last.to >= from - 0.001) last.to = to;
  else {
    l.spans.push({ from, to, state });
    spanCount++;
  }
}

/** Closes the lane's current stretch at `t` and opens a new one. */
function enter(
  l: Live,
  state: Live["state"],
  t: number,
  waitMs?: number,
): void {
  if (l.state === "run") push(l, "run", l.since, t);
  else if (l.state === "wait") {
    const due = l.due === undefined ? t : Math.min(Math.max(l.due, l.since), t);
    push(l, "wait", l.since, due);
    if (t - due >= SLACK_MS) push(l, "late", due, t);
    else push(l, "wait", due, t);
  }
  l.state = state;
  l.since = t;
  l.due = waitMs === undefined ? undefined : t + waitMs;
  if (state === "run") {
    // One thread: whoever ran before has stopped by now.
    if (running && running !== l && running.state === "run")
      enter(running, "wait", t);
    running = l;
  } else if (running === l) running = undefined;
}

function lane(key: unknown, label: () => string, first: Live["state"]): Live {
  let l = byKey.get(key);
  if (!l) {
    // Seen for the first time mid-life (e.g. MainTask): assume it was
    // running (or waiting) since the timeline started.
    l = { label: label(), spans: [], state: first, since: 0, due: undefined };
    if (first === "run") running = l;
    byKey.set(key, l);
    lanes.push(l);
  }
  return l;
}

const observer = {
  spawn: (t: Task) => void lane(t, () => taskLabel(t), "new"),
  start: (t: Task) =>
    enter(
      lane(t, () => taskLabel(t), "new"),
      "run",
      now(),
    ),
  park: (t: Task, waitMs?: number) =>
    enter(
      lane(t, () => taskLabel(t), "run"),
      "wait",
      now(),
      waitMs,
    ),
  resume: (t: Task) =>
    enter(
      lane(t, () => taskLabel(t), "wait"),
      "run",
      now(),
    ),
  end: (t: Task) =>
    enter(
      lane(t, () => taskLabel(t), "run"),
      "done",
      now(),
    ),
};

/**
 * Starts recording (again, from an empty chart). With `atExit` (the
 * default) the chart is printed to stderr when the process exits.
 * @example
 * import { spawn, sleep } from "./lib/index.ts";
 * import { startTimeline } from "./examples/support/timeline.ts";
 * startTimeline();
 * spawn(async function eat() { await sleep(300); });
 * spawn(async function play() { await sleep(100); });
 * // at exit, on stderr:
 * // Task-1 (eat)  |#----------------------------------------------------------#| ran 0.5 ms, waited 300 ms
 * // Task-2 (play) |#-------------------#                                       | ran 0.3 ms, waited 100 ms
 */
export function startTimeline(options: { atExit?: boolean } = {}): void {
  stopObserving?.();
  t0 = performance.now();
  lanes = [];
  byKey = new Map();
  running = undefined;
  spanCount = 0;
  stopObserving = addTaskObserver(observer);
  if (options.atExit !== false && !printAtExit) {
    printAtExit = true;
    process.once("exit", () => {
      if (stopObserving)
        writeSync(
          2,
          `${renderTimeline(stopTimeline(), { stream: process.stderr })}\n`,
        );
    });
  }
}

/** Whether the timeline is recording. */
export function timelineOn(): boolean {
  return stopObserving !== undefined;
}

/**
 * Marks a lane by hand, for code that schedules work without the lib's
 * tasks (e.g. generators stepped by a loop): `run`, `wait` (for
 * `waitMs` when known) or `done`. Does nothing while the timeline is off.
 * @example
 * import { markTimeline, startTimeline } from "./examples/support/timeline.ts";
 * startTimeline(); // the chart is drawn at exit
 * function* job() { yield; }
 * const gen = job();
 * markTimeline("job", "run");
 * const step = gen.next();
 * markTimeline("job", step.done ? "done" : "wait");
 */
export function markTimeline(
  label: string,
  state: "run" | "wait" | "done",
  waitMs?: number,
): void {
  if (!stopObserving) return;
  enter(
    lane(`lane:${label}`, () => label, "new"),
    state,
    now(),
    waitMs,
  );
}

/** A finished recording: the lanes in order of first appearance. */
export interface Timeline {
  lanes: Lane[];
  /** From the start of the recording to its end, in ms. */
  totalMs: number;
  /** True if recording stopped early to bound memory. */
  truncated: boolean;
}

/** Stops recording and returns what was recorded, open stretches closed now. */
export function stopTimeline(): Timeline {
  const t = now();
  stopObserving?.();
  stopObserving = undefined;
  for (const l of lanes)
    if (l.state === "run" || l.state === "wait") enter(l, l.state, t);
  return {
    lanes: lanes.map((l) => ({ label: l.label, spans: l.spans })),
    totalMs: t,
    truncated: spanCount >= MAX_SPANS,
  };
}

/** Options of `renderTimeline`. */
export interface RenderOptions {
  /** Columns for the time axis (default: fit the terminal, or 80 columns off one). */
  width?: number;
  /** Lanes drawn at most; the rest are counted (default 16). */
  maxLanes?: number;
  /** Decides colour and block characters (default stderr). */
  stream?: { isTTY?: boolean; columns?: number };
}

type Cell = SpanState | "brief" | " ";

/**
 * Draws a recording as a swimlane chart: one line per lane, one
 * column per slice of time. A column is `#` only when the task ran for
 * at least half of its slice, and `:` when it ran for less (so a short
 * run stays visible without looking like a long one); otherwise late
 * beats waiting. The figures at the right are the exact sums.
 */
export function renderTimeline(
  tl: Timeline,
  options: RenderOptions = {},
): string {
  const stream = options.stream ?? process.stderr;
  const color = useColor(stream);
  const blocks = fancy(stream);
  const maxLanes = options.maxLanes ?? 16;
  const shown =
    tl.lanes.length > maxLanes ? tl.lanes.slice(0, maxLanes - 1) : tl.lanes;
  const labelW = Math.max(4, ...shown.map((l) => l.label.length));
  // The figures at the right of each lane, known before the chart's width.
  const sums = shown.map((l) => {
    const sum = { run: 0, wait: 0, late: 0 };
    for (const s of l.spans) sum[s.state] += s.to - s.from;
    const late = sum.late >= 0.05 ? `, late ${ms(sum.late)}` : "";
    return {
      text: ` ran ${ms(sum.run)}, waited ${ms(sum.wait)}${late}`,
      late: sum.late >= 0.05,
    };
  });
  // Fit the screen: the terminal's width, or 80 columns off a terminal.
  const screen = (stream.isTTY && stream.columns) || 80;
  const cols =
    options.width ??
    Math.max(
      10,
      Math.min(
        100,
        screen -
          1 -
          labelW -
          3 -
          Math.max(0, ...sums.map((s) => s.text.length)),
      ),
    );
  const total = Math.max(tl.totalMs, 1);
  const colMs = total / cols;
  const chars = blocks
    ? { run: "█", brief: "┊", wait: "─", late: "▒" }
    : { run: "#", brief: ":", wait: "-", late: "!" };
  const styles = {
    run: "green",
    brief: "green",
    wait: "dim",
    late: "red",
  } as const;
  const glyph = {
    run: paint(chars.run, "green", color),
    brief: paint(chars.brief, "green", color),
    wait: paint(chars.wait, "dim", color),
    late: paint(chars.late, "red", color),
  };
  const head = `timeline: ${tl.lanes.length} lane${tl.lanes.length === 1 ? "" : "s"} on one thread, ${ms(tl.totalMs)}, one column = ${ms(colMs)}`;
  const legend = `  ${glyph.run} running  ${glyph.brief} ran briefly  ${glyph.wait} waiting  ${glyph.late} due, but another task ran`;
  const lines = [head, legend];
  for (const [i, l] of shown.entries()) {
    // Time spent in each state within each column (a span touches at least one).
    const time = {
      run: new Array<number>(cols).fill(0),
      wait: new Array<number>(cols).fill(0),
      late: new Array<number>(cols).fill(0),
    };
    const seen = new Array<boolean>(cols).fill(false);
    for (const s of l.spans) {
      const a = Math.min(cols - 1, Math.floor(s.from / colMs));
      const b = Math.min(cols - 1, Math.max(a, Math.ceil(s.to / colMs) - 1));
      for (let c = a; c <= b; c++) {
        const overlap =
          Math.min(s.to, (c + 1) * colMs) - Math.max(s.from, c * colMs);
        time[s.state][c]! += Math.max(overlap, 1e-6);
        seen[c] = true;
      }
    }
    const half = colMs / 2;
    const cells: Cell[] = seen.map((hit, c) => {
      if (!hit) return " ";
      const [run, late, wait] = [time.run[c]!, time.late[c]!, time.wait[c]!];
      if (run >= half) return "run";
      if (late >= half) return "late";
      if (run > 0) return "brief";
      if (late > 0) return "late";
      return wait > 0 ? "wait" : " ";
    });
    // Colour each run of equal cells once, not cell by cell.
    const row = cells
      .join(",")
      .replace(/(run|brief|late|wait|\s)(,\1)*/g, (group, state: string) => {
        const n = group.split(",").length;
        return state === " "
          ? " ".repeat(n)
          : paint(
              chars[state as Exclude<Cell, " ">].repeat(n),
              styles[state as Exclude<Cell, " ">],
              color,
            );
      })
      .replaceAll(",", "");
    const { text, late } = sums[i]!;
    const figures = late
      ? text.replace(/late .*$/, (m) => paint(m, "red", color))
      : text;
    lines.push(`${l.label.padEnd(labelW)} |${row}|${figures}`);
  }
  if (shown.length < tl.lanes.length)
    lines.push(
      `${"".padEnd(labelW)}  ... and ${tl.lanes.length - shown.length} more lanes (not drawn)`,
    );
  lines.push(`${"".padEnd(labelW)}  ${axis(total, cols)}`);
  if (tl.truncated) {
    lines.push(
      `(the timeline stopped recording after ${MAX_SPANS.toLocaleString("en-US")} stretches, to bound memory:`,
    );
    lines.push(
      " what came later is missing, so late lanes may look empty; try a shorter run)",
    );
  }
  return lines.join("\n");
}

/** A time axis `cols` wide: `|0 s      |1 s      |2 s`. */
function axis(total: number, cols: number): string {
  const steps = [1, 2, 5];
  let step = 1;
  for (let k = 0; ; k++) {
    step = (steps[k % 3] ?? 1) * 10 ** Math.floor(k / 3);
    if ((step / total) * cols >= 12) break;
  }
  const label = (t: number) => (total >= 1000 ? `${t / 1000} s` : `${t} ms`);
  let out = "";
  for (let t = 0; t <= total + 1e-9; t += step) {
    const pos = Math.round((t / total) * cols);
    const text = `|${label(Math.round(t))}`;
    if (pos < out.length || pos + text.length > cols + 8) continue;
    out = out.padEnd(pos) + text;
  }
  return out;
}
