// What a reader sees of the tour on a projector, checked fast (the
// end-to-end runs of the whole tour are in tour.test.ts, the slow list):
// the cards in both languages, the reader's first; every line within 80
// columns; nothing dim; a tour that ends when its input ends; and the
// line that says an example is still running.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import {
  EXTRA_RUNS,
  SAY,
  ZH,
  cardInput,
  cols,
  readExample,
  renderCard,
  wrap,
} from "../scripts/shared/tour-cards.ts";
import { scratchTour } from "./scratch-tour.ts";

const run = promisify(execFile);
// English first, whatever the machine's locale; each test sets its own.
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NO_COLOR: "1",
  LANG: "C.UTF-8",
};
delete env.FORCE_COLOR;
delete env.LC_ALL;
delete env.LC_MESSAGES;
const tour = (...args: string[]) =>
  [process.execPath, ["--import", "tsx", "scripts/tour.ts", ...args]] as const;
const files = readdirSync("examples")
  .filter((f) => /^\d\d-[a-z0-9-]+\.ts$/.test(f))
  .sort();
const titles = files.map((f) => readExample(f).title);
const hasScript = existsSync("/usr/bin/script");

/** Every card the tour can show, with the longest arguments it passes. */
function allCards(lang: "zh" | "en", width: number): string[][] {
  return files.map((f, i) => {
    const ex = readExample(f);
    const extra = EXTRA_RUNS[ex.slug]?.at(-1);
    const args = [
      "--host 127.0.0.1 --port 65535 --duration 0.5",
      ...(extra?.args ?? []),
      "--timeline",
    ].join(" ");
    return renderCard(
      cardInput(
        ex,
        i + 1,
        files.length + 1,
        `npx deno run -A ${ex.file} ${args}`,
        extra && {
          en: `${SAY.en.client(0.5)}; ${extra.en}`,
          zh: `${SAY.zh.client(0.5)}；${extra.zh}`,
        },
      ),
      lang,
      width,
    );
  });
}

test("every card fits 80 columns (a Chinese character counts two), in both languages", () => {
  for (const lang of ["zh", "en"] as const)
    for (const width of [80, 60])
      for (const card of allCards(lang, width))
        for (const line of card)
          assert.ok(
            cols(line) <= width,
            `${lang}, ${width} columns: ${cols(line)} columns: ${line}`,
          );
});

test("every example has a Chinese card, and the reader's language comes first", () => {
  const slugs = files.map((f) => f.slice(0, -3));
  assert.deepEqual(
    Object.keys(ZH).sort(),
    slugs,
    "ZH should have exactly the examples",
  );
  for (const key of Object.keys(EXTRA_RUNS))
    assert.ok(slugs.includes(key), `EXTRA_RUNS names ${key}, not an example`);
  for (const [slug, card] of Object.entries(ZH))
    for (const text of [card.title, card.note, card.watch])
      assert.match(text, /[\u4e00-\u9fff]/, `${slug}: not Chinese: ${text}`);
  for (const [i, f] of files.entries()) {
    const zh = ZH[f.slice(0, -3)]!;
    const zhFirst = allCards("zh", 80)[i]!.join("\n");
    const enFirst = allCards("en", 80)[i]!.join("\n");
    assert.ok(
      zhFirst.indexOf(zh.title) < zhFirst.indexOf(titles[i]!),
      `zh: the Chinese title should come first:\n${zhFirst}`,
    );
    assert.ok(
      enFirst.indexOf(titles[i]!) < enFirst.indexOf(zh.title),
      `en: the English title should come first:\n${enFirst}`,
    );
    for (const card of [zhFirst, enFirst])
      assert.ok(card.includes("笔记 ") && card.includes("note "), card);
  }
});

test("wrap breaks Chinese between characters, never before a closing mark", () => {
  const text =
    "两个任务跑在同一个线程上：eat 等 3 秒，play 等 1 秒。留意各行的先后顺序。";
  for (const width of [12, 17, 20, 33]) {
    const lines = wrap(text, width, "看点  ", "      ");
    for (const line of lines) {
      assert.ok(cols(line) <= width, `${width}: ${line}`);
      assert.doesNotMatch(
        line.trimStart(),
        /^[，。：；、）]/,
        `${width}: ${line}`,
      );
    }
    assert.equal(
      lines.join("").replace("看点", "").replace(/\s/g, ""),
      text.replace(/\s/g, ""),
      "nothing lost",
    );
  }
  assert.equal(cols("协程 ab"), 7);
});

test("the tour never dims what a reader must see (no SGR 2), even in colour", async () => {
  for (const f of ["scripts/tour.ts", "scripts/shared/tour-cards.ts"])
    assert.doesNotMatch(readFileSync(f, "utf8"), /"dim"|\[2m/, f);
  const [bin, argv] = tour("--list");
  const { stdout } = await run(bin, argv, {
    env: { ...env, NO_COLOR: "", FORCE_COLOR: "1" },
  });
  assert.match(stdout, /\x1b\[1m/, "colour should be on");
  assert.doesNotMatch(stdout, /\x1b\[(?:\d+;)*2m/, "dim text in --list");
});

test("--lang and the locale choose the cards' first language", async () => {
  const first = files[0]!;
  const zh = ZH[first.slice(0, -3)]!.title;
  const cases: [NodeJS.ProcessEnv, string[], boolean][] = [
    [{ LANG: "zh_CN.UTF-8" }, [], true],
    [{ LC_ALL: "zh_TW.UTF-8", LANG: "C" }, [], true],
    [{ LANG: "C.UTF-8" }, [], false],
    [{ LANG: "zh_CN.UTF-8" }, ["--lang", "en"], false],
    [{ LANG: "C.UTF-8" }, ["--lang", "zh"], true],
  ];
  const { dir, rm } = scratchTour({ "01-quick": `console.log("ran");` });
  try {
    await Promise.all(
      cases.map(async ([locale, args, zhFirst]) => {
        const { stdout } = await run(
          process.execPath,
          ["--import", "tsx", path.join(dir, "scripts/tour.ts"), ...args],
          { env: { ...env, ...locale }, timeout: 50_000 },
        );
        const head = stdout.split("\n")[0]!;
        assert.equal(
          /演示导览/.test(head),
          zhFirst,
          `${JSON.stringify(locale)} ${args.join(" ")}: ${head}`,
        );
        const zhNote = stdout.indexOf("笔记 ");
        const enNote = stdout.indexOf("note ");
        assert.ok(zhNote >= 0 && enNote >= 0, stdout);
        assert.equal(zhNote < enNote, zhFirst, stdout);
      }),
    );
    assert.ok(zh.length > 0);
  } finally {
    rm();
  }
});

test(
  "a closed input ends the tour: piped lines, or Ctrl-D at a prompt on a terminal",
  { skip: !hasScript && "needs util-linux script", timeout: 90_000 },
  async () => {
    const { dir, rm } = scratchTour({
      "01-one": `console.log("one ran");`,
      "02-two": `console.log("two ran");`,
      "03-three": `console.log("three ran");`,
    });
    const tourCmd = `${process.execPath} --import tsx ${path.join(dir, "scripts/tour.ts")}`;
    /** Runs `cmd` on a terminal, typing `keys` when `when` shows; resolves with its output and exit code. */
    const onTerminal = (cmd: string, steps: [RegExp, string][]) =>
      new Promise<{ out: string; code: number | null }>((resolve, reject) => {
        const child = spawn("script", ["-qfec", cmd, "/dev/null"], {
          cwd: dir,
          env: { ...env, TERM: "xterm" },
          stdio: ["pipe", "pipe", "pipe"],
        });
        let out = "";
        const timer = setTimeout(() => {
          child.kill("SIGKILL");
          reject(new Error(`the tour hangs:\n${out}`));
        }, 60_000);
        child.stdout!.on("data", (d: Buffer) => {
          out += d.toString();
          while (steps[0] && steps[0][0].test(out)) {
            const [, keys] = steps.shift()!;
            child.stdin!.write(keys);
          }
        });
        child.on("exit", (code) => {
          clearTimeout(timer);
          resolve({ out, code });
        });
      });
    try {
      // Typed ahead into a pipe, then closed: it runs through and ends.
      const piped = await onTerminal(`printf '\\n\\n\\n' | ${tourCmd}`, []);
      assert.equal(piped.code, 0, piped.out);
      assert.match(piped.out, /three ran/);
      assert.match(piped.out, /tour done: 3 of 3 steps, all passed/);
      // Ctrl-D at the second prompt: the first step ran, the tour ends.
      const eof = await onTerminal(tourCmd, [
        [/Press Enter/, "\r"],
        [/one ran[^]*Press Enter/, "\x04"],
      ]);
      assert.equal(eof.code, 0, eof.out);
      assert.match(eof.out, /one ran/);
      assert.doesNotMatch(eof.out, /two ran/);
      assert.match(eof.out, /tour ended after 1 of 3 steps/);
    } finally {
      rm();
    }
  },
);

test("an example quiet for 2 s says it is still running, from a thread of its own", async () => {
  // The main thread is held for 3 s by a loop: the line comes anyway.
  const code =
    "for (const end = Date.now() + 3000; Date.now() < end; ); console.log('done');";
  for (const [lang, line] of [
    ["C.UTF-8", /^\.\.\. still running: \d+ s$/m],
    ["zh_CN.UTF-8", /^… 仍在运行：\d+ 秒$/m],
  ] as const) {
    const { stdout } = await run(
      process.execPath,
      [
        "--import",
        "tsx",
        "--import",
        "./examples/support/preload.ts",
        "-e",
        code,
      ],
      { env: { ...env, LANG: lang, XIECHENG_PROGRESS: "1" }, timeout: 30_000 },
    );
    assert.match(stdout, line, stdout);
    assert.match(stdout, /done\n$/, stdout);
    assert.ok(stdout.search(line) < stdout.indexOf("done"), stdout);
  }
  // Off by default: the same program prints only its own line.
  const { stdout } = await run(process.execPath, ["-e", code], { env });
  assert.equal(stdout, "done\n");
});
