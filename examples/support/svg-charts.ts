/**
 * The comparisons of examples 04 and 05 as pictures (`--chart=FILE.svg`):
 * the three ways' time and memory, and the cost of one switch on a log
 * scale, each bar with its measured figure written beside it.
 */
import { bytes, int } from "./chart.ts";
import {
  COLOURS,
  HEIGHT,
  MARGIN,
  type Fill,
  type Heading,
  type Panel,
  barPanels,
  drawHeading,
  el,
  fit,
  legend,
  page,
  text,
  WIDTH,
} from "./svg.ts";

/** What 04 measured for one way: wall time and memory per unit. */
export interface WayResult {
  wallMs: number;
  memBytes: number;
}
type Way = "coroutines" | "threads" | "processes";
const WAYS: Way[] = ["coroutines", "threads", "processes"];
// A fill per way, told apart by pattern as well as by colour.
const WAY_FILL: Record<Way, Fill> = {
  coroutines: { colour: COLOURS.blue },
  threads: { colour: COLOURS.orange, pattern: "stripes" },
  processes: { colour: COLOURS.vermillion, pattern: "dots" },
};

const seconds = (msValue: number) => `${(msValue / 1000).toFixed(2)} s`;

/** Lines of small print at the bottom of a page; returns the markup and where it starts. */
function footer(lines: string[]): { svg: string; top: number } {
  const size = 20;
  const top = HEIGHT - MARGIN - lines.length * 28 + 8;
  return {
    svg: el(
      "g",
      { class: "footer" },
      ...lines.map((l, i) =>
        text(
          MARGIN,
          top + 20 + i * 28,
          fit(l, size, WIDTH - 2 * MARGIN, { minSize: 14 }).text,
          {
            "font-size": size,
            fill: COLOURS.grey,
          },
        ),
      ),
    ),
    top,
  };
}

/**
 * 04's picture: wall time on the waits, memory per unit, and wall time
 * on the arithmetic, for coroutines, threads and processes. A way whose
 * run failed is written as `failed`, without a bar.
 */
export function threeWaysSvg(d: {
  heading: Heading;
  io: Partial<Record<Way, WayResult>>;
  cpu: Partial<Record<Way, WayResult>>;
  waits: number;
  waitMs: number;
  slices: number;
  sliceMs: number;
  /** A line on the machine, e.g. its cores and load. */
  machine: string;
}): string {
  const base = d.cpu.coroutines?.wallMs;
  const panels: Panel[] = [
    {
      caption: `Waiting (IO-bound): ${d.waits} waits of ${d.waitMs} ms at once, wall time`,
      bars: WAYS.map((w) => ({
        label: w,
        value: d.io[w]?.wallMs,
        figure: d.io[w] ? seconds(d.io[w].wallMs) : "failed",
        fill: WAY_FILL[w],
      })),
    },
    {
      caption: "Memory per unit (one task, thread or process) while waiting",
      bars: WAYS.map((w) => ({
        label: w,
        value: d.io[w] ? Math.max(0, d.io[w].memBytes) : undefined,
        figure: d.io[w] ? bytes(Math.max(0, d.io[w].memBytes)) : "failed",
        fill: WAY_FILL[w],
      })),
    },
    {
      caption: `Arithmetic (CPU-bound): ${d.slices} slices of ${d.sliceMs} ms, wall time`,
      bars: WAYS.map((w) => {
        const r = d.cpu[w];
        const speed =
          r && base !== undefined ? `  (${(base / r.wallMs).toFixed(1)}x)` : "";
        return {
          label: w,
          value: r?.wallMs,
          figure: r ? `${seconds(r.wallMs)}${speed}` : "failed",
          fill: WAY_FILL[w],
        };
      }),
    },
  ];
  const head = drawHeading(d.heading);
  const foot = footer([
    `${d.machine}. Shorter is better; (2.0x): twice as fast as coroutines.`,
  ]);
  const figures = panels
    .map(
      (p) =>
        `${p.caption}: ${p.bars.map((b) => `${b.label} ${b.figure}`).join(", ")}`,
    )
    .join(". ");
  return page({
    heading: d.heading,
    desc: `${figures}.`,
    body: [
      head.svg,
      barPanels(panels, head.bottom - 10, foot.top - 4),
      foot.svg,
    ],
  });
}

/** Nanoseconds for people: `23 ns`, `4.1 µs`, `1.2 ms`. */
export function nanos(ns: number): string {
  if (ns < 9_999.5) return `${int(ns)} ns`;
  if (ns < 999_500)
    return `${(ns / 1000).toPrecision(3).replace(/\.?0+$/, "")} µs`;
  return `${(ns / 1e6).toPrecision(3).replace(/\.?0+$/, "")} ms`;
}

/**
 * 05's picture: nanoseconds per switch on a log scale from 1 ns to
 * 1 ms; the first `inProgram` rows switch inside the program, the
 * others through the OS. A failed row is written as its message.
 */
export function switchCostSvg(d: {
  heading: Heading;
  rows: [string, number | string][];
  inProgram: number;
  /** Lines under the chart, e.g. the ratios. */
  notes: string[];
}): string {
  const inside: Fill = { colour: COLOURS.blue };
  const os: Fill = { colour: COLOURS.vermillion, pattern: "stripes" };
  const ticks: [number, string][] = [
    [1, "1 ns"],
    [10, "10 ns"],
    [100, "100 ns"],
    [1e3, "1 µs"],
    [1e4, "10 µs"],
    [1e5, "100 µs"],
    [1e6, "1 ms"],
  ];
  const panels: Panel[] = [
    {
      caption: "Time per switch (log scale: each grid line is 10x the last)",
      log: { min: 1, max: 1e6, ticks },
      bars: d.rows.map(([label, ns], i) => ({
        label,
        value: typeof ns === "number" ? ns : undefined,
        figure: typeof ns === "number" ? nanos(ns) : ns,
        fill: i < d.inProgram ? inside : os,
      })),
    },
  ];
  const head = drawHeading(d.heading);
  const foot = footer(d.notes);
  const legendY = foot.top - 16;
  return page({
    heading: d.heading,
    desc: `Nanoseconds per switch: ${d.rows.map(([l, ns]) => `${l} ${typeof ns === "number" ? nanos(ns) : ns}`).join(", ")}. ${d.notes.join(" ")}`,
    body: [
      head.svg,
      barPanels(panels, head.bottom - 10, legendY - 40),
      legend(
        [
          { fill: inside, label: "a switch inside the program" },
          { fill: os, label: "a switch through the OS" },
        ],
        MARGIN,
        legendY,
      ),
      foot.svg,
    ],
  });
}
