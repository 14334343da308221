/**
 * The environment variables of the apparatus (see ./preload.ts).
 * `applyEnv()` starts what they ask for; importing this file does
 * nothing by itself.
 */
import { svgPathProblem } from "./svg.ts";
import { detectBlocking } from "./blocking.ts";
import { startProgress } from "./progress.ts";
import { startTimeline, stopTimeline } from "./timeline.ts";

const on = (v: string | undefined) => v !== undefined && v !== "" && v !== "0";

/** Starts the timeline, the blocking detector and the sign of life if the environment asks for them. */
export function applyEnv(env: NodeJS.ProcessEnv = process.env): void {
  if (on(env.XIECHENG_TIMELINE)) startTimeline();
  if (on(env.XIECHENG_PROGRESS)) startProgress();
  if (on(env.XIECHENG_BLOCKING)) {
    const raw = env.XIECHENG_BLOCKING_MS;
    const thresholdMs = raw === undefined || raw === "" ? 100 : Number(raw);
    if (!Number.isFinite(thresholdMs) || thresholdMs <= 0) {
      process.stderr.write(
        `error: Expected \`XIECHENG_BLOCKING_MS\` to be a number of milliseconds > 0, got \`${raw}\` (unset it for 100 ms)\n`,
      );
      process.exit(2);
    }
    detectBlocking({ thresholdMs });
  }
  // XIECHENG_TIMELINE=FILE.svg: the timeline started above is restarted
  // (nothing recorded yet) to write the picture at exit instead.
  const file = env.XIECHENG_TIMELINE ?? "";
  if (/\.svg$/i.test(file)) {
    const problem = svgPathProblem("XIECHENG_TIMELINE", file);
    if (problem) {
      stopTimeline(); // no chart at exit either: nothing ran
      process.stderr.write(`error: ${problem}\n`);
      process.exit(2);
    }
    startTimeline({ svg: file });
  }
}
