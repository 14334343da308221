// The README's example index must list exactly the examples that exist:
// a new example without a row, or a row naming a file that is gone,
// fails here. Each row links to its file and gives the command to run it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";

const readme = readFileSync("README.md", "utf8");
const examples = readdirSync("examples").filter((f) => /^\d\d-[a-z0-9-]+\.ts$/.test(f)).sort();

/** The rows of the table under "## Examples": cells of each `| NN | ... |` line. */
function indexRows(): string[][] {
  const start = readme.search(/^## Examples\s*$/m);
  assert.ok(start >= 0, 'README.md has no "## Examples" section');
  const rest = readme.slice(start);
  const next = rest.slice(1).search(/^## /m);
  const section = next < 0 ? rest : rest.slice(0, next + 1);
  const rows = section
    .split("\n")
    .filter((l) => /^\|\s*\d\d\s*\|/.test(l))
    .map((l) => l.split("|").slice(1, -1).map((c) => c.trim()));
  assert.ok(rows.length > 0, "the example index table has no rows");
  return rows;
}

test("README's example index lists every example, in order", () => {
  const listed = indexRows().map((cells) => /\]\(examples\/([^)]+)\)/.exec(cells[1] ?? "")?.[1] ?? `(no link in: ${cells[1]})`);
  const missing = examples.filter((f) => !listed.includes(f));
  assert.deepEqual(missing, [], `examples missing from README's index: ${missing.join(", ")}`);
  assert.deepEqual(listed, examples, "the index should list the examples in number order, once each");
});

test("every file named in README's example index exists", () => {
  for (const cells of indexRows()) {
    const [num = "", file = "", , , run = ""] = cells;
    const link = /^\[([^\]]+)\]\((examples\/[^)]+)\)$/.exec(file);
    assert.ok(link, `row ${num}: the file cell should be a link like [NN-x.ts](examples/NN-x.ts), got: ${file}`);
    const [, text, path] = link;
    assert.ok(existsSync(path!), `row ${num}: ${path} does not exist`);
    assert.equal(`examples/${text}`, path, `row ${num}: link text and target differ`);
    assert.ok(path!.startsWith(`examples/${num}-`), `row ${num}: the number does not match ${path}`);
    assert.ok(run.includes(`npx tsx ${path}`), `row ${num}: the run cell should hold \`npx tsx ${path}\`, got: ${run}`);
  }
});
