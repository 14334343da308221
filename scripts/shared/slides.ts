/**
 * `npm start -- --slides DIR` (scripts/tour.ts): the tour runs straight
 * through and each step leaves a picture in DIR, named after its example
 * (01-coroutines.svg, 02-yield.svg, ...): the comparison chart of an
 * example that draws one (`--chart=FILE.svg`, 04 and 05), else its
 * timeline (`--timeline=FILE.svg`). A program that does not parse its
 * options with examples/support/cli.ts gets the timeline through the
 * preload and `XIECHENG_TIMELINE=FILE.svg` instead (Node only).
 */
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fail } from "../../examples/support/cli.ts";
import { commandFor, type Runtime } from "../runtimes.ts";

let startedAt = 0;

/**
 * The folder of `--slides`, made if need be, as an absolute path (the
 * tour changes folder later); undefined without the option. Exits with
 * code 2 and one line if it cannot be made.
 */
export function slidesFolder(dir: string | undefined): string | undefined {
  if (dir === undefined) return undefined;
  startedAt = Date.now() - 1000;
  const path = resolve(dir);
  try {
    mkdirSync(path, { recursive: true });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    fail(
      `Expected \`--slides\` to be a folder we can write, got \`${dir}\` (${why})`,
      2,
    );
  }
  return path;
}

/**
 * The command and environment that run an example and leave its picture
 * in `slides` (or the plain command when `slides` is undefined).
 */
export function slideCommand(
  slides: string | undefined,
  runtime: Runtime,
  ex: { slug: string; file: string },
  args: string[],
  env: NodeJS.ProcessEnv,
): [[string, ...string[]], NodeJS.ProcessEnv] {
  if (slides === undefined) return [commandFor(runtime, ex.file, args), env];
  const file = join(slides, `${ex.slug}.svg`);
  const src = readFileSync(ex.file, "utf8");
  // (the terminal chart of --timeline would replace the picture)
  const rest = args.filter((a) => a !== "--timeline");
  if (src.includes("--chart=FILE.svg"))
    return [commandFor(runtime, ex.file, [...rest, `--chart=${file}`]), env];
  if (src.includes("/support/cli.ts"))
    return [commandFor(runtime, ex.file, [...rest, `--timeline=${file}`]), env];
  const preload =
    runtime.name === "node"
      ? ["--import", "./examples/support/preload.ts"]
      : [];
  return [
    commandFor(
      { ...runtime, pre: [...runtime.pre, ...preload] },
      ex.file,
      rest,
    ),
    { ...env, XIECHENG_TIMELINE: file },
  ];
}

/**
 * After the tour: prints how many pictures the steps left in `slides`
 * (one left by an earlier tour does not count) and names the steps that
 * left none. Returns false if any is missing.
 */
export function reportSlides(
  slides: string,
  examples: { slug: string }[],
): boolean {
  const slugs = examples.map((e) => e.slug);
  const missing = slugs.filter(
    (s) =>
      (statSync(join(slides, `${s}.svg`), { throwIfNoEntry: false })?.mtimeMs ??
        0) < startedAt,
  );
  const n = slugs.length - missing.length;
  const none = missing.length ? `; none from ${missing.join(", ")}` : "";
  console.log(`slides: ${n} picture${n === 1 ? "" : "s"} in ${slides}${none}`);
  return missing.length === 0;
}
