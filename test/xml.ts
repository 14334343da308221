// A small XML well-formedness check for the SVG pictures, and a reader of
// their elements: enough of XML 1.0 for what an SVG file may hold (a
// declaration, comments, elements, attributes, text, character and entity
// references), strict about the rest.

/** An element: its name, attributes (unescaped), children and text. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The text directly inside it, unescaped. */
  text: string;
}

const NAME = /^[A-Za-z_:][\w.:-]*/;
const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

/** Replaces entity and character references; throws on an unknown or broken one. */
function unescape(s: string, where: number): string {
  return s.replace(/&([^;\s&]*);?/g, (m, ref: string) => {
    if (!m.endsWith(";")) throw new Error(`a bare & at ${where}`);
    if (ref in ENTITIES) return ENTITIES[ref]!;
    const code = /^#x([0-9a-f]+)$/i.exec(ref)
      ? parseInt(ref.slice(2), 16)
      : /^#\d+$/.test(ref)
        ? parseInt(ref.slice(1), 10)
        : NaN;
    if (!Number.isFinite(code))
      throw new Error(`unknown entity &${ref}; at ${where}`);
    return String.fromCodePoint(code);
  });
}

/**
 * Parses `xml`, throwing an Error that says where it is not well-formed:
 * unclosed or mismatched tags, unquoted or repeated attributes, a bare
 * `&` or `<`, text or a second element outside the root.
 */
export function parseXml(xml: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const fail = (why: string): never => {
    throw new Error(`not well-formed at ${i}: ${why}`);
  };
  if (xml.startsWith("<?xml")) {
    const end = xml.indexOf("?>");
    if (end < 0) fail("unclosed declaration");
    i = end + 2;
  }
  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    const chunk = xml.slice(i, lt < 0 ? xml.length : lt);
    if (chunk.includes(">") && stack.length === 0) fail("stray >");
    const top = stack[stack.length - 1];
    if (top) top.text += unescape(chunk, i);
    else if (chunk.trim() !== "") fail("text outside the root element");
    if (lt < 0) break;
    i = lt;
    if (xml.startsWith("<!--", i)) {
      const end = xml.indexOf("-->", i + 4);
      if (end < 0) fail("unclosed comment");
      i = end + 3;
      continue;
    }
    if (xml.startsWith("</", i)) {
      const name = NAME.exec(xml.slice(i + 2))?.[0] ?? fail("bad end tag");
      const close = /^\s*>/.exec(xml.slice(i + 2 + name.length));
      if (!close) fail(`bad end tag </${name}`);
      const open = stack.pop();
      if (!open || open.name !== name)
        fail(`</${name}> closes <${open?.name ?? "nothing"}>`);
      i += 2 + name.length + close![0].length;
      continue;
    }
    const name = NAME.exec(xml.slice(i + 1))?.[0] ?? fail("a bare <");
    i += 1 + name.length;
    const element: XmlElement = { name, attrs: {}, children: [], text: "" };
    for (;;) {
      const space = /^\s*/.exec(xml.slice(i))![0];
      i += space.length;
      if (xml.startsWith("/>", i) || xml.startsWith(">", i)) break;
      if (!space) fail(`no space before an attribute of <${name}>`);
      const attr = /^([A-Za-z_:][\w.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(
        xml.slice(i),
      );
      if (!attr) fail(`bad attribute in <${name}>`);
      const [all, key, , dq, sq] = attr!;
      if (key! in element.attrs) fail(`repeated attribute ${key}`);
      element.attrs[key!] = unescape(dq ?? sq ?? "", i);
      i += all.length;
    }
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(element);
    else if (root) fail("a second root element");
    else root = element;
    if (xml.startsWith("/>", i)) i += 2;
    else {
      i += 1;
      stack.push(element);
    }
  }
  if (stack.length > 0)
    fail(`<${stack[stack.length - 1]!.name}> is not closed`);
  return root ?? fail("no root element");
}

/** Every element under `e` (itself included), depth first. */
export function allElements(e: XmlElement): XmlElement[] {
  return [e, ...e.children.flatMap(allElements)];
}

/** All the text under `e`, element by element. */
export function allText(e: XmlElement): string[] {
  return allElements(e)
    .map((x) => x.text.trim())
    .filter(Boolean);
}
