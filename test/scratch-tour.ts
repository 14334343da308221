// A scratch project for tour tests: the real lib, scripts and apparatus
// beside tiny examples, so that a test sees the tour's own behaviour in
// seconds.
import {
  cpSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export /**
 * A scratch project beside the real one: the real lib, scripts and
 * apparatus, and tiny examples (name: code) with a header each.
 */
function scratchTour(examples: Record<string, string>): {
  dir: string;
  rm(): void;
} {
  const dir = mkdtempSync(path.join(tmpdir(), "tour-"));
  for (const d of ["lib", "scripts", "examples/support"])
    cpSync(d, path.join(dir, d), { recursive: true });
  symlinkSync(path.resolve("node_modules"), path.join(dir, "node_modules"));
  writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ type: "module" }),
  );
  for (const [name, body] of Object.entries(examples))
    writeFileSync(
      path.join(dir, "examples", `${name}.ts`),
      `/**\n * @title ${name}\n * @note 一、协程 (test)\n * @run npx tsx examples/${name}.ts\n * @output none\n *\n * A test step.\n */\n${body}\n`,
    );
  return { dir, rm: () => rmSync(dir, { recursive: true, force: true }) };
}
