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

test("README.md, README.zh-CN.md and NOTE.md link to each other near their top", () => {
  const wants: Record<string, string[]> = {
    "README.md": ["README.zh-CN.md", "NOTE.md"],
    "README.zh-CN.md": ["README.md", "NOTE.md"],
    "NOTE.md": ["README.md", "README.zh-CN.md"],
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

test("every local link in the three documents points at a file that exists", () => {
  for (const file of ["README.md", "README.zh-CN.md", "NOTE.md"]) {
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
