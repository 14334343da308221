// A task that kills itself (and awaits the kill): where does it end?
import { current, join, spawn } from "../../lib/index.ts";

const t = spawn(async () => {
  try {
    console.log("work kills itself");
    await current().kill();
    console.log("never printed");
  } finally {
    console.log("work: finally");
  }
});
await join(t);
console.log("killed:", t.killed);
