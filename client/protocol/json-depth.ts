/**
 * How deep a JSON text nests, measured on the text itself: `[` and `{` open a level, `]` and `}`
 * close one, and brackets inside strings do not count. A value nested past VALUE_DEPTH_MAX is
 * refused (RECORD-7): every JavaScript reader can parse it, but `JSON.stringify` recurses and
 * throws past a few thousand levels (Node 20: between 2,000 and 5,000), so such a record would
 * break the clients that write it back out (a browser cache's page, a re-sent batch).
 *
 * Rules: PROTOCOL.md RECORD-7.
 *
 * @example
 * jsonDepthExceeds('{"a":[1,[2]]}', 2); // true: three levels
 */

const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACKET = 0x5d; // ]
const OPEN_BRACE = 0x7b; // {
const CLOSE_BRACE = 0x7d; // }
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/**
 * Whether the JSON text `json` (as `JSON.stringify` writes it) nests deeper than `depthMax` levels.
 * A text shorter than two characters per level cannot, so short values cost one comparison.
 *
 * @example
 * jsonDepthExceeds("[[[]]]", 3); // false
 * jsonDepthExceeds("[[[[]]]]", 3); // true
 */
export function jsonDepthExceeds(json: string, depthMax: number): boolean {
  if (json.length <= 2 * depthMax + 1) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      depth++;
      if (depth > depthMax) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}
