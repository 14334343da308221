import { test } from "node:test";
import assert from "node:assert/strict";
import { matchOutput, updateExpected } from "./expect.ts";

test("plain lines must match exactly", () => {
  assert.equal(matchOutput("a\nb\n", "a\nb\n"), undefined);
  assert.match(
    matchOutput("a\nb\n", "a\nc\n") ?? "",
    /line 2: expected "b", got "c"/,
  );
  assert.match(matchOutput("a\n", "a\nb\n") ?? "", /line 2/);
});

test("{{lo..hi}} accepts a number in range only", () => {
  const tpl = "done in {{2.99..3.9}} s\n";
  assert.equal(matchOutput(tpl, "done in 3.004 s\n"), undefined);
  assert.notEqual(matchOutput(tpl, "done in 4.004 s\n"), undefined);
  assert.notEqual(matchOutput(tpl, "done in abc s\n"), undefined);
});

test("{{num}}, {{*}} and {{...}}", () => {
  assert.equal(matchOutput("x {{num}} y\n", "x 1,234.5 y\n"), undefined);
  assert.notEqual(matchOutput("x {{num}} y\n", "x - y\n"), undefined);
  assert.equal(matchOutput("a {{*}} z\n", "a anything at all z\n"), undefined);
  assert.equal(
    matchOutput("start\n{{...}}\nend\n", "start\n1\n2\nend\n"),
    undefined,
  );
  assert.equal(matchOutput("start\n{{...}}\nend\n", "start\nend\n"), undefined);
  assert.notEqual(
    matchOutput("start\n{{...}}\nend\n", "start\n1\n"),
    undefined,
  );
});

test("updateExpected keeps matching template lines and takes new ones", () => {
  assert.equal(
    updateExpected("t {{1..2}} s\nold\n", "t 1.5 s\nnew\n"),
    "t {{1..2}} s\nnew\n",
  );
  assert.equal(updateExpected("t {{1..2}} s\n", "t 9 s\n"), "t 9 s\n");
});
