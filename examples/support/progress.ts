/**
 * A sign of life for a long, quiet stretch: when a program has written
 * nothing for `quietMs`, one line says it is still running and for how
 * long. On a terminal the line is redrawn in place and erased as soon
 * as the program writes again; elsewhere it is a plain line every
 * `quietMs` (2 s). The demo tour turns it on for its examples
 * (`XIECHENG_PROGRESS=1`), so that a projector never shows a frozen
 * screen while example 04 starts fifty processes.
 *
 * A watcher thread keeps the time and writes the line, so it shows even
 * while the main thread is held (a long synchronous loop, or spawning
 * processes one after another). The two threads share a lock: the line
 * never lands in the middle of the program's own output.
 */
import { writeSync } from "node:fs";
import { Worker } from "node:worker_threads";

/** `zh` when the locale (XIECHENG_LANG, LC_ALL, LC_MESSAGES, LANG) is Chinese. */
export function localeLang(env: NodeJS.ProcessEnv = process.env): "zh" | "en" {
  const tag =
    env.XIECHENG_LANG || env.LC_ALL || env.LC_MESSAGES || env.LANG || "";
  return /^zh/i.test(tag) ? "zh" : "en";
}

export interface ProgressOptions {
  /** Silence before the first line, and between lines off a terminal (default 2000). */
  quietMs?: number;
  /** How often the line is redrawn on a terminal (default 500). */
  everyMs?: number;
  /** `zh` for a Chinese line (default: from the locale, see localeLang). */
  lang?: "zh" | "en";
  /** The file descriptor to write to (default 1, stdout). */
  fd?: number;
  /** Whether `fd` is a terminal (default: stdout's isTTY). */
  tty?: boolean;
}

// Shared words: [0] lock (0 free, 1 held), [1] a line is on screen,
// [2] stop, [3] ms since start of the last write by the program.
const LOCK = 0;
const SHOWING = 1;
const STOP = 2;
const LAST = 3;

const WATCHER = `
const { workerData } = require("node:worker_threads");
const { writeSync } = require("node:fs");
const { sab, quietMs, everyMs, zh, fd, tty, t0 } = workerData;
const w = new Int32Array(sab);
const lock = () => { while (Atomics.compareExchange(w, 0, 0, 1) !== 0) Atomics.wait(w, 0, 1, 5); };
const unlock = () => { Atomics.store(w, 0, 0); Atomics.notify(w, 0); };
let lastLine = 0;
while (Atomics.wait(w, 2, 0, Math.min(everyMs, quietMs)) === "timed-out") {
  const now = Date.now() - t0;
  if (now - Atomics.load(w, 3) < quietMs) continue;
  if (!tty && now - lastLine < quietMs) continue;
  const s = Math.round(now / 1000);
  const line = zh ? "… 仍在运行：" + s + " 秒" : "... still running: " + s + " s";
  lock();
  try {
    if (tty) { writeSync(fd, "\\r\\x1b[K" + line); Atomics.store(w, 1, 1); }
    else writeSync(fd, line + "\\n");
  } catch {}
  unlock();
  lastLine = now;
}
`;

/**
 * Starts the sign of life for stdout; returns a function that stops it.
 * @example
 * import { startProgress } from "./examples/support/progress.ts";
 * const stop = startProgress();
 * for (const end = Date.now() + 5000; Date.now() < end; ); // "... still running: 3 s"
 * stop();
 */
export function startProgress(options: ProgressOptions = {}): () => void {
  const {
    quietMs = 2000,
    everyMs = 500,
    lang = localeLang(),
    fd = 1,
    tty = process.stdout.isTTY === true,
  } = options;
  const sab = new SharedArrayBuffer(16);
  const w = new Int32Array(sab);
  // Time counts from the start of the process: loading the program is
  // part of the silence a reader sees.
  const t0 = Math.round(performance.timeOrigin);
  Atomics.store(w, LAST, 0);
  const lock = () => {
    while (Atomics.compareExchange(w, LOCK, 0, 1) !== 0)
      Atomics.wait(w, LOCK, 1, 5);
  };
  const unlock = () => {
    Atomics.store(w, LOCK, 0);
    Atomics.notify(w, LOCK);
  };
  /** Erases the line if it shows; call with the lock held. */
  const erase = () => {
    if (Atomics.exchange(w, SHOWING, 0) === 1) {
      try {
        writeSync(fd, "\r\x1b[K");
      } catch {}
    }
  };

  // Every write of the program, on stdout or stderr, erases the line
  // first and counts as a sign of life.
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((s) => s.write.bind(s));
  streams.forEach((s, i) => {
    s.write = ((...args: Parameters<typeof s.write>) => {
      lock();
      try {
        erase();
        Atomics.store(w, LAST, Date.now() - t0);
        return (originals[i] as typeof s.write)(...args);
      } finally {
        unlock();
      }
    }) as typeof s.write;
  });

  const watcher = new Worker(WATCHER, {
    eval: true,
    execArgv: [],
    workerData: { sab, quietMs, everyMs, zh: lang === "zh", fd, tty, t0 },
  });
  watcher.unref();
  watcher.on("error", () => {}); // a sign of life is never worth a crash

  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    Atomics.store(w, STOP, 1);
    Atomics.notify(w, STOP);
    lock();
    erase();
    unlock();
    streams.forEach((s, i) => (s.write = originals[i] as typeof s.write));
  };
  process.once("exit", stop);
  return stop;
}
