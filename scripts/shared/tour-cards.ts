/**
 * The tour's words: its title cards in Chinese and English, and the
 * lines it prints between steps. Nothing here runs anything, so the
 * tests check every card without running the tour.
 *
 * A card shows both languages, the reader's first (`--lang`, else the
 * locale: LC_ALL, LC_MESSAGES or LANG starting with `zh`). The English
 * half comes from each example's header (`@title`, `@note` and the
 * prose under them); the Chinese half from `ZH` below, one entry per
 * example. A line never passes 80 columns, counting a Chinese
 * character as two, and nothing a reader needs is dim.
 */

import { readFileSync } from "node:fs";

export type Lang = "zh" | "en";

/** What the tour knows of an example, from its header. */
export interface Example {
  num: string;
  slug: string;
  file: string;
  title: string;
  note: string;
  run: string;
  /** The prose under the tags: what to watch for. */
  about: string;
}

/** Reads the `/** @title ... *\/` header of `examples/<file>`. */
export function readExample(file: string): Example {
  const src = readFileSync(`examples/${file}`, "utf8");
  const header = /^\/\*\*\n([\s\S]*?)\*\//.exec(src)?.[1] ?? "";
  const lines = header
    .split("\n")
    .map((l) => l.replace(/^\s*\* ?/, "").trimEnd());
  const tag = (name: string) =>
    lines
      .find((l) => l.startsWith(`@${name} `))
      ?.slice(name.length + 2)
      .trim() ?? "";
  // The prose under the tags, less a closing "Tested by ..." for developers.
  const about = lines
    .filter((l) => !l.startsWith("@"))
    .join(" ")
    .replace(/\s+/g, " ")
    .replace(/\s*Tested by .*$/, "")
    .trim();
  const slug = file.slice(0, -3);
  return {
    num: slug.slice(0, 2),
    slug,
    file: `examples/${file}`,
    title: tag("title") || slug,
    note: tag("note"),
    run: tag("run"),
    about,
  };
}

/** The reader's language: `--lang` if given, else the locale. */
export function tourLang(
  option: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Lang | undefined {
  if (option !== undefined)
    return option === "zh" || option === "en" ? option : undefined;
  const tag = env.LC_ALL || env.LC_MESSAGES || env.LANG || "";
  return /^zh/i.test(tag) ? "zh" : "en";
}

/** The Chinese half of an example's card. */
export interface ZhCard {
  title: string;
  /** The note's section, with what the example shows of it. */
  note: string;
  /** What to watch for. */
  watch: string;
}

/** The Chinese cards, by example (its file name without `.ts`). */
export const ZH: Record<string, ZhCard> = {
  "01-coroutines": {
    title: "协程：eat 和 play 共用一个线程",
    note: "一、协程（eat/play 计时小程序）",
    watch:
      "两个任务跑在同一个 JavaScript 线程上：eat 等 3 秒，play 等 1 秒。" +
      "留意各行的先后顺序，以及最后的总耗时：约 3.0 秒，而不是 3 + 1 = 4.0 秒。",
  },
  "02-yield": {
    title: "yield 能切换，却不懂 IO",
    note: "一、协程 3（yield 和 greenlet 自己不会在 IO 处切换）",
    watch:
      "用生成器把 eat/play 写两遍。第一遍，一个循环在每个 yield 处轮流切换，" +
      "但等待是阻塞调用：3 秒加 1 秒，约 4 秒。第二遍，生成器 yield 出一个" +
      "“睡眠请求”，由一个小调度器把它挂到计时器上：约 3 秒。留意每行前面的时间。",
  },
  "03-one-blocks-all": {
    title: "一个阻塞调用，冻住所有任务",
    note: "一、协程 1（缺点：一个任务阻塞，整个线程都停下）",
    watch:
      "心跳任务每 100 毫秒跳一次，同时另一个任务在埋头干活。第一遍，它先做一次" +
      "阻塞调用，再跑一段没有切换点的循环：这段时间里心跳完全停下（心跳那一行" +
      "出现一段空白）。第二遍，同样的活改用 await 来做：心跳照常。阻塞检测器" +
      "开着，线程被冻住时，stderr 会点名是哪个任务。",
  },
  "04-three-ways": {
    title: "实现并发的三种手段",
    note: "一、协程 2（实现并发的三种手段：单线程、多线程、多进程）",
    watch:
      "同样两件事，用三种方式各做一遍：一个线程上的任务（协程）、worker 线程、" +
      "子进程。先是同时等待很多次（IO 密集），再是几段纯计算（CPU 密集）。" +
      "看两张表：等待时协程最先做完，几乎不占内存；计算时协程毫无优势，" +
      "线程和进程也只在两个核都空闲时才能分摊工作、快得起来。启动五十个" +
      "进程要花时间，机器忙时这一步要跑半分钟以上。",
  },
  "05-switch-cost": {
    title: "切换一次的开销：程序内部与操作系统",
    note: "一、协程 1（优点：程序自己切换，开销远小于操作系统切换）",
    watch:
      "两方以最快的速度来回交出控制权，共五种方式：生成器、await、lib 的 " +
      "sleep(0)、两个操作系统线程、两个操作系统进程。看对数刻度上每次切换的" +
      "纳秒数：生成器走一步只要几十纳秒，await 是它的几倍；经过操作系统的切换" +
      "要几微秒到几十微秒，是 await 的几十到几百倍。比值打印在最后。",
  },
  "06-server": {
    title: "转大写的回显服务端：每条连接一个任务",
    note: "二、并发的套接字通信（服务端）",
    watch:
      "笔记里的 gevent 服务端：accept 循环为每个客户端 spawn 一个任务，" +
      "把收到的内容转成大写发回去，直到客户端断开；全部在一个线程上。" +
      "留意它打印的就绪行。按 Ctrl-C，或者收到 SIGTERM、SIGHUP 时，" +
      "它打印一行汇总。",
  },
  "07-client": {
    title: "500 个客户端同时连接，每个一个任务",
    note: "二、并发的套接字通信（客户端）",
    watch:
      "笔记里的客户端：500 条连接各自反复发送“自己的名字 say hello”并读取" +
      "回复；笔记里每条连接一个线程，这里每条连接一个任务。" +
      "看最后的汇总：没能连上、没收到回复（3 秒内，或者直到运行结束）、" +
      "连接中途断开或者收到错误回复的客户端都会被点名，退出码为 1。",
  },
  "08-server-pool-workers": {
    title: "回显服务端：连接池、多进程和汇总",
    note: "二、并发的套接字通信（服务端：连接池与多进程）",
    watch:
      "示例 06 的服务端，加上真正的服务端需要的东西：--max-conns N 最多同时" +
      "服务 N 个客户端（由任务组成的 Pool），超出的连接立刻关闭；" +
      "--workers N 让 N 个进程共用一个端口（每个核一个进程，进程里跑任务）；" +
      "--backlog 设置内核的连接队列。按 Ctrl-C，或者收到 SIGTERM、SIGHUP 时，" +
      "它打印一共服务了多少连接。",
  },
  "09-client-threads": {
    title: "500 个客户端：协程还是线程，测给你看",
    note: "二、并发的套接字通信（客户端：任务与线程对比）",
    watch:
      "示例 07 的客户端加上测量：一个线程上的 500 个任务；加 --threads 就是" +
      "笔记的写法，每条连接一个 worker 线程。运行时有一行实时状态；看最后的" +
      "汇总：全部连上之后每秒的回复数、延迟直方图，以及 500 个任务和 500 个" +
      "线程各占多少内存。没能连上、3 秒内（或者直到运行结束）没收到回复、" +
      "连接中途断开或者收到错误回复的客户端都会被点名，退出码为 1。",
  },
};

/**
 * Extra runs of a client (by file name without `.ts`), each with its
 * own card: the note's thread client, once, at a size that runs in
 * seconds.
 */
export const EXTRA_RUNS: Record<
  string,
  { args: string[]; en: string; zh: string }[]
> = {
  "09-client-threads": [
    {
      args: ["--threads", "--clients", "20"],
      en:
        "now the note's way: one OS thread per connection, 20 of them " +
        "(each thread starts its own JavaScript engine: watch the memory)",
      zh:
        "这回用笔记的写法：每条连接一个操作系统线程，共 20 个" +
        "（每个线程都要启动自己的 JavaScript 引擎：留意内存）",
    },
  ],
};

/** The lines the tour prints, in each language. */
export const SAY = {
  zh: {
    tour: (cards: number, runtime: string) =>
      `协程 xiecheng：演示导览（共 ${cards} 步，运行在 ${runtime} 上）`,
    keys: "按 Enter 运行下一步；Ctrl-C 随时停止，Ctrl-D 或 q 结束导览。",
    prompt: "按 Enter 运行（输入 q 再按 Enter 退出）",
    note: "笔记",
    watch: "看点",
    here: "这里",
    server: "服务端在后台运行，使用一个空闲端口；导览会等它打印就绪行",
    client: (s: number) => `连上前面启动的服务端，持续 ${s} 秒`,
    starting: (slug: string) => `在后台启动 ${slug}，供客户端使用……`,
    stopping: (slug: string) => `停止 ${slug}（SIGINT）……`,
    ended: (ran: number, cards: number) =>
      `导览结束：完成 ${cards} 步中的 ${ran} 步`,
    done: (ran: number, cards: number) =>
      `导览完成：${ran}/${cards} 步，全部通过`,
    failed: (n: number, which: string) => `导览完成：${n} 步失败（${which}）`,
  },
  en: {
    tour: (cards: number, runtime: string) =>
      `协程 xiecheng: the demo tour (${cards} step${cards === 1 ? "" : "s"}, on ${runtime})`,
    keys: "Enter runs the next step; Ctrl-C stops at any time, Ctrl-D or q ends.",
    prompt: "Press Enter to run it (q then Enter to quit)",
    note: "note",
    watch: "watch",
    here: "here",
    server:
      "the server runs in the background on a free port; the tour waits for its ready line",
    client: (s: number) =>
      `it connects to the server started above, for ${s} s`,
    starting: (slug: string) =>
      `starting ${slug} in the background for the client...`,
    stopping: (slug: string) => `stopping ${slug} (SIGINT)...`,
    ended: (ran: number, cards: number) =>
      `tour ended after ${ran} of ${cards} steps`,
    done: (ran: number, cards: number) =>
      `tour done: ${ran} of ${cards} steps, all passed`,
    failed: (n: number, which: string) => `tour done: ${n} failed (${which})`,
  },
} as const;

// ---------------------------------------------------------------- width
// East Asian wide and fullwidth characters take two columns.
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/** Columns a string takes on a terminal (ANSI escapes take none). */
export function cols(text: string): number {
  let n = 0;
  for (const ch of text.replace(ANSI, "")) n += WIDE.test(ch) ? 2 : 1;
  return n;
}

/** Punctuation that must not start a line. */
const NO_START = /^[，。、；：？！）」』》”’,.;:?!)\]]/;

/**
 * Splits text into pieces a line may break between: words with the
 * space before them, and single Chinese characters (a closing mark
 * stays with the character before it).
 */
function pieces(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(
    /\s*(?:[\u2e80-\u9fff\uf900-\ufaff\uff00-\uff60]|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uff60]+)/g,
  )) {
    const piece = m[0];
    if (
      out.length > 0 &&
      NO_START.test(piece.trimStart()) &&
      !/^\s/.test(piece)
    )
      out[out.length - 1] += piece;
    else out.push(piece);
  }
  return out;
}

/**
 * Wraps `text` to `width` columns: the first line starts with `first`,
 * the others with `indent`. Breaks at spaces and between Chinese
 * characters; a word longer than a line is cut.
 */
export function wrap(
  text: string,
  width: number,
  first = "",
  indent = "",
): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (let piece of pieces(text)) {
    if (empty) piece = piece.trimStart();
    if (!empty && cols(line) + cols(piece) > width) {
      lines.push(line.trimEnd());
      line = indent;
      piece = piece.trimStart();
      empty = true;
    }
    // A piece wider than a whole line: cut it.
    while (cols(line) + cols(piece) > width && piece.length > 1) {
      let cut = 1;
      while (cols(line) + cols(piece.slice(0, cut + 1)) <= width) cut++;
      lines.push(line + piece.slice(0, cut));
      line = indent;
      piece = piece.slice(cut);
    }
    line += piece;
    empty = false;
  }
  lines.push(line.trimEnd());
  return lines;
}

/**
 * Wraps a shell command to `width` columns, breaking between arguments
 * with a trailing ` \` as a shell would read it.
 */
export function wrapCommand(command: string, width: number): string[] {
  const words = command.split(" ");
  const lines: string[] = [];
  let line = "";
  for (const w of words) {
    if (line && cols(line) + 1 + cols(w) + 2 > width) {
      lines.push(`${line} \\`);
      line = `    ${w}`;
    } else line = line ? `${line} ${w}` : w;
  }
  lines.push(line);
  return lines;
}

// ---------------------------------------------------------------- cards
/** Styles the card may use (identity when there is no colour). */
export interface CardStyle {
  bold(s: string): string;
  title(s: string): string;
  label(s: string): string;
}
const plain: CardStyle = { bold: (s) => s, title: (s) => s, label: (s) => s };

/** One step's card: what the tour knows of the example, in both languages. */
export interface CardInput {
  no: number;
  total: number;
  slug: string;
  title: { en: string; zh: string };
  note: { en: string; zh: string };
  watch: { en: string; zh: string };
  extra?: { en: string; zh: string } | undefined;
  /** The command as a reader types it, with its arguments. */
  command: string;
}

/** The card of one run of `ex`, with the Chinese half from `ZH`. */
export function cardInput(
  ex: Example,
  no: number,
  total: number,
  command: string,
  extra?: { en: string; zh: string },
): CardInput {
  const zh = ZH[ex.slug];
  return {
    no,
    total,
    slug: ex.slug,
    title: { en: ex.title, zh: zh?.title ?? ex.title },
    note: { en: englishNote(ex.note), zh: zh?.note ?? ex.note },
    watch: { en: ex.about, zh: zh?.watch ?? ex.about },
    extra,
    command,
  };
}

/** The lines of a card, the reader's language first, each within `width` columns. */
export function renderCard(
  card: CardInput,
  lang: Lang,
  width = 80,
  style: CardStyle = plain,
): string[] {
  const order: Lang[] = lang === "zh" ? ["zh", "en"] : ["en", "zh"];
  const rule = "─".repeat(width);
  const head = `${card.no}/${card.total}  ${card.slug}`;
  const out = ["", rule, style.bold(head)];
  for (const l of order)
    out.push(...wrap(card.title[l], width, "", "").map(style.title));
  // The labels line up: "note " and "笔记 " are both five columns wide.
  const block = (label: string, text: string) =>
    wrap(text, width, `${label} `, "      ").map((line, i) =>
      i === 0 ? style.label(label) + line.slice(label.length) : line,
    );
  for (const l of order) out.push(...block(pad(SAY[l].note), card.note[l]));
  for (const l of order) out.push(...block(pad(SAY[l].watch), card.watch[l]));
  if (card.extra)
    for (const l of order) out.push(...block(pad(SAY[l].here), card.extra[l]));
  out.push(...wrapCommand(`$ ${card.command}`, width), rule);
  return out;
}

/** Pads a label to five columns ("note ", "笔记 "). */
const pad = (label: string) => label + " ".repeat(Math.max(0, 5 - cols(label)));

// ---------------------------------------------------------------- headers
// The note's headings and key phrases, for the English half of each
// card. A phrase that a header quotes and that is not here stays in
// Chinese.
const GLOSSARY: [string, string][] = [
  ["一、协程", "Part 1: Coroutines"],
  ["二、并发的套接字通信", "Part 2: Concurrent socket communication"],
  ["优点", "the advantage"],
  ["缺点", "the drawback"],
  ["实现并发的三种手段", "three ways to get concurrency"],
  ["单线程下的并发", "concurrency on one thread"],
  ["单线程实现并发", "concurrency on one thread"],
  ["并发=切换+保存状态", "concurrency = switching + saving state"],
  ["服务端", "the server"],
  ["客户端", "the client"],
];

/**
 * The English half of a `@note`: "一、协程 3 (yield ...)" → "Part 1:
 * Coroutines, point 3 (yield ...)". Quoted phrases are translated, or
 * dropped when the parenthesis already says them in English.
 */
export function englishNote(note: string): string {
  const cut = note.indexOf("(");
  const chinese = (cut < 0 ? note : note.slice(0, cut)).trim();
  let rest = cut < 0 ? "" : note.slice(cut).trim();
  const heading = GLOSSARY.find(([zh]) => chinese.startsWith(zh));
  // "一、协程 3": point 3 of part 1 (the note numbers its points 1、2、3、).
  const point = /^\S+\s+(\d+)\b/.exec(chinese)?.[1];
  const head = heading
    ? `${heading[1]}${point ? `, point ${point}` : ""}`
    : chinese;
  for (const [zh, en] of GLOSSARY) {
    if (!rest.includes(zh)) continue;
    rest = rest.toLowerCase().includes(en.toLowerCase())
      ? rest.replace(new RegExp(`${zh}\\s*[,:，：]?\\s*`), "")
      : rest.replace(zh, en);
  }
  return [head, rest].filter(Boolean).join(" ");
}
