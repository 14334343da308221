/**
 * Terminal output for the measured examples: colour only on a
 * terminal (honouring NO_COLOR and FORCE_COLOR), aligned tables and
 * bar charts that stay plain ASCII when the output is not a terminal
 * (a file, a pipe, a CI log).
 */

/** Whether to colour what goes to `stream`: FORCE_COLOR wins, then NO_COLOR, then "is it a terminal". */
export function useColor(
  stream: { isTTY?: boolean } = process.stdout,
): boolean {
  const force = process.env.FORCE_COLOR;
  if (force !== undefined && force !== "" && force !== "0" && force !== "false")
    return true;
  if (process.env.NO_COLOR) return false;
  return stream.isTTY === true;
}

/** Whether `stream` is a terminal that can show block characters (else stay ASCII). */
export function fancy(stream: { isTTY?: boolean } = process.stdout): boolean {
  return stream.isTTY === true;
}

const codes = {
  bold: 1,
  dim: 2,
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
} as const;
/** A colour or style name for `paint`. */
export type Paint = keyof typeof codes;

/** Wraps `text` in an ANSI colour when `on`, else returns it as is. */
export function paint(text: string, style: Paint, on: boolean): string {
  return on ? `\x1b[${codes[style]}m${text}\x1b[0m` : text;
}

/** Visible width of a string (ANSI escapes do not count). */
export function width(text: string): number {
  return [...text.replace(/\x1b\[[0-9;]*m/g, "")].length;
}

/**
 * Lays out rows under a header, padded into columns. A column whose
 * header starts with a space is right-aligned (numbers).
 * @example
 * import { table } from "./examples/support/chart.ts";
 * console.log(table([["way", " ms"], ["a", "12"]]));
 * // →   way   ms
 * //     a     12
 */
export function table(rows: string[][], indent = "  "): string {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach(
      (cell, i) => (widths[i] = Math.max(widths[i] ?? 0, width(cell))),
    );
  const right = (rows[0] ?? []).map((h) => h.startsWith(" "));
  return rows
    .map(
      (row) =>
        indent +
        row
          .map((cell, i) => {
            const pad = " ".repeat((widths[i] ?? 0) - width(cell));
            return right[i]
              ? pad + cell
              : i === row.length - 1
                ? cell
                : cell + pad;
          })
          .join("  "),
    )
    .join("\n");
}

/**
 * A horizontal bar `cells` long at most, for `value` out of `max`;
 * `#` in plain output, a solid block on a terminal. With `log`, the
 * length is logarithmic between `min` and `max` (both > 0).
 */
export function bar(
  value: number,
  max: number,
  cells: number,
  options: { log?: boolean; min?: number; stream?: { isTTY?: boolean } } = {},
): string {
  const { log = false, min = 1, stream = process.stdout } = options;
  let share = log
    ? Math.log10(Math.max(value, min) / min) / Math.log10(max / min)
    : value / max;
  share = Math.min(1, Math.max(0, Number.isFinite(share) ? share : 0));
  const n = Math.max(value > 0 ? 1 : 0, Math.round(share * cells));
  return (fancy(stream) ? "█" : "#").repeat(n);
}

/** `12.3 ms`, `1.23 s`: a duration for people. */
export function ms(value: number): string {
  if (value >= 999.5) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 9.95) return `${Math.round(value)} ms`;
  return `${value.toFixed(1)} ms`;
}

/** `1.2 KB`, `34 MB`: a byte count for people (1 KB = 1000 bytes). */
export function bytes(value: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = value;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Math.abs(v) >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** An integer with thousands separators: `12,345`. */
export function int(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

/**
 * A few names, then how many more: `Task-1, Task-2, Task-3 and 7 more`;
 * fewer names where the text must fit in `room` columns.
 */
export function names(
  all: readonly string[],
  room = Infinity,
  shown = 3,
): string {
  const text = (n: number) =>
    all.length <= n
      ? all.join(", ")
      : `${all.slice(0, n).join(", ")} and ${int(all.length - n)} more`;
  let n = Math.min(shown, all.length);
  while (n > 1 && [...text(n)].length > room) n--;
  return text(n);
}
