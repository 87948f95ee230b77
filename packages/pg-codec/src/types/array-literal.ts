// PostgreSQL's text form of arrays ('{1,2}', '{{"a b",NULL},{c,d}}', '[0:1]={x,y}'): a formatter for
// parameters sent as text and a parser for arrays of text-format element types (enums, user types).
// Element values stay strings here; the caller converts them.

import { ProtocolError } from "../errors.js";

/** Formats nested JS arrays as an array literal; `element` gives each non-null leaf's text. */
export function formatArrayLiteral(value: readonly unknown[], element: (v: unknown) => string): string {
  let out = "{";
  for (let i = 0; i < value.length; i++) {
    if (i > 0) out += ",";
    const v = value[i];
    if (v === null || v === undefined) out += "NULL";
    else if (Array.isArray(v)) out += formatArrayLiteral(v, element);
    else out += `"${element(v).replace(/[\\"]/g, "\\$&")}"`;
  }
  return `${out}}`;
}

export type ArrayLiteral = Array<string | null | ArrayLiteral>;

/** Parses an array literal into nested arrays of strings/nulls. Dimension decorations are ignored. */
export function parseArrayLiteral(text: string): ArrayLiteral {
  let i = 0;
  if (text[0] === "[") {
    i = text.indexOf("=") + 1;
    if (i === 0) throw new ProtocolError(`malformed array literal '${text}'`);
  }
  const fail = (): never => {
    throw new ProtocolError(`malformed array literal '${text}'`);
  };
  const parseLevel = (): ArrayLiteral => {
    if (text[i] !== "{") fail();
    i++;
    const out: ArrayLiteral = [];
    if (text[i] === "}") {
      i++;
      return out;
    }
    for (;;) {
      if (text[i] === "{") out.push(parseLevel());
      else if (text[i] === '"') {
        let s = "";
        i++;
        while (i < text.length && text[i] !== '"') {
          if (text[i] === "\\") i++;
          s += text[i];
          i++;
        }
        if (i >= text.length) fail();
        i++;
        out.push(s);
      } else {
        const start = i;
        while (i < text.length && text[i] !== "," && text[i] !== "}") i++;
        const s = text.slice(start, i).trim();
        out.push(s.toUpperCase() === "NULL" ? null : s);
      }
      if (text[i] === ",") i++;
      else if (text[i] === "}") {
        i++;
        return out;
      } else fail();
    }
  };
  return parseLevel();
}
