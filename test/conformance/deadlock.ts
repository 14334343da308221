// Two tasks join each other and main joins one: nothing can ever run again.
import { join, spawn } from "../../lib/index.ts";
import type { Task } from "../../lib/index.ts";

let b: Task | undefined;
const a = spawn(() => join(b!));
b = spawn(() => join(a));
await join(a);
console.log("never printed");
