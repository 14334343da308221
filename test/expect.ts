import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

/**
 * Expected-output matching for the examples test.
 *
 * An `.out` file is the example's stdout, line by line, where a line
 * may hold placeholders for what changes from run to run:
 *   {{2.9..3.5}}  a number in that range (inclusive)
 *   {{num}}       any number
 *   {{*}}         any text (within the line)
 *   {{...}}       alone on a line: any number of lines (even none)
 */

/** Turns one expected line into a matcher. */
function lineMatcher(expected: string): (actual: string) => boolean {
  const ranges: [number, number][] = [];
  let pattern = "";
  let last = 0;
  for (const m of expected.matchAll(/\{\{(.*?)\}\}/g)) {
    pattern += escape(expected.slice(last, m.index));
    const body = m[1] ?? "";
    const range = /^(-?[\d.]+)\.\.(-?[\d.]+)$/.exec(body);
    if (body === "*") pattern += "(?:.*?)";
    else if (body === "num") pattern += "(?:-?[\\d,]*\\.?\\d+(?:e[+-]?\\d+)?)";
    else if (range) {
      ranges.push([Number(range[1]), Number(range[2])]);
      pattern += "(-?[\\d,]*\\.?\\d+)";
    } else
      throw new Error(
        `unknown placeholder {{${body}}} in expected line: ${expected}`,
      );
    last = (m.index ?? 0) + m[0].length;
  }
  pattern += escape(expected.slice(last));
  const re = new RegExp(`^${pattern}$`);
  return (actual) => {
    const m = re.exec(actual);
    if (!m) return false;
    return ranges.every(([lo, hi], i) => {
      const n = Number((m[i + 1] ?? "").replaceAll(",", ""));
      return n >= lo && n <= hi;
    });
  };
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Matches `actual` output against the `expected` template.
 * Returns undefined on success, or a message naming the first line that differs.
 */
export function matchOutput(
  expected: string,
  actual: string,
): string | undefined {
  const want = expected.replace(/\n$/, "").split("\n");
  const got = actual.replace(/\n$/, "").split("\n");
  const go = (i: number, j: number): boolean => {
    if (i === want.length) return j === got.length;
    if (want[i] === "{{...}}") {
      for (let k = j; k <= got.length; k++) if (go(i + 1, k)) return true;
      return false;
    }
    return (
      j < got.length &&
      lineMatcher(want[i] ?? "")(got[j] ?? "") &&
      go(i + 1, j + 1)
    );
  };
  if (go(0, 0)) return undefined;
  // Find the first plain mismatch for the message.
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    const w = want[i];
    if (w === "{{...}}") break;
    if (
      w === undefined ||
      got[i] === undefined ||
      !lineMatcher(w)(got[i] ?? "")
    ) {
      return `line ${i + 1}: expected ${JSON.stringify(w ?? "<end of output>")}, got ${JSON.stringify(got[i] ?? "<end of output>")}`;
    }
  }
  return "output does not match the expected lines";
}

/**
 * The new content of an `.out` file for UPDATE=1: the actual output,
 * keeping each old template line (with its placeholders) that still
 * matches the line at the same position.
 */
export function updateExpected(expected: string, actual: string): string {
  const want = expected.replace(/\n$/, "").split("\n");
  const got = actual.replace(/\n$/, "").split("\n");
  return `${got.map((line, i) => (want[i] !== undefined && want[i] !== "{{...}}" && lineMatcher(want[i] ?? "")(line) ? want[i] : line)).join("\n")}\n`;
}

/**
 * Asserts that `stdout` matches `examples/<slug>.out`; with UPDATE=1 set,
 * first rewrites that file from `stdout` (see updateExpected).
 */
export function assertExpectedOutput(slug: string, stdout: string): void {
  const outPath = `examples/${slug}.out`;
  if (process.env.UPDATE) {
    writeFileSync(
      outPath,
      updateExpected(
        existsSync(outPath) ? readFileSync(outPath, "utf8") : "",
        stdout,
      ),
    );
  }
  assert.ok(
    existsSync(outPath),
    `missing ${outPath}: run UPDATE=1 npm test to create it`,
  );
  const problem = matchOutput(readFileSync(outPath, "utf8"), stdout);
  assert.equal(
    problem,
    undefined,
    `${problem}\n--- actual output ---\n${stdout}`,
  );
}
