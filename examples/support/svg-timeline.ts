/**
 * The timeline as a picture: one lane per task, running drawn as a
 * thick dark bar, waiting as a thin light one, and "due, but another
 * task held the thread" as a striped bar, over a time axis in seconds.
 * `--timeline=FILE.svg` (./cli.ts) and `XIECHENG_TIMELINE=FILE.svg`
 * (./preload.ts) write it at exit; the lanes mean what the terminal
 * chart's do (./timeline.ts).
 */
import { ms } from "./chart.ts";
import {
  COLOURS,
  HEIGHT,
  MARGIN,
  WIDTH,
  drawHeading,
  el,
  fit,
  type Heading,
  legend,
  niceStep,
  page,
  text,
  textWidth,
} from "./svg.ts";
import type { Lane, Timeline } from "./timeline.ts";

/** Options of `timelineSvg`. */
export interface TimelineSvgOptions {
  /** The title and the note's section (default: the program's own header). */
  heading: Heading;
  /** Lanes drawn at most; the rest are counted (default 10). */
  maxLanes?: number;
}

type Column = "run" | "brief" | "wait" | "late" | "none";

/** What each column of a lane shows: as in the terminal chart. */
function columns(lane: Lane, cols: number, colMs: number): Column[] {
  const run = new Float64Array(cols);
  const wait = new Float64Array(cols);
  const late = new Float64Array(cols);
  const seen = new Uint8Array(cols);
  const time = { run, wait, late };
  for (const s of lane.spans) {
    const a = Math.min(cols - 1, Math.floor(s.from / colMs));
    const b = Math.min(cols - 1, Math.max(a, Math.ceil(s.to / colMs) - 1));
    for (let c = a; c <= b; c++) {
      const overlap =
        Math.min(s.to, (c + 1) * colMs) - Math.max(s.from, c * colMs);
      time[s.state][c]! += Math.max(overlap, 1e-6);
      seen[c] = 1;
    }
  }
  const half = colMs / 2;
  return Array.from(seen, (hit, c): Column => {
    if (!hit) return "none";
    if (run[c]! >= half) return "run";
    if (late[c]! >= half) return "late";
    if (run[c]! > 0) return "brief";
    if (late[c]! > 0) return "late";
    return "wait";
  });
}

/** Runs of equal columns that pass `keep`: [first, last + 1]. */
function stretches(
  cells: Column[],
  keep: (c: Column) => boolean,
): [number, number][] {
  const out: [number, number][] = [];
  for (let c = 0; c < cells.length; c++) {
    if (!keep(cells[c]!)) continue;
    const last = out[out.length - 1];
    if (last && last[1] === c) last[1] = c + 1;
    else out.push([c, c + 1]);
  }
  return out;
}

/**
 * Draws a recording as an SVG swimlane chart, 1280x720.
 * @example
 * import { startTimeline, stopTimeline } from "./examples/support/timeline.ts";
 * import { timelineSvg } from "./examples/support/svg-timeline.ts";
 * startTimeline({ atExit: false });
 * // ... spawn tasks, join them ...
 * const svg = timelineSvg(stopTimeline(), { heading: { title: "my run" } });
 */
export function timelineSvg(tl: Timeline, options: TimelineSvgOptions): string {
  const { heading, maxLanes = 10 } = options;
  const head = drawHeading(heading);
  const shown =
    tl.lanes.length > maxLanes ? tl.lanes.slice(0, maxLanes - 1) : tl.lanes;
  const hidden = tl.lanes.length - shown.length;
  const total = Math.max(tl.totalMs, 1);

  // The lane labels and their sums on the left, the plot to their right.
  const labelSize = shown.length > 6 ? 22 : 26;
  const sums = shown.map((lane) => {
    const sum = { run: 0, wait: 0, late: 0 };
    for (const s of lane.spans) sum[s.state] += s.to - s.from;
    const late = sum.late >= 0.05 ? `, late ${ms(sum.late)}` : "";
    return `ran ${ms(sum.run)}, waited ${ms(sum.wait)}${late}`;
  });
  const widest = Math.max(
    120,
    ...shown.map((l) => textWidth(l.label, labelSize, true)),
    ...sums.map((s) => textWidth(s, 20)),
  );
  const labelW = Math.min(440, Math.max(220, widest + 24));
  const x0 = MARGIN + labelW;
  const x1 = WIDTH - MARGIN - 10;
  const cols = Math.round(x1 - x0);
  const colMs = total / cols;
  const pxPerMs = (x1 - x0) / total;

  // Top to bottom: info line, lanes, axis, "more lanes", legend.
  const info = `${tl.lanes.length} ${tl.lanes.length === 1 ? "task" : "tasks"} on one thread, ${ms(tl.totalMs)} in all: at most one runs at any moment`;
  const infoY = head.bottom + 8;
  const lanesTop = infoY + 18;
  const legendY = HEIGHT - MARGIN + 8;
  const notes = (hidden > 0 ? 1 : 0) + (tl.truncated ? 1 : 0);
  const axisH = 48;
  const lanesBottom = legendY - 44 - axisH - notes * 30;
  const pitch = Math.min(120, (lanesBottom - lanesTop) / shown.length);
  const thick = Math.min(48, pitch * 0.6);
  const thin = Math.max(6, thick * 0.32);
  const withSums = pitch >= 66;

  const out: string[] = [head.svg];
  out.push(
    text(MARGIN, infoY, fit(info, 22, WIDTH - 2 * MARGIN).text, {
      "font-size": 22,
      fill: COLOURS.grey,
    }),
  );

  // The time axis: grid lines behind the lanes, labels in seconds.
  const stepMs = niceStep(total, 8);
  // Seconds with as many decimals as the step needs: 0.5 s, 0.02 s.
  const decimals = Math.max(0, Math.ceil(-Math.log10(stepMs / 1000) - 1e-9));
  const axisY = lanesTop + pitch * shown.length + 6;
  const grid: string[] = [];
  for (let t = 0; t <= total + 1e-9; t += stepMs) {
    const x = x0 + t * pxPerMs;
    grid.push(
      el("line", {
        x1: x,
        x2: x,
        y1: lanesTop,
        y2: axisY + 8,
        stroke: COLOURS.grid,
        "stroke-width": 2,
      }),
      text(x, axisY + 34, `${Number((t / 1000).toFixed(decimals))} s`, {
        "font-size": 24,
        "text-anchor": "middle",
      }),
    );
  }
  grid.push(
    el("line", {
      x1: x0,
      x2: x1,
      y1: axisY,
      y2: axisY,
      stroke: COLOURS.ink,
      "stroke-width": 2,
    }),
  );
  out.push(
    el(
      "g",
      {
        class: "axis",
        "data-x0": x0,
        "data-x1": x1,
        "data-total-ms": tl.totalMs,
      },
      ...grid,
    ),
  );

  for (const [i, lane] of shown.entries()) {
    const top = lanesTop + i * pitch;
    const mid = top + pitch / 2;
    const cells = columns(lane, cols, colMs);
    const parts: string[] = [];
    // The label, and under it the exact sums.
    const label = fit(lane.label, labelSize, labelW - 16, {
      minSize: 16,
      bold: true,
    });
    parts.push(
      text(MARGIN, withSums ? mid - 4 : mid + label.size * 0.36, label.text, {
        "font-size": label.size,
        "font-weight": "bold",
      }),
    );
    if (withSums) {
      const f = fit(sums[i]!, 20, labelW - 16, { minSize: 14 });
      parts.push(
        text(MARGIN, mid + 24, f.text, {
          "font-size": f.size,
          fill: COLOURS.grey,
        }),
      );
    }
    const x = (c: number) => x0 + c;
    // Waiting under everything (a brief run sits on a wait), then late, run, ticks.
    for (const [a, b] of stretches(cells, (c) => c === "wait" || c === "brief"))
      parts.push(
        el("rect", {
          class: "wait",
          x: x(a),
          y: mid - thin / 2,
          width: b - a,
          height: thin,
          fill: COLOURS.sky,
        }),
      );
    for (const [a, b] of stretches(cells, (c) => c === "late"))
      parts.push(
        el("rect", {
          class: "late",
          x: x(a),
          y: mid - thick / 2,
          width: b - a,
          height: thick,
          fill: `url(#stripes-${COLOURS.vermillion.slice(1)})`,
          stroke: COLOURS.vermillion,
          "stroke-width": 1,
        }),
      );
    for (const [a, b] of stretches(cells, (c) => c === "run"))
      parts.push(
        el("rect", {
          class: "run",
          x: x(a),
          y: mid - thick / 2,
          width: b - a,
          height: thick,
          fill: COLOURS.blue,
        }),
      );
    // A brief run is a tick 3 px wide; ticks closer than 6 px would
    // merge into what looks like a long run, so those are left out.
    let lastTick = -Infinity;
    for (const [a] of stretches(cells, (c) => c === "brief")) {
      if (a - lastTick < 6) continue;
      lastTick = a;
      parts.push(
        el("rect", {
          class: "brief",
          x: Math.min(x(a), x1 - 3),
          y: mid - thick / 2,
          width: 3,
          height: thick,
          fill: COLOURS.blue,
        }),
      );
    }
    out.push(
      el(
        "g",
        {
          class: "lane",
          "data-label": lane.label,
          "data-y": top,
          "data-height": pitch,
        },
        ...parts,
      ),
    );
  }

  let noteY = axisY + 34 + 32;
  if (hidden > 0) {
    out.push(
      text(
        MARGIN,
        noteY,
        `… and ${hidden} more ${hidden === 1 ? "lane" : "lanes"}, not drawn`,
        { "font-size": 22 },
      ),
    );
    noteY += 30;
  }
  if (tl.truncated)
    out.push(
      text(
        MARGIN,
        noteY,
        "The recording stopped early to bound memory: later stretches are missing.",
        { "font-size": 22 },
      ),
    );

  const swatch = (h: number, fill: string, stroke?: string) =>
    el("rect", {
      y: 12 - h / 2,
      width: 40,
      height: h,
      fill,
      stroke,
      "stroke-width": stroke ? 1 : undefined,
    });
  const items = [
    { swatch: swatch(24, COLOURS.blue), label: "running" },
    {
      swatch: [
        swatch(thin, COLOURS.sky),
        el("rect", { x: 18, width: 3, height: 24, fill: COLOURS.blue }),
      ].join(""),
      label: "ran briefly",
    },
    { swatch: swatch(thin, COLOURS.sky), label: "waiting at a switch point" },
    {
      swatch: swatch(
        24,
        `url(#stripes-${COLOURS.vermillion.slice(1)})`,
        COLOURS.vermillion,
      ),
      label: "due, but another task held the thread",
    },
  ];
  let size = 22;
  const rowWidth = (s: number) =>
    items.reduce((w, it) => w + 86 + textWidth(it.label, s), -36);
  while (size > 16 && rowWidth(size) > WIDTH - 2 * MARGIN) size--;
  out.push(legend(items, MARGIN, legendY, size));

  const names = shown.map((l) => l.label).join(", ");
  return page({
    heading,
    desc: `Timeline: one lane per task (${names}${hidden ? `, and ${hidden} more` : ""}) over ${ms(tl.totalMs)}; thick dark bars are running, thin light bars waiting, striped bars due but waiting for the thread.`,
    body: out,
  });
}
