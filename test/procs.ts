// The machine's processes, read from /proc (Linux), for the tests that
// check that nothing is left running.
import { readFileSync, readdirSync } from "node:fs";

/** A live process: its pid, parent, process group and command line. */
export type Proc = { pid: number; ppid: number; pgrp: number; cmd: string };

/**
 * Every live process. Zombies are left out: a killed orphan stays one
 * where nothing reaps it (as PID 1 in some containers).
 */
export function processes(): Proc[] {
  const out: Proc[] = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    let stat: string;
    let cmd = "";
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces, so cut at the last ")".
    const [state, ppid, pgrp] = stat
      .slice(stat.lastIndexOf(")") + 2)
      .split(" ");
    if (state !== "Z")
      out.push({
        pid: Number(pid),
        ppid: Number(ppid),
        pgrp: Number(pgrp),
        cmd: cmd.trim(),
      });
  }
  return out;
}

/** The live processes under `pid`, children of children included. */
export function descendants(pid: number, all = processes()): Proc[] {
  const mine = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all)
      if (mine.has(p.ppid) && !mine.has(p.pid)) {
        mine.add(p.pid);
        grew = true;
      }
  }
  return all.filter((p) => p.pid !== pid && mine.has(p.pid));
}
