// The pictures (examples/support/svg*.ts): the timeline and the charts of
// 04 and 05 as SVG. Each is parsed (well-formed XML), its lanes and bars
// are read back and measured against the recording or the figures, one
// run of example 01 is drawn and checked against its own timings, and
// that picture is rendered to pixels by a real renderer (rsvg-convert).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  el,
  esc,
  headingOf,
  noteChinese,
  noteEnglish,
} from "../examples/support/svg.ts";
import { timelineSvg } from "../examples/support/svg-timeline.ts";
import {
  nanos,
  switchCostSvg,
  threeWaysSvg,
} from "../examples/support/svg-charts.ts";
import type { Lane, Timeline } from "../examples/support/timeline.ts";
import { allElements, allText, parseXml, type XmlElement } from "./xml.ts";
import { decodePng, near } from "./png.ts";

const execFileP = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), "xiecheng-svg-"));
const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
delete env.FORCE_COLOR;
delete env.XIECHENG_TIMELINE;

/** Runs a TypeScript file with node + tsx; never throws, gives the exit code. */
async function run(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await execFileP(
      process.execPath,
      ["--import", "tsx", ...args],
      { env: { ...env, ...extraEnv }, timeout: 60_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === "number" ? e.code : -1,
      stdout: e.stdout ?? "",
      stderr: e.stderr ?? "",
    };
  }
}

/** What a timeline picture draws: its axis, and each lane's bars. */
function readTimeline(svg: string) {
  const root = parseXml(svg);
  const all = allElements(root);
  const axis = all.find((e) => e.attrs.class === "axis");
  assert.ok(axis, "no axis");
  const x0 = Number(axis.attrs["data-x0"]);
  const x1 = Number(axis.attrs["data-x1"]);
  const totalMs = Number(axis.attrs["data-total-ms"]);
  const pxPerMs = (x1 - x0) / totalMs;
  const lanes = all
    .filter((e) => e.attrs.class === "lane")
    .map((g) => {
      const rects = (cls: string) =>
        g.children
          .filter((r) => r.name === "rect" && r.attrs.class === cls)
          .map((r) => ({
            x: Number(r.attrs.x),
            width: Number(r.attrs.width),
          }));
      const bars = ["run", "brief", "wait", "late"].flatMap(rects);
      return {
        label: g.attrs["data-label"] ?? "",
        text: allText(g),
        y: Number(g.attrs["data-y"]),
        height: Number(g.attrs["data-height"]),
        run: rects("run"),
        wait: rects("wait"),
        late: rects("late"),
        brief: rects("brief"),
        /** From its first bar's start to its last bar's end, in px. */
        from: Math.min(...bars.map((b) => b.x)),
        to: Math.max(...bars.map((b) => b.x + b.width)),
      };
    });
  return { root, all, x0, x1, totalMs, pxPerMs, lanes };
}

/** A picture fetches nothing and runs nothing: no script, no link, generic fonts. */
function assertSelfContained(svg: string, root: XmlElement) {
  assert.doesNotMatch(
    svg,
    /<script|href|@import|@font-face|https?:\/\/(?!www\.w3\.org\/2000\/svg")/i,
  );
  for (const e of allElements(root)) {
    const font = e.attrs["font-family"];
    if (font !== undefined)
      assert.match(font, /^(sans-serif|serif|monospace)$/, `font ${font}`);
    for (const v of Object.values(e.attrs))
      if (v.includes("url(")) assert.match(v, /^url\(#[\w-]+\)$/, v);
  }
  assert.equal(root.name, "svg");
  assert.equal(root.attrs.viewBox, "0 0 1280 720");
}

test("the XML check finds what is not well-formed", () => {
  const ok = parseXml(
    '<?xml version="1.0"?>\n<svg a="1" b=\'&lt;&#x41;\'><g><t>x &amp; y</t></g><!-- c --></svg>\n',
  );
  assert.equal(ok.attrs.b, "<A");
  assert.deepEqual(allText(ok), ["x & y"]);
  for (const bad of [
    "<svg><g></svg>",
    "<svg><g></g>",
    "<svg a=1></svg>",
    '<svg a="1" a="2"></svg>',
    "<svg>a & b</svg>",
    "<svg>&nbsp;</svg>",
    "<svg>a < b</svg>",
    "<svg></svg><svg></svg>",
    "text<svg></svg>",
    '<svg a="1"b="2"></svg>',
  ])
    assert.throws(() => parseXml(bad), /not well-formed|entity|bare &/, bad);
});

test("the writer escapes text and attributes, and drops characters XML forbids", () => {
  assert.equal(esc(`a<b & "c"\u0001`), "a&lt;b &amp; &quot;c&quot;");
  assert.equal(
    el("rect", { x: 1.234, y: undefined, label: "<&>" }),
    '<rect x="1.23" label="&lt;&amp;&gt;"/>',
  );
  assert.equal(el("text", {}, esc("1 < 2")), "<text>1 &lt; 2</text>");
});

test("a heading names the example and the note's section in Chinese and English", () => {
  const h5 = headingOf("examples/05-switch-cost.ts");
  assert.match(h5.title, /^05 · What one switch costs/);
  assert.equal(h5.noteZh, "一、协程 1 (优点)");
  assert.match(
    h5.noteEn ?? "",
    /^Part 1: Coroutines, point 1 \(the advantage: /,
  );
  const h1 = headingOf("examples/01-coroutines.ts");
  assert.equal(h1.noteZh, "一、协程");
  assert.equal(h1.noteEn, "Part 1: Coroutines (the eat/play timing demo)");
  assert.equal(
    noteChinese("二、并发的套接字通信 (服务端, the server)"),
    "二、并发的套接字通信 (服务端)",
  );
  assert.equal(
    noteEnglish("二、并发的套接字通信 (服务端, the server)"),
    "Part 2: Concurrent socket communication (the server)",
  );
  assert.deepEqual(headingOf(join(tmp, "no-such-file.ts")), {
    title: "no-such-file",
  });
});

const fixed: Timeline = {
  totalMs: 3000,
  truncated: false,
  lanes: [
    {
      label: "Task-1 (eat)",
      spans: [
        { from: 0, to: 1, state: "run" },
        { from: 1, to: 2999, state: "wait" },
        { from: 2999, to: 3000, state: "run" },
      ],
    },
    {
      label: "Task-2 (play)",
      spans: [
        { from: 0, to: 1, state: "run" },
        { from: 1, to: 999, state: "wait" },
        { from: 999, to: 1000, state: "run" },
      ],
    },
    { label: "hog <&>", spans: [{ from: 1000, to: 1600, state: "run" }] },
    {
      label: "beat",
      spans: [
        { from: 0, to: 1000, state: "wait" },
        { from: 1000, to: 1600, state: "late" },
      ],
    },
  ],
};

test("a timeline picture has a lane per task, bars as long as the spans", () => {
  const svg = timelineSvg(fixed, {
    heading: { title: "01 · eat & play", noteZh: "一、协程", noteEn: "Part 1" },
  });
  const t = readTimeline(svg);
  assertSelfContained(svg, t.root);
  assert.deepEqual(
    t.lanes.map((l) => l.label),
    ["Task-1 (eat)", "Task-2 (play)", "hog <&>", "beat"],
  );
  // Each lane's label and its sums are written in it.
  assert.deepEqual(t.lanes[2]?.text, ["hog <&>", "ran 600 ms, waited 0.0 ms"]);
  assert.match(t.lanes[3]?.text.join(" ") ?? "", /late 600 ms/);
  const texts = allText(t.root).join("\n");
  for (const s of [
    "01 · eat & play",
    "一、协程",
    "Part 1",
    "0 s",
    "1 s",
    "3 s",
  ])
    assert.ok(texts.includes(s), `no "${s}" in the picture`);
  for (const word of ["running", "waiting", "due, but another task"])
    assert.match(texts, new RegExp(word), `the legend lacks ${word}`);
  // Lengths: within 2 px of the spans, at the scale of the axis.
  const px = (msValue: number) => msValue * t.pxPerMs;
  const [eat, play, hog, beat] = t.lanes;
  const near2 = (a: number, b: number, what: string) =>
    assert.ok(Math.abs(a - b) <= 2, `${what}: ${a} px, expected ${b}`);
  near2(eat!.to - eat!.from, px(3000), "eat's extent");
  near2(play!.to - play!.from, px(1000), "play's extent");
  assert.equal(hog!.run.length, 1);
  near2(hog!.run[0]!.x - t.x0, px(1000), "hog's start");
  near2(hog!.run[0]!.width, px(600), "hog's run");
  assert.equal(beat!.late.length, 1);
  near2(beat!.late[0]!.width, px(600), "beat's late stretch");
  near2(beat!.wait[0]!.width, px(1000), "beat's wait");
  // A 1 ms run is far under a pixel: drawn as a tick, not a bar.
  assert.equal(eat!.run.length, 0);
  assert.equal(eat!.brief.length, 2);
  // Lanes do not overlap.
  for (let i = 1; i < t.lanes.length; i++)
    assert.ok(t.lanes[i]!.y >= t.lanes[i - 1]!.y + t.lanes[i - 1]!.height);
});

test("a timeline with many lanes draws the first ones and counts the rest", () => {
  const lanes: Lane[] = Array.from({ length: 30 }, (_, i) => ({
    label: `Task-${i + 1} (client)`,
    spans: [{ from: i, to: 100 + i, state: "wait" as const }],
  }));
  const svg = timelineSvg(
    { totalMs: 200, truncated: true, lanes },
    { heading: { title: "many" } },
  );
  const t = readTimeline(svg);
  assert.equal(t.lanes.length, 9);
  const texts = allText(t.root).join("\n");
  assert.match(texts, /… and 21 more lanes, not drawn/);
  assert.match(texts, /stopped early to bound memory/);
  assert.match(texts, /30 tasks on one thread/);
  // Every lane stays inside the page.
  const last = t.lanes.at(-1)!;
  assert.ok(last.y + last.height < 720);
});

test("04's chart: a bar per way and panel, lengths to scale, figures written", () => {
  const svg = threeWaysSvg({
    heading: headingOf("examples/04-three-ways.ts"),
    io: {
      coroutines: { wallMs: 110, memBytes: 600 },
      threads: { wallMs: 1100, memBytes: 7.3e6 },
    },
    cpu: {
      coroutines: { wallMs: 1000, memBytes: 0 },
      threads: { wallMs: 520, memBytes: 0 },
      processes: { wallMs: 500, memBytes: 0 },
    },
    waits: 50,
    waitMs: 100,
    slices: 4,
    sliceMs: 250,
    machine: "This machine: 2 cores",
  });
  const root = parseXml(svg);
  assertSelfContained(svg, root);
  const bars = allElements(root).filter((e) => e.attrs.class === "bar");
  // processes failed on the waits: no bar there, 2 + 2 + 3.
  assert.equal(bars.length, 7);
  const w = (i: number) => Number(bars[i]?.attrs.width);
  assert.ok(Math.abs(w(1) / w(0) - 10) < 0.2, `${w(1)} / ${w(0)}`);
  assert.ok(Math.abs(w(4) / w(6) - 2) < 0.05, `${w(4)} / ${w(6)}`);
  const texts = allText(root).join("\n");
  for (const s of [
    "0.11 s",
    "1.10 s",
    "failed",
    "600 B",
    "7.3 MB",
    "1.00 s  (1.0x)",
    "0.50 s  (2.0x)",
    "一、协程 2 (实现并发的三种手段)",
    "This machine: 2 cores",
  ])
    assert.ok(texts.includes(s), `no "${s}" in the chart`);
});

test("05's chart: a log scale from 1 ns to 1 ms, figures written", () => {
  const svg = switchCostSvg({
    heading: { title: "05" },
    rows: [
      ["generator", 100],
      ["await", 1000],
      ["threads", 10_000],
      ["processes", "failed: no pipe"],
    ],
    inProgram: 2,
    notes: ["a thread switch costs 10x an await"],
  });
  const root = parseXml(svg);
  assertSelfContained(svg, root);
  const bars = allElements(root).filter((e) => e.attrs.class === "bar");
  assert.deepEqual(
    bars.map((b) => b.attrs["data-label"]),
    ["generator", "await", "threads"],
  );
  // On a log scale from 1 ns, 100 ns is 2 decades, 1 µs 3, 10 µs 4.
  const w = (i: number) => Number(bars[i]?.attrs.width);
  assert.ok(Math.abs(w(1) / w(0) - 1.5) < 0.02, `${w(1)} / ${w(0)}`);
  assert.ok(Math.abs(w(2) / w(0) - 2) < 0.02, `${w(2)} / ${w(0)}`);
  // In-program and OS bars differ by pattern, not only by colour.
  assert.notEqual(bars[0]?.attrs.fill, bars[2]?.attrs.fill);
  assert.match(bars[2]?.attrs.fill ?? "", /^url\(#stripes-/);
  const texts = allText(root).join("\n");
  for (const s of ["100 ns", "1,000 ns", "10 µs", "failed: no pipe", "1 ms"])
    assert.ok(texts.includes(s), `no "${s}" in the chart`);
  assert.equal(nanos(23), "23 ns");
  assert.equal(nanos(52_430), "52.4 µs");
  assert.equal(nanos(1_500_000), "1.5 ms");
});

// One real run of example 01, drawn; shared by the next two tests.
let run01: Promise<{ svg: string; file: string; totalS: number }> | undefined;
function example01() {
  run01 ??= (async () => {
    const file = join(tmp, "01.svg");
    const r = await run(["examples/01-coroutines.ts", `--timeline=${file}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^MainTask\n/, "the program's own output");
    assert.equal(r.stderr, `timeline: wrote ${file}\n`);
    const totalS = Number(/done in ([\d.]+) s/.exec(r.stdout)?.[1]);
    return { svg: readFileSync(file, "utf8"), file, totalS };
  })();
  return run01;
}

test("--timeline=FILE.svg on 01: eat's bar is about 3x play's, as long as the run", async () => {
  const { svg, totalS } = await example01();
  const t = readTimeline(svg);
  assertSelfContained(svg, t.root);
  assert.deepEqual(
    t.lanes.map((l) => l.label),
    ["Task-1 (eat)", "Task-2 (play)", "MainTask"],
  );
  assert.match(allText(t.root)[0] ?? "", /^01 · Coroutines/);
  const [eat, play] = t.lanes;
  const eatMs = (eat!.to - eat!.from) / t.pxPerMs;
  const playMs = (play!.to - play!.from) / t.pxPerMs;
  const ratio = eatMs / playMs;
  assert.ok(ratio > 2.4 && ratio < 3.6, `eat ${eatMs} ms, play ${playMs} ms`);
  assert.ok(eatMs >= 2950 && eatMs < 4500, `eat ${eatMs} ms`);
  assert.ok(playMs >= 950 && playMs < 2000, `play ${playMs} ms`);
  // eat's lane spans the run that 01 timed itself, from spawn to join.
  assert.ok(
    eatMs <= totalS * 1000 + 10 && eatMs >= totalS * 1000 - 500,
    `eat's lane ${eatMs} ms, the run ${totalS} s`,
  );
  // Both mostly wait: most of each lane is the waiting bar.
  for (const lane of [eat!, play!]) {
    const waited = lane.wait.reduce((n, b) => n + b.width, 0);
    assert.ok(waited > 0.9 * (lane.to - lane.from), `${lane.label} waits`);
  }
});

test("rendered by rsvg-convert, the lanes are there in pixels", async (t) => {
  const probe = spawnSync("rsvg-convert", ["--version"]);
  if (probe.error) {
    const why =
      "rsvg-convert not found (Debian package librsvg2-bin): the render check needs it";
    if (process.env.CI) assert.fail(why);
    t.skip(why);
    return;
  }
  const { svg, file } = await example01();
  const png = join(tmp, "01.png");
  const r = spawnSync("rsvg-convert", ["-o", png, file], { encoding: "utf8" });
  assert.equal(r.status, 0, `rsvg-convert failed: ${r.stderr}`);
  const image = decodePng(readFileSync(png));
  assert.deepEqual([image.width, image.height], [1280, 720]);
  const tl = readTimeline(svg);
  const WAIT = "#56B4E9";
  const RUN = "#0072B2";
  // Along each lane's middle row: where the waiting colour starts and ends.
  const span = (lane: (typeof tl.lanes)[number], colour: string) => {
    const y = lane.y + lane.height / 2;
    const xs: number[] = [];
    for (let x = 0; x < image.width; x++)
      if (near(image.pixel(x, y), colour)) xs.push(x);
    return xs;
  };
  const [eat, play, main] = tl.lanes;
  assert.ok(span(eat!, WAIT).length > 0, "no waiting bar for eat");
  assert.ok(span(play!, WAIT).length > 0, "no waiting bar for play");
  // A lane's bars: waiting, the ticks (or bars) of running at its ends,
  // and, on a loaded machine, a late stretch (striped, with a border in
  // its colour) where a sleep was over but the thread was busy.
  const LATE = "#D55E00";
  const bars = (lane: (typeof tl.lanes)[number]) =>
    [...span(lane, WAIT), ...span(lane, RUN), ...span(lane, LATE)].sort(
      (a, b) => a - b,
    );
  const eatWait = bars(eat!);
  const playWait = bars(play!);
  const extent = (xs: number[]) => xs.at(-1)! - xs[0]! + 1;
  // eat waits across the plot, play for about a third of it.
  for (const [lane, xs] of [
    [eat!, eatWait],
    [play!, playWait],
  ] as const) {
    assert.ok(Math.abs(xs[0]! - lane.from) < 4, `${lane.label} from ${xs[0]}`);
    assert.ok(
      Math.abs(xs.at(-1)! + 1 - lane.to) < 4,
      `${lane.label} to ${xs.at(-1)}`,
    );
  }
  // (a loaded machine may start eat, or end the run, a little late)
  assert.ok(eatWait[0]! - tl.x0 < 40, `eat starts at ${eatWait[0]}`);
  assert.ok(tl.x1 - eatWait.at(-1)! < 40, `eat ends at ${eatWait.at(-1)}`);
  const ratio = extent(eatWait) / extent(playWait);
  assert.ok(ratio > 2.4 && ratio < 3.6, `pixels: eat/play = ${ratio}`);
  // Ticks of running at each end of each lane, in the running colour.
  assert.ok(span(eat!, RUN).length >= 2, "no running tick in eat's lane");
  assert.ok(span(main!, WAIT).length > 0, "no MainTask lane");
  // Between the lanes, paper: the lanes are drawn apart.
  for (const lane of [eat!, play!]) {
    const y = lane.y + lane.height - 2;
    for (let x = tl.x0 + 10; x < tl.x1 - 10; x += 5) {
      const p = image.pixel(x, y);
      assert.ok(!near(p, WAIT) && !near(p, RUN), `colour at ${x},${y}`);
    }
  }
});

test("XIECHENG_TIMELINE=FILE.svg with the preload: the hog's run and the ticker's late stretch", async () => {
  const file = join(tmp, "hog.svg");
  const r = await run(
    [
      "--import",
      "./examples/support/preload.ts",
      "test/fixtures/hog.ts",
      "block",
      "300",
    ],
    { XIECHENG_TIMELINE: file, NO_DETECTOR: "1" },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`timeline: wrote ${file}\\n$`));
  assert.doesNotMatch(r.stderr, /^timeline: \d+ lanes/m, "no terminal chart");
  const t = readTimeline(readFileSync(file, "utf8"));
  const hog = t.lanes.find((l) => l.label.endsWith("(hog)"));
  const ticker = t.lanes.find((l) => l.label.endsWith("(ticker)"));
  const longest = (bars: { width: number }[]) =>
    Math.max(0, ...bars.map((b) => b.width)) / t.pxPerMs;
  assert.ok(
    longest(hog?.run ?? []) >= 250,
    `hog ran ${longest(hog?.run ?? [])} ms`,
  );
  assert.ok(
    longest(ticker?.late ?? []) >= 200,
    `ticker late ${longest(ticker?.late ?? [])} ms`,
  );
});

test("a bad picture path is one line and exit 2, before the run", async () => {
  const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
    [
      ["examples/01-coroutines.ts", "--timeline=t.png"],
      {},
      /^error: Expected `--timeline` to name a file ending in \.svg, got `t\.png`\n$/,
    ],
    [
      ["examples/01-coroutines.ts", `--timeline=${tmp}/no/such/dir/t.svg`],
      {},
      /^error: Expected `--timeline` in a folder that exists, got `.*t\.svg`\n$/,
    ],
    [
      ["examples/05-switch-cost.ts", "--chart=out.txt"],
      {},
      /^error: Expected `--chart` to name a file ending in \.svg, got `out\.txt`\n$/,
    ],
    [
      ["examples/04-three-ways.ts", "--chart", `${tmp}/nope/04.svg`],
      {},
      /^error: Expected `--chart` in a folder that exists/,
    ],
    [
      ["--import", "./examples/support/preload.ts", "test/fixtures/hog.ts"],
      { XIECHENG_TIMELINE: `${tmp}/nope/x.svg`, NO_DETECTOR: "1" },
      /^error: Expected `XIECHENG_TIMELINE` in a folder that exists/,
    ],
  ];
  await Promise.all(
    cases.map(async ([args, extra, message]) => {
      const r = await run(args, extra);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.split("\n").length, 2, r.stderr);
      assert.equal(r.stdout, "", "nothing ran");
    }),
  );
});

test("npm start -- --slides DIR: straight through, a picture per step named by it", async () => {
  const dir = join(tmp, "slides");
  const r = await run(["scripts/tour.ts", "--only", "01", "--slides", dir]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /Press Enter/);
  assert.match(r.stdout, new RegExp(`slides: 1 picture in ${dir}\\n`));
  const t = readTimeline(readFileSync(join(dir, "01-coroutines.svg"), "utf8"));
  assert.deepEqual(
    t.lanes.map((l) => l.label),
    ["Task-1 (eat)", "Task-2 (play)", "MainTask"],
  );
});
