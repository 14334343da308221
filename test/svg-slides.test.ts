// Slow (the whole tour, about 2 minutes on a quiet 2-core machine): run by
// `npm run test:all`, not by `npm test`. `npm start -- --slides DIR` leaves
// one well-formed picture per step, named by it: a timeline with lanes, or
// for 04 and 05 the chart with a bar per way.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { allElements, parseXml } from "./xml.ts";

const run = promisify(execFile);

test("the whole tour with --slides: one picture per step", async () => {
  const dir = join(mkdtempSync(join(tmpdir(), "xiecheng-slides-")), "slides");
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.FORCE_COLOR;
  delete env.XIECHENG_TIMELINE;
  const { stdout } = await run(
    process.execPath,
    ["--import", "tsx", "scripts/tour.ts", "--quick", "--slides", dir],
    { env, timeout: 900_000, maxBuffer: 64 << 20 },
  );
  const steps = readdirSync("examples")
    .filter((f) => /^\d\d-[a-z0-9-]+\.ts$/.test(f))
    .map((f) => f.replace(/\.ts$/, ".svg"))
    .sort();
  assert.match(stdout, new RegExp(`slides: ${steps.length} pictures in `));
  assert.deepEqual(readdirSync(dir).sort(), steps);
  for (const file of steps) {
    const root = parseXml(readFileSync(join(dir, file), "utf8"));
    const all = allElements(root);
    const lanes = all.filter((e) => e.attrs.class === "lane").length;
    const bars = all.filter((e) => e.attrs.class === "bar").length;
    if (/^0[45]-/.test(file)) assert.ok(bars >= 5, `${file}: ${bars} bars`);
    else assert.ok(lanes >= 1, `${file}: no lane`);
    const title = all.find((e) => e.name === "title")?.text ?? "";
    assert.ok(title.startsWith(file.slice(0, 2)), `${file}: title ${title}`);
  }
});
