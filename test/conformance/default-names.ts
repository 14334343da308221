// Default names: the lib counts Task-1, 2, ...; outside any task it is MainTask.
import { current, joinAll, spawn } from "../../lib/index.ts";

const me = () => console.log("I am", current().name);
await joinAll([spawn(me), spawn(me)]);
console.log("main is", current().name);
