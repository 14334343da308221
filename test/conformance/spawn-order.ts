// Tasks start in spawn order (FIFO), with their arguments.
import { joinAll, spawn } from "../../lib/index.ts";

function hello(name: string, n: number) {
  console.log("task", name, n);
}

const tasks = ["a", "b", "c"].map((name, i) => spawn(hello, name, i));
await joinAll(tasks);
console.log("all joined");
