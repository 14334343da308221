// The READMEs' example indexes must list exactly the examples that
// exist: a new example without a row, or a row naming a file that is
// gone, fails here, in the English README and in the Chinese one alike.
// Each row links to its file and gives the command to run it. The three
// documents link to each other, and every local link points at a file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const examples = readdirSync("examples")
  .filter((f) => /^\d\d-[a-z0-9-]+\.ts$/.test(f))
  .sort();

/** The index of one README: the file and the heading of its example section. */
const indexes = [
  { file: "README.md", heading: "## Examples" },
  { file: "README.zh-CN.md", heading: "## 示例" },
];

/** The rows of the table under `heading`: cells of each `| NN | ... |` line. */
function indexRows(file: string, heading: string): string[][] {
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.trim() === heading);
  assert.ok(start >= 0, `${file} has no "${heading}" section`);
  const end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  const rows = lines
    .slice(start + 1, end < 0 ? undefined : end)
    .filter((l) => /^\|\s*\d\d\s*\|/.test(l))
    .map((l) =>
      l
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  assert.ok(rows.length > 0, `${file}: the example index table has no rows`);
  return rows;
}

for (const { file, heading } of indexes) {
  test(`${file}'s example index lists every example, in order`, () => {
    const listed = indexRows(file, heading).map(
      (cells) =>
        /\]\(examples\/([^)]+)\)/.exec(cells[1] ?? "")?.[1] ??
        `(no link in: ${cells[1]})`,
    );
    const missing = examples.filter((f) => !listed.includes(f));
    assert.deepEqual(
      missing,
      [],
      `examples missing from ${file}'s index: ${missing.join(", ")}`,
    );
    assert.deepEqual(
      listed,
      examples,
      `${file}'s index should list the examples in number order, once each`,
    );
  });

  test(`every file named in ${file}'s example index exists`, () => {
    for (const cells of indexRows(file, heading)) {
      assert.equal(
        cells.length,
        5,
        `${file}: a row should have 5 cells (#, file, section, what to look for, run): ${cells.join(" | ")}`,
      );
      const [num = "", fileCell = "", , , run = ""] = cells;
      const link = /^\[([^\]]+)\]\((examples\/[^)]+)\)$/.exec(fileCell);
      assert.ok(
        link,
        `${file} row ${num}: the file cell should be a link like [NN-x.ts](examples/NN-x.ts), got: ${fileCell}`,
      );
      const [, text, target] = link;
      assert.ok(
        existsSync(target!),
        `${file} row ${num}: ${target} does not exist`,
      );
      assert.equal(
        `examples/${text}`,
        target,
        `${file} row ${num}: link text and target differ`,
      );
      assert.ok(
        target!.startsWith(`examples/${num}-`),
        `${file} row ${num}: the number does not match ${target}`,
      );
      assert.ok(
        run.includes(`npx tsx ${target}`),
        `${file} row ${num}: the run cell should hold \`npx tsx ${target}\`, got: ${run}`,
      );
    }
  });
}

test("the two READMEs list the same examples with the same commands", () => {
  const key = (rows: string[][]) => rows.map((c) => `${c[0]} ${c[1]} ${c[4]}`);
  assert.deepEqual(
    key(indexRows("README.zh-CN.md", "## 示例")),
    key(indexRows("README.md", "## Examples")),
  );
});

test("the READMEs and the two retellings of the note link to each other near their top", () => {
  const wants: Record<string, string[]> = {
    "README.md": ["README.zh-CN.md", "NOTE.md", "NOTE.zh-CN.md"],
    "README.zh-CN.md": ["README.md", "NOTE.md", "NOTE.zh-CN.md"],
    "NOTE.md": ["README.md", "README.zh-CN.md", "NOTE.zh-CN.md"],
    "NOTE.zh-CN.md": ["README.md", "README.zh-CN.md", "NOTE.md"],
  };
  for (const [file, targets] of Object.entries(wants)) {
    // "Near the top": within the first 15 lines, before any second-level section.
    const top = readFileSync(file, "utf8")
      .split("\n")
      .slice(0, 15)
      .join("\n")
      .split(/^## /m)[0]!;
    for (const t of targets)
      assert.ok(
        top.includes(`](${t})`),
        `${file} should link ${t} near its top`,
      );
  }
});

test("every local link in the four documents points at a file that exists", () => {
  for (const file of [
    "README.md",
    "README.zh-CN.md",
    "NOTE.md",
    "NOTE.zh-CN.md",
  ]) {
    const text = readFileSync(file, "utf8");
    for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue; // https:, mailto:
      assert.ok(
        existsSync(path.normalize(target!)),
        `${file} links ${target}, which does not exist`,
      );
      assert.ok(
        !target!.includes("shared/"),
        `${file} links ${target}: nothing a reader needs may live outside the repository`,
      );
    }
  }
});

// ---------------------------------------------------------------- the background recipe
// "Running a server in the background, and stopping it": the commands
// are run as the README writes them (only the port and the log file
// are changed, so that runs beside each other do not clash), in bash
// as a script and in an interactive bash on a terminal (util-linux
// `script`), where each background job leads its own process group.
// Afterwards the port must be free and no server left.
const BACKGROUND = {
  "README.md": "### Running a server in the background, and stopping it",
  "README.zh-CN.md": "### 在后台运行服务端，再把它停掉",
};

/** The first ```sh block under `heading` in `file`. */
function shBlock(file: string, heading: string): string {
  const text = readFileSync(file, "utf8");
  const at = text.indexOf(`\n${heading}\n`);
  assert.ok(at >= 0, `${file} has no "${heading}" section`);
  const m = /\n```sh\n([\s\S]*?)\n```/.exec(text.slice(at));
  assert.ok(m, `${file}: no sh block under "${heading}"`);
  return m[1]!;
}

/** The commands of a block, without comments and blank lines. */
const commands = (block: string) =>
  block
    .split("\n")
    .map((l) => l.replace(/(^|\s)#.*$/, "").trimEnd())
    .filter(Boolean);

test("both READMEs give the same background recipe", () => {
  assert.deepEqual(
    commands(shBlock("README.zh-CN.md", BACKGROUND["README.zh-CN.md"])),
    commands(shBlock("README.md", BACKGROUND["README.md"])),
  );
});

const freePort = async (): Promise<number> => {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
};

const refused = async (port: number): Promise<boolean> => {
  const { connect } = await import("node:net");
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.on("connect", () => (s.destroy(), resolve(false)));
    s.on("error", () => resolve(true));
  });
};

const hasScript = existsSync("/usr/bin/script") && existsSync("/bin/bash");

for (const mode of ["script", "interactive"] as const) {
  test(
    `the README's background recipe works as written in ${mode === "script" ? "a bash script" : "an interactive bash"}`,
    {
      skip: !hasScript && "needs bash and util-linux script",
      timeout: 150_000,
    },
    async () => {
      const { spawn } = await import("node:child_process");
      const { rmSync } = await import("node:fs");
      const { tmpdir } = await import("node:os");
      const port = await freePort();
      const log = path.join(tmpdir(), `xiecheng-bg-${mode}-${port}.log`);
      const recipe = shBlock("README.md", BACKGROUND["README.md"])
        .replaceAll("8080", String(port))
        .replaceAll("server.log", log);
      const marker = "RECIPE-END";
      const child =
        mode === "script"
          ? spawn("bash", ["--norc", "--noprofile", "-c", recipe], {
              stdio: ["ignore", "pipe", "pipe"],
            })
          : spawn(
              "script",
              ["-qfec", "bash --norc --noprofile -i", "/dev/null"],
              {
                stdio: ["pipe", "pipe", "pipe"],
                env: { ...process.env, TERM: "dumb" },
              },
            );
      let out = "";
      child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
      const exit = new Promise<number | null>((resolve) =>
        child.on("exit", (code) => resolve(code)),
      );
      try {
        let code: number | null;
        if (mode === "script") code = await exit;
        else {
          // Typed line by line, then the status of the last command.
          child.stdin!.write(`${recipe}\necho ${marker} $?\n`);
          const end = Date.now() + 120_000;
          // The echoed input says `$?`; only the shell's answer has digits
          // (after a prompt, or at the start of a line).
          const done = new RegExp(`${marker} (\\d+)`);
          while (!done.test(out) && Date.now() < end)
            await new Promise((r) => setTimeout(r, 200));
          code = Number(done.exec(out)?.[1] ?? NaN);
          child.stdin!.end("exit\n");
          await exit;
        }
        assert.equal(code, 0, `the recipe failed (exit ${code}):\n${out}`);
        assert.match(out, /\d+ clients: [\d,]+ replies in/, out);
        assert.ok(await refused(port), `port ${port} is still held:\n${out}`);
      } finally {
        child.kill("SIGKILL");
        rmSync(log, { force: true });
        // Only if a check above failed: the server this run started (its
        // command line holds the port, which no other run uses).
        for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
          let cmd = "";
          try {
            cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
          } catch {
            continue;
          }
          if (cmd.includes("06-server.ts") && cmd.includes(`${port}`))
            try {
              process.kill(Number(pid), "SIGKILL");
            } catch {}
        }
      }
    },
  );
}

// ---------------------------------------------------------------- the note, twice
// NOTE.md and NOTE.zh-CN.md retell the same note: each point of the
// note appears in both (by a phrase each language must use), and both
// send the reader to the same examples.
const NOTE_POINTS: [point: string, en: RegExp, zh: RegExp][] = [
  ["骗过 CPU", /骗过/, /骗过/],
  [
    "并发 = 切换 + 保存状态",
    /并发 = 切换 \+ 保存状态/,
    /并发 = 切换 \+ 保存状态/,
  ],
  [
    "the three ways a/b/c",
    /- a\)[^]*- b\)[^]*- c\)/,
    /- a\)[^]*- b\)[^]*- c\)/,
  ],
  [
    "yield and greenlet versus gevent",
    /`yield`[^]*greenlet[^]*gevent/,
    /`yield`[^]*greenlet[^]*gevent/,
  ],
  ["monkey.patch_all", /monkey\.patch_all\(\)/, /monkey\.patch_all\(\)/],
  [
    "spawn returns at once: without join the program ends",
    /without the joins/,
    /不 `join`/,
  ],
  ["the DummyThread remark", /"Dummy" means fake/, /Dummy 是“虚拟的、假的”/],
  ["the timing demo's output", /3\.006/, /3\.006/],
  [
    "the server: talk and server, backlog 5",
    /`server\(ip, port, backlog=5\)`/,
    /`server\(ip, port, backlog=5\)`/,
  ],
  ["the import-order trap", /from socket import \*/, /from socket import \*/],
  ["the client: 500 threads", /500 threads/, /500 个线程/],
  [
    "where the project differs",
    /Where it differs from the note/,
    /和笔记不同的是/,
  ],
];

test("NOTE.md and NOTE.zh-CN.md cover the same points of the note", () => {
  const en = readFileSync("NOTE.md", "utf8");
  const zh = readFileSync("NOTE.zh-CN.md", "utf8");
  for (const [point, enRe, zhRe] of NOTE_POINTS) {
    assert.match(en, enRe, `NOTE.md misses: ${point}`);
    assert.match(zh, zhRe, `NOTE.zh-CN.md misses: ${point}`);
  }
  const links = (text: string) =>
    [...new Set(text.match(/\]\((examples\/[^)]+)\)/g))].sort();
  assert.deepEqual(
    links(zh),
    links(en),
    "the two retellings link different examples",
  );
  // Chinese first: the Chinese retelling is mostly Chinese prose.
  const prose = zh.replace(/```[^]*?```|`[^`]*`|\([^)]*\)/g, "");
  const cjk = prose.match(/[\u4e00-\u9fff]/g)?.length ?? 0;
  const latin = prose.match(/[A-Za-z]/g)?.length ?? 0;
  assert.ok(
    cjk > 2 * latin,
    `NOTE.zh-CN.md: ${cjk} Chinese, ${latin} Latin letters`,
  );
});
