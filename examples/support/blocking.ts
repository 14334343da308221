/**
 * A blocking detector: tells you, while it happens, that one task is
 * holding the thread (a blocking call or a long loop: every other
 * task is frozen), and once it is over, who woke up late because of it.
 *
 * Turn it on with `detectBlocking()` or `XIECHENG_BLOCKING=1` (the
 * threshold, default 100 ms, with `XIECHENG_BLOCKING_MS`). Off by
 * default; while off it costs nothing. Reports are short lines on
 * stderr (kept under 80 columns for a typical task name):
 *
 *   [blocking] Task-2 (hog) is blocking the thread: 100 ms so far
 *   [blocking] Task-2 (hog) is still blocking: 1.00 s so far
 *   [blocking] Task-2 (hog) blocked the thread for 1.20 s
 *   [blocking]   woke late: Task-1 (beat) +1.10 s
 *
 * The frozen thread cannot report on itself, so a watcher runs on a
 * worker thread: the main thread stamps the time into shared memory
 * at every switch and on a short heartbeat; the watcher wakes every
 * quarter threshold and reports when the stamp is too old. Like
 * gevent's monitor thread (GEVENT_MONITOR_THREAD_ENABLE), but it
 * names the task instead of dumping every stack. The culprit is the
 * task that last started or resumed through a lib switch point.
 */
import { writeSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { paint, useColor } from "./chart.ts";
import { addTaskObserver, taskLabel } from "./observe.ts";
import type { Task } from "../../lib/core.ts";

/** Options of `detectBlocking`. */
export interface BlockingOptions {
  /** Report a thread held longer than this many ms (default 100). */
  thresholdMs?: number;
}

// Runs on the watcher thread: plain JavaScript, so it needs no loader.
const WATCHER = `
const { workerData } = require("node:worker_threads");
const { writeSync } = require("node:fs");
const { sab, threshold, tag } = workerData;
const stamp = new Float64Array(sab, 0, 1), flags = new Int32Array(sab, 8, 2), name = new Uint8Array(sab, 16);
const fmt = (ms) => ms >= 999.5 ? (ms / 1000).toFixed(2) + " s" : Math.round(ms) + " ms";
let stall = -1, next = 0;
while (Atomics.wait(flags, 0, 0, threshold / 4) === "timed-out") {
  const since = stamp[0], blocked = performance.timeOrigin + performance.now() - since;
  if (blocked < threshold) continue;
  if (since !== stall) { stall = since; next = threshold; }
  if (blocked < next) continue;
  const len = Atomics.load(flags, 1);
  const who = len > 0 ? new TextDecoder().decode(name.slice(0, len)) : "code outside any task";
  const first = next === threshold;
  writeSync(2, tag + " " + who + (first ? " is blocking the thread: " : " is still blocking: ") + fmt(blocked) + " so far\\n");
  next = (Math.floor(blocked / 1000) + 1) * 1000;
}
`;

let stopCurrent: (() => void) | undefined;

/**
 * Starts the blocking detector; returns a function that stops it.
 * @example
 * import { spawn, sleep } from "./lib/index.ts";
 * import { detectBlocking } from "./examples/support/blocking.ts";
 * detectBlocking({ thresholdMs: 100 });
 * spawn(async function hog() {
 *   await sleep(10);
 *   const end = Date.now() + 300;
 *   while (Date.now() < end); // a loop with no switch point
 * });
 * // stderr → [blocking] Task-1 (hog) is blocking the thread: 100 ms so far
 * //          [blocking] Task-1 (hog) blocked the thread for 300 ms
 * //          [blocking]   no waiting task was due meanwhile
 */
export function detectBlocking(options: BlockingOptions = {}): () => void {
  const threshold = options.thresholdMs ?? 100;
  const ok = typeof threshold === "number" && threshold >= 0;
  if (!ok || threshold >= 2 ** 31)
    throw new TypeError(
      `Expected \`thresholdMs\` to be a non-negative number of milliseconds, got \`${String(threshold)}\``,
    );
  if (threshold === 0)
    throw new TypeError("Expected `thresholdMs` to be more than 0 ms, got `0`");
  stopCurrent?.();
  const color = useColor(process.stderr);
  const tag = paint("[blocking]", "yellow", color);
  const wall = () => performance.timeOrigin + performance.now();
  const sab = new SharedArrayBuffer(16 + 128);
  const stamp = new Float64Array(sab, 0, 1);
  const flags = new Int32Array(sab, 8, 2);
  const name = new Uint8Array(sab, 16);
  const encoder = new TextEncoder();
  stamp[0] = wall();

  let watcher: Worker | undefined;
  try {
    watcher = new Worker(WATCHER, {
      eval: true,
      execArgv: [],
      workerData: { sab, threshold, tag },
    });
    watcher.unref();
    watcher.on("error", () => undefined);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    writeSync(
      2,
      `${tag} no watcher thread here (${why}): blocks are reported only once they end\n`,
    );
  }

  // Who holds the thread, since when; when each sleeping task is due.
  let running: Task | undefined;
  let runSince = 0;
  const due = new Map<Task, number>();
  const late: { label: string; ms: number; at: number }[] = [];
  let pending: { label: string; ms: number; end: number } | undefined;
  let flushTimer: NodeJS.Timeout | undefined;
  let hinted = false;
  let lastEnd = 0;

  const flush = () => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = undefined;
    const block = pending;
    if (!block) return;
    pending = undefined;
    const victims = late
      .filter((v) => v.at >= block.end - block.ms)
      .sort((a, b) => b.ms - a.ms);
    late.length = 0;
    const items = victims.slice(0, 5).map((v) => `${v.label} +${fmt(v.ms)}`);
    if (victims.length > 5) items.push(`and ${victims.length - 5} more`);
    let text = `${tag} ${block.label} blocked the thread for ${fmt(block.ms)}\n`;
    if (items.length === 0)
      text += `${tag}   no waiting task was due meanwhile\n`;
    // The late wakers, packed into lines under 80 columns.
    let line = "  woke late:";
    items.forEach((item, i) => {
      const piece = ` ${item}${i < items.length - 1 ? "," : ""}`;
      if (line.length + piece.length > 66 && line.trim() !== "woke late:") {
        text += `${tag} ${line}\n`;
        line = "   ";
      }
      line += piece;
    });
    if (items.length > 0) text += `${tag} ${line}\n`;
    if (!hinted) {
      hinted = true;
      text += `${tag} hint: wait with await (sleep, recv, join), not a blocking call;\n`;
      text += `${tag}       split a long loop with await sleep(0)\n`;
    }
    writeSync(2, text);
  };
  const noteBlock = (label: string, blockedMs: number, end: number) => {
    if (pending) flush();
    pending = { label, ms: blockedMs, end };
    lastEnd = end;
    // Report a moment later: the tasks it delayed wake up first.
    flushTimer = setTimeout(flush, 10);
  };
  const holder = (t: Task | undefined) => {
    const label = t ? taskLabel(t) : "";
    const { written } = encoder.encodeInto(label, name);
    Atomics.store(flags, 1, written);
  };
  const stopRun = (now: number) => {
    // (a block the heartbeat already reported moved runSince past it)
    if (running && now - runSince >= threshold)
      noteBlock(taskLabel(running), now - runSince, now);
    running = undefined;
  };
  const run = (t: Task) => {
    const now = wall();
    stopRun(now);
    running = t;
    runSince = now;
    holder(t);
    stamp[0] = now;
  };
  const idle = (t: Task, waitMs?: number) => {
    const now = wall();
    if (waitMs !== undefined) due.set(t, now + waitMs);
    stopRun(now);
    holder(undefined);
    stamp[0] = now;
  };
  const lateLimit = Math.max(5, threshold / 10);
  const stopObserving = addTaskObserver({
    spawn: (t) => void taskLabel(t),
    start: run,
    park: idle,
    end: (t) => {
      due.delete(t);
      idle(t);
    },
    resume: (t) => {
      const d = due.get(t);
      if (d !== undefined) {
        due.delete(t);
        const now = wall();
        if (now - d >= lateLimit) {
          late.push({ label: taskLabel(t), ms: now - d, at: now });
          if (late.length > 100) late.shift();
        }
      }
      run(t);
    },
  });

  // The heartbeat: proves the thread is alive between switches, and
  // catches blocks that no task switch brackets (code outside tasks).
  const period = threshold / 4;
  let lastBeat = wall();
  const beat = setInterval(() => {
    const now = wall();
    const gap = now - lastBeat - period;
    lastBeat = now;
    stamp[0] = Math.max(stamp[0] ?? 0, now);
    if (gap >= threshold && lastEnd < now - gap) {
      noteBlock(
        running ? taskLabel(running) : "code outside any task",
        gap,
        now,
      );
      runSince = now;
    }
  }, period);
  beat.unref();

  const onExit = () => flush();
  process.once("exit", onExit);
  const stop = () => {
    flush();
    clearInterval(beat);
    stopObserving();
    process.off("exit", onExit);
    Atomics.store(flags, 0, 1);
    Atomics.notify(flags, 0);
    watcher = undefined;
    if (stopCurrent === stop) stopCurrent = undefined;
  };
  stopCurrent = stop;
  return stop;
}

function fmt(ms: number): string {
  return ms >= 999.5 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}
