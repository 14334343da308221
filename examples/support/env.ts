/**
 * The environment variables of the apparatus (see ./preload.ts).
 * `applyEnv()` starts what they ask for; importing this file does
 * nothing by itself.
 */
import { detectBlocking } from "./blocking.ts";
import { svgPathProblem } from "./svg.ts";
import { startTimeline } from "./timeline.ts";

const on = (v: string | undefined): v is string =>
  v !== undefined && v !== "" && v !== "0";

/**
 * Starts the timeline and the blocking detector if the environment asks
 * for them. `XIECHENG_TIMELINE=FILE.svg` writes the timeline as a picture.
 */
export function applyEnv(env: NodeJS.ProcessEnv = process.env): void {
  const timeline = env.XIECHENG_TIMELINE;
  if (on(timeline) && /\.svg$/i.test(timeline)) {
    const problem = svgPathProblem("XIECHENG_TIMELINE", timeline);
    if (problem) {
      process.stderr.write(`error: ${problem}\n`);
      process.exit(2);
    }
    startTimeline({ svg: timeline });
  } else if (on(timeline)) startTimeline();
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
}
