/**
 * Pictures for slides: a small SVG writer, the page frame (title, the
 * note's section in Chinese and English, a legend) and a horizontal
 * bar chart. The timeline (./svg-timeline.ts) and the charts of 04 and
 * 05 (./svg-charts.ts) are drawn with it.
 *
 * Every picture is 1280x720, for a slide or a projector: large type,
 * thick bars, and the Okabe-Ito palette, which stays distinct for
 * readers with colour blindness; stripes and labels carry the meaning
 * too, so colour is never the only cue. Only generic font families: a
 * picture fetches nothing (no web font, no script, no external link).
 */
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";

/** The size of every picture, in pixels. */
export const WIDTH = 1280;
export const HEIGHT = 720;
/** The margin round the page. */
export const MARGIN = 40;

/** Okabe-Ito colours, plus ink, grid and paper. */
export const COLOURS = {
  blue: "#0072B2",
  sky: "#56B4E9",
  green: "#009E73",
  orange: "#E69F00",
  vermillion: "#D55E00",
  purple: "#CC79A7",
  ink: "#1A1A1A",
  grey: "#595959",
  grid: "#D0D0D0",
  paper: "#FFFFFF",
} as const;

const PALETTE = [
  COLOURS.blue,
  COLOURS.sky,
  COLOURS.green,
  COLOURS.orange,
  COLOURS.vermillion,
  COLOURS.purple,
];

/** How a bar is filled: a colour, plain or with white stripes or dots. */
export interface Fill {
  colour: string;
  pattern?: "solid" | "stripes" | "dots";
}

/** The `fill` attribute for `f` (patterns are defined once per page). */
export function fillOf(f: Fill): string {
  const p = f.pattern ?? "solid";
  return p === "solid" ? f.colour : `url(#${p}-${f.colour.slice(1)})`;
}

/** Escapes text for XML, and drops the control characters XML forbids. */
export function esc(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

type Attrs = Record<string, string | number | undefined>;

/**
 * One element: `el("rect", { x: 1, width: 2 })` is `<rect x="1" width="2"/>`.
 * Numbers are rounded to 0.01; undefined attributes are left out;
 * children are markup (escape text with `esc`).
 * @example
 * import { el, esc } from "./examples/support/svg.ts";
 * el("text", { x: 10, y: 20 }, esc("a < b")); // → <text x="10" y="20">a &lt; b</text>
 */
export function el(name: string, attrs: Attrs, ...children: string[]): string {
  let out = `<${name}`;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    const value = typeof v === "number" ? String(Math.round(v * 100) / 100) : v;
    out += ` ${k}="${esc(value)}"`;
  }
  return children.length === 0
    ? `${out}/>`
    : `${out}>${children.join("")}</${name}>`;
}

/** A line of text at (x, y), y being its baseline. */
export function text(
  x: number,
  y: number,
  content: string,
  attrs: Attrs = {},
): string {
  return el("text", { x, y, ...attrs }, esc(content));
}

/**
 * About how wide `s` is at `size` px in a common sans-serif font (a
 * little wide, to be safe): the layout fits text with it, since an SVG
 * file cannot measure its text before a viewer draws it.
 */
export function textWidth(s: string, size: number, bold = false): number {
  let em = 0;
  for (const ch of s) {
    if (/[\u2e80-\u9fff\uac00-\ud7af\uff00-\uffef\u3000-\u303f]/.test(ch))
      em += 1;
    else if (ch === " ") em += 0.32;
    else if (/[il.,:;'|!()[\]]/.test(ch)) em += 0.34;
    else if (/[A-Z]/.test(ch)) em += 0.72;
    else if (/[mwMW@%]/.test(ch)) em += 0.9;
    else em += 0.6;
  }
  return em * size * (bold ? 1.08 : 1);
}

/**
 * Fits `s` into `maxWidth`: a smaller size down to `minSize`, then the
 * end cut off with an ellipsis.
 */
export function fit(
  s: string,
  size: number,
  maxWidth: number,
  options: { minSize?: number; bold?: boolean } = {},
): { text: string; size: number } {
  const { minSize = size, bold = false } = options;
  let fitted = size;
  while (fitted > minSize && textWidth(s, fitted, bold) > maxWidth) fitted--;
  let out = s;
  while (out.length > 1 && textWidth(out, fitted, bold) > maxWidth)
    out = `${[...out].slice(0, -2).join("").trimEnd()}…`;
  return { text: out, size: fitted };
}

/** What a picture is of: its title and the note's section. */
export interface Heading {
  /** e.g. `01 · Coroutines: eat and play share one thread`. */
  title: string;
  /** The note's section in Chinese, e.g. `一、协程 1 (优点)`. */
  noteZh?: string;
  /** The same in English, e.g. `Part 1: Coroutines, point 1 (the advantage)`. */
  noteEn?: string;
}

// The note's headings and key phrases, for the English line of a
// heading (the tour's title cards say the same). A phrase that is not
// here stays in Chinese.
const GLOSSARY: [string, string][] = [
  ["一、协程", "Part 1: Coroutines"],
  ["二、并发的套接字通信", "Part 2: Concurrent socket communication"],
  ["优点", "the advantage"],
  ["缺点", "the drawback"],
  ["实现并发的三种手段", "three ways to get concurrency"],
  ["服务端", "the server"],
  ["客户端", "the client"],
];
const CJK = /[\u3400-\u9fff]/;

/**
 * The heading of a program from its header comment (`@title`, `@note`),
 * as the examples have it; a program without one is named by its file.
 */
export function headingOf(file: string | undefined = process.argv[1]): Heading {
  const name = file ? basename(file).replace(/\.[cm]?[jt]s$/, "") : "program";
  let src = "";
  try {
    if (file) src = readFileSync(file, "utf8");
  } catch {
    // not a file we can read (e.g. code given with -e): the name will do
  }
  const header = /^\/\*\*\n([\s\S]*?)\*\//.exec(src)?.[1] ?? "";
  const tag = (t: string) =>
    new RegExp(`^\\s*\\* @${t} (.+)$`, "m").exec(header)?.[1]?.trim();
  const title = tag("title");
  const note = tag("note");
  const num = /^(\d\d)-/.exec(name)?.[1];
  const heading: Heading = {
    title: title ? (num ? `${num} · ${title}` : title) : name,
  };
  if (note) {
    heading.noteZh = noteChinese(note);
    heading.noteEn = noteEnglish(note);
  }
  return heading;
}

/** `一、协程 1 (优点: English gloss)` → `一、协程 1 (优点)`. */
export function noteChinese(note: string): string {
  const cut = note.indexOf("(");
  if (cut < 0 || !CJK.test(note.slice(cut)))
    return (cut < 0 ? note : note.slice(0, cut)).trim();
  const phrase = /^\(([^:(),]*[\u3400-\u9fff][^:(),]*)[:,)]/.exec(
    note.slice(cut),
  )?.[1];
  return phrase ? `${note.slice(0, cut).trim()} (${phrase.trim()})` : note;
}

/** `一、协程 3 (yield ...)` → `Part 1: Coroutines, point 3 (yield ...)`. */
export function noteEnglish(note: string): string {
  const cut = note.indexOf("(");
  const chinese = (cut < 0 ? note : note.slice(0, cut)).trim();
  let rest = cut < 0 ? "" : note.slice(cut).trim();
  const heading = GLOSSARY.find(([zh]) => chinese.startsWith(zh));
  const point = /^\S+\s+(\d+)\b/.exec(chinese)?.[1];
  const head = heading
    ? `${heading[1]}${point ? `, point ${point}` : ""}`
    : chinese;
  for (const [zh, en] of GLOSSARY) {
    if (!rest.includes(zh)) continue;
    // Dropped when the parenthesis already says it in English.
    rest = rest.toLowerCase().includes(en.toLowerCase())
      ? rest.replace(new RegExp(`${zh}\\s*[,:，：]?\\s*`), "")
      : rest.replace(zh, en);
  }
  return [head, rest].filter(Boolean).join(" ");
}

/** One entry of a legend: a swatch (a fill, or markup drawn at 0,0) and its words. */
export interface LegendItem {
  fill?: Fill;
  /** Markup for a swatch 40x24 at the origin, instead of `fill`. */
  swatch?: string;
  label: string;
}

/** A legend in one row, from (x, y) (the row's text baseline). */
export function legend(
  items: LegendItem[],
  x: number,
  y: number,
  size = 22,
): string {
  const out: string[] = [];
  let at = x;
  for (const item of items) {
    const swatch =
      item.swatch ??
      el("rect", {
        width: 40,
        height: 24,
        fill: fillOf(item.fill ?? { colour: COLOURS.grey }),
        stroke: COLOURS.ink,
        "stroke-width": 1,
      });
    out.push(
      el("g", { transform: `translate(${at} ${y - 20})` }, swatch),
      text(at + 50, y, item.label, { "font-size": size }),
    );
    at += 50 + textWidth(item.label, size) + 36;
  }
  return el("g", { class: "legend" }, ...out);
}

/** The page: white paper, the fill patterns, a title and a description for screen readers. */
export function page(options: {
  heading: Heading;
  /** One sentence on what the picture shows (for screen readers). */
  desc: string;
  body: string[];
}): string {
  const { heading, desc, body } = options;
  // A pattern per colour: the colour with white stripes, or white dots.
  const defs: string[] = [];
  for (const c of PALETTE) {
    const id = c.slice(1);
    defs.push(
      el(
        "pattern",
        {
          id: `stripes-${id}`,
          width: 14,
          height: 14,
          patternUnits: "userSpaceOnUse",
          patternTransform: "rotate(45)",
        },
        el("rect", { width: 14, height: 14, fill: c }),
        el("rect", { width: 5, height: 14, fill: COLOURS.paper }),
      ),
      el(
        "pattern",
        {
          id: `dots-${id}`,
          width: 12,
          height: 12,
          patternUnits: "userSpaceOnUse",
        },
        el("rect", { width: 12, height: 12, fill: c }),
        el("circle", { cx: 6, cy: 6, r: 2.5, fill: COLOURS.paper }),
      ),
    );
  }
  const title = [heading.title, heading.noteZh, heading.noteEn]
    .filter(Boolean)
    .join(" · ");
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    el(
      "svg",
      {
        xmlns: "http://www.w3.org/2000/svg",
        width: WIDTH,
        height: HEIGHT,
        viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
        "font-family": "sans-serif",
        fill: COLOURS.ink,
        role: "img",
      },
      "\n",
      el("title", {}, esc(title)),
      "\n",
      el("desc", {}, esc(desc)),
      "\n",
      el("defs", {}, ...defs),
      "\n",
      el("rect", { width: WIDTH, height: HEIGHT, fill: COLOURS.paper }),
      "\n",
      ...body.map((b) => `${b}\n`),
    ),
    "",
  ].join("\n");
}

/**
 * The heading at the top of a page: the title in bold, then the note's
 * section in Chinese and in English, each fitted to the width. Returns
 * the markup and the y where the page's content may start.
 */
export function drawHeading(h: Heading): { svg: string; bottom: number } {
  const max = WIDTH - 2 * MARGIN;
  const out: string[] = [];
  let y = MARGIN + 18;
  const t = fit(h.title, 38, max, { minSize: 26, bold: true });
  out.push(
    text(MARGIN, y, t.text, { "font-size": t.size, "font-weight": "bold" }),
  );
  y += 8;
  for (const [line, size] of [
    [h.noteZh, 28],
    [h.noteEn, 24],
  ] as const) {
    if (!line) continue;
    const f = fit(line, size, max, { minSize: 18 });
    y += f.size + 10;
    out.push(text(MARGIN, y, f.text, { "font-size": f.size }));
  }
  return { svg: el("g", { class: "heading" }, ...out), bottom: y + 20 };
}

/** A nice step for an axis from 0 to `max` with about `ticks` ticks: 1, 2 or 5 times a power of ten. */
export function niceStep(max: number, ticks = 6): number {
  const raw = max / Math.max(1, ticks);
  const p = 10 ** Math.floor(Math.log10(raw || 1));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

/** One bar of a chart: its label, its value, and the figure written beside it. */
export interface Bar {
  label: string;
  /** The length (in the panel's unit); undefined for a failed measurement. */
  value: number | undefined;
  /** The figure written at the bar's end, e.g. `0.10 s` or `failed: ...`. */
  figure: string;
  fill: Fill;
}

/** A group of bars on one scale, under a caption. */
export interface Panel {
  caption: string;
  bars: Bar[];
  /** Linear from 0 (default), or logarithmic with labelled ticks. */
  log?: { min: number; max: number; ticks: [number, string][] };
}

/**
 * Panels of horizontal bars, one under the other, with the figures
 * written at the ends of the bars. Returns the markup for the area from
 * `top` to `bottom`.
 */
export function barPanels(
  panels: Panel[],
  top: number,
  bottom: number,
): string {
  const out: string[] = [];
  const labelSize = 24;
  const labelW =
    Math.max(
      ...panels.flatMap((p) =>
        p.bars.map((b) => textWidth(b.label, labelSize)),
      ),
    ) + 24;
  const x0 = MARGIN + labelW;
  const figureW = Math.max(
    ...panels.flatMap((p) => p.bars.map((b) => textWidth(b.figure, 24, true))),
  );
  // Linear bars leave room for their figure; log bars have an axis to the edge.
  const x1 = WIDTH - MARGIN;
  const axisRows = panels.filter((p) => p.log).length;
  const rows =
    panels.reduce((n, p) => n + p.bars.length, 0) +
    panels.length * 1.25 +
    axisRows * 1.1;
  const rowH = Math.min(64, (bottom - top) / rows);
  const thick = Math.min(42, rowH * 0.72);
  let y = top;
  for (const p of panels) {
    y += rowH * 1.25;
    const cap = fit(p.caption, 26, WIDTH - 2 * MARGIN, { minSize: 18 });
    out.push(
      text(MARGIN, y - rowH * 0.35, cap.text, {
        "font-size": cap.size,
        "font-weight": "bold",
      }),
    );
    const end = p.log ? x1 : x1 - figureW - 16;
    const max = Math.max(1e-12, ...p.bars.map((b) => b.value ?? 0));
    const share = (v: number) => {
      if (!p.log) return v / max;
      const { min, max: hi } = p.log;
      return Math.log10(Math.max(v, min) / min) / Math.log10(hi / min);
    };
    const xOf = (v: number) =>
      x0 + Math.min(1, Math.max(0, share(v))) * (end - x0);
    const barsTop = y;
    const panel: string[] = [];
    if (p.log)
      for (const [v] of p.log.ticks)
        panel.push(
          el("line", {
            x1: xOf(v),
            x2: xOf(v),
            y1: barsTop,
            y2: barsTop + rowH * p.bars.length,
            stroke: COLOURS.grid,
            "stroke-width": 2,
          }),
        );
    for (const b of p.bars) {
      const mid = y + rowH / 2;
      panel.push(text(MARGIN, mid + 8, b.label, { "font-size": labelSize }));
      let figureX = x0 + 10;
      if (b.value !== undefined) {
        const w = Math.max(4, xOf(b.value) - x0);
        panel.push(
          el("rect", {
            class: "bar",
            "data-label": b.label,
            "data-value": b.value,
            x: x0,
            y: mid - thick / 2,
            width: w,
            height: thick,
            fill: fillOf(b.fill),
            stroke: COLOURS.ink,
            "stroke-width": 1,
          }),
        );
        figureX = x0 + w + 12;
      }
      // The figure beside the bar's end, or inside it near the edge.
      const fw = textWidth(b.figure, 24, true);
      const inside = figureX + fw > x1;
      panel.push(
        text(inside ? figureX - 24 : figureX, mid + 8, b.figure, {
          "font-size": 24,
          "font-weight": "bold",
          "text-anchor": inside ? "end" : undefined,
          fill: inside ? COLOURS.paper : COLOURS.ink,
          stroke: inside ? COLOURS.ink : undefined,
          "stroke-width": inside ? 4 : undefined,
          "paint-order": inside ? "stroke" : undefined,
        }),
      );
      y += rowH;
    }
    if (p.log) {
      panel.push(
        el("line", {
          x1: x0,
          x2: x1,
          y1: y + 2,
          y2: y + 2,
          stroke: COLOURS.ink,
          "stroke-width": 2,
        }),
      );
      for (const [v, label] of p.log.ticks) {
        panel.push(
          el("line", {
            x1: xOf(v),
            x2: xOf(v),
            y1: y + 2,
            y2: y + 10,
            stroke: COLOURS.ink,
            "stroke-width": 2,
          }),
          text(xOf(v), y + 34, label, {
            "font-size": 22,
            "text-anchor": "middle",
          }),
        );
      }
      y += rowH * 1.1;
    }
    out.push(el("g", { class: "panel" }, ...panel));
  }
  return out.join("\n");
}

/**
 * Checks a `--timeline=FILE.svg` or `--chart=FILE.svg` value before
 * the run, so that a typo costs nothing: returns an error message, or
 * undefined when the path will do.
 */
export function svgPathProblem(
  option: string,
  file: string,
): string | undefined {
  if (!/\.svg$/i.test(file))
    return `Expected \`${option}\` to name a file ending in .svg, got \`${file}\``;
  const dir = dirname(resolve(file));
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    return `Expected \`${option}\` in a folder that exists, got \`${file}\``;
  return undefined;
}

/**
 * Writes a picture to `file` and says so on stderr (one line, so that
 * stdout stays the program's own). A failure is one line too, and the
 * exit code becomes 1.
 */
export function saveSvg(file: string, svg: string, what: string): boolean {
  try {
    writeFileSync(file, svg);
    process.stderr.write(`${what}: wrote ${file}\n`);
    return true;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: cannot write ${file}: ${why}\n`);
    process.exitCode = 1;
    return false;
  }
}
