// The timing demo's overhead, for `npm run bench`: the eat/play program
// of examples/01 with the lib and with bare setTimeout, alternated in
// one process (start-up excluded); prints one JSON line of totals in ms.
// Usage: npx tsx scripts/bench-timing.ts [--runs N] [--scale X]
import { cli, intOption, numberOption } from "../examples/support/cli.ts";
import { join, sleep, spawn } from "../lib/index.ts";

const opts = cli({
  usage: "npx tsx scripts/bench-timing.ts [--runs N] [--scale X]",
  about:
    "Runs the eat (3 s) / play (1 s) demo with the lib and with bare setTimeout, alternately; prints JSON.",
  options: {
    runs: { type: "string", default: "5", help: "runs of each version" },
    scale: {
      type: "string",
      default: "1",
      help: "multiply the 3 s and 1 s waits; 0.01 for a smoke test",
    },
  },
});
const runs = intOption("runs", opts.runs, 1);
const scale = numberOption("scale", opts.scale, 0.001);
const EAT = 3000 * scale;
const PLAY = 1000 * scale;

// Both versions log the same lines into an array: the terminal's speed
// is not what we measure.
const log: string[] = [];

async function withLib(): Promise<number> {
  const start = performance.now();
  const eat = async () => {
    log.push("eat 1");
    await sleep(EAT);
    log.push("eat 2");
  };
  const play = async () => {
    log.push("play 1");
    await sleep(PLAY);
    log.push("play 2");
  };
  const g1 = spawn(eat);
  const g2 = spawn(play);
  await join(g1);
  await join(g2);
  return performance.now() - start;
}

const wait = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));

async function bare(): Promise<number> {
  const start = performance.now();
  const eat = async () => {
    log.push("eat 1");
    await wait(EAT);
    log.push("eat 2");
  };
  const play = async () => {
    log.push("play 1");
    await wait(PLAY);
    log.push("play 2");
  };
  const g1 = eat();
  const g2 = play();
  await g1;
  await g2;
  return performance.now() - start;
}

const lib: number[] = [];
const plain: number[] = [];
// Each run starts from a fresh turn of the event loop (as a program
// starts before its loop runs), so that both versions read the loop's
// millisecond clock in the same phase; the order alternates.
const turn = () => new Promise((resolve) => setImmediate(resolve));
for (let i = 0; i < runs; i++) {
  for (const which of i % 2 ? [bare, withLib] : [withLib, bare]) {
    await turn();
    (which === bare ? plain : lib).push(await which());
  }
  log.length = 0;
}
console.log(JSON.stringify({ longestMs: EAT, lib, bare: plain }));
