/**
 * A single-pass JSON scanner over a text, in place: it checks the grammar as strictly as
 * `JSON.parse` (RFC 8259: strings and their escapes, numbers, literals, whitespace, nesting) and
 * says, for each value it scans, whether the producer's text is already what `JSON.stringify`
 * writes of it (its canonical form, up to the order of object members), so that text can be
 * stored as it came. It never builds a value, recurses or allocates per token: nesting is an
 * explicit depth with its kinds in a fixed array, member names are compared in place.
 *
 * A scan that meets anything it does not take (a grammar error, a number that parses as
 * Infinity, a nesting past its limit) stops and says so; the caller then takes the full parse,
 * which answers with the error today's rules give (PROTOCOL.md RECORD-8).
 * Rules: PROTOCOL.md JSON-1, RECORD-5, RECORD-6, RECORD-7, RECORD-8.
 *
 * @example
 * const scan = new JsonScan('{"a":[1,"é"]}');
 * scan.value(VALUE_DEPTH_MAX); // true; scan.pos === 13, scan.canonical === true, scan.extraBytes === 1
 */
import { RECORD_HEADERS_MAX, VALUE_DEPTH_MAX } from "./limits.ts";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const MINUS = 0x2d;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/**
 * Members of one object whose names a scan compares for duplicates (a duplicate makes the text
 * non-canonical: JSON.parse keeps the last one and JSON.stringify writes one). An object with
 * more is not compared and counts as non-canonical (its value is then re-serialised; headers with
 * more are left to the full parse, so this is RECORD_HEADERS_MAX by construction).
 */
const SCAN_OBJECT_MEMBERS_MAX = RECORD_HEADERS_MAX;

/** Member names kept at once across every open object of one value (start and end of each). */
const SCAN_NAMES_MAX = 1_024;

/** Largest integer part a number without exponent may have and still be finite for sure (10^308 < MAX_VALUE). */
const FINITE_DIGITS_MAX = 308;

/** Significant digits a decimal keeps exactly through a double (DBL_DIG). */
const EXACT_DIGITS_MAX = 15;

// One set for every scan: value() never yields nor re-enters, so no two scans use them at once.
const KINDS = new Uint8Array(VALUE_DEPTH_MAX + 2);
const NAMES_BASE = new Int32Array(VALUE_DEPTH_MAX + 2);
const NAMES = new Int32Array(2 * SCAN_NAMES_MAX);

/**
 * The scanner: `pos` moves through `text`; each scan answers whether the text there is JSON.
 *
 * @example
 * const scan = new JsonScan('"a\\u0041"');
 * scan.string(); // true: scan.escaped === true, scan.canonical === false (stringify writes "aA")
 */
export class JsonScan {
  readonly text: string;
  /** Where the scan is: after the last token scanned. */
  pos = 0;
  /** False once a scanned token is not in the form JSON.stringify writes (reset by the caller). */
  canonical = true;
  /** UTF-8 bytes past one per UTF-16 unit, in the strings scanned since the caller reset it. */
  extraBytes = 0;
  /** Whether the last string scanned held an escape (so its decoded text is not a plain slice). */
  escaped = false;
  /** Kind of each open container of a value: 1 an object, 0 an array (shared: a scan runs to its end synchronously). */
  private readonly kinds = KINDS;
  /** Where the member names of each open object start in `names`. */
  private readonly namesBase = NAMES_BASE;
  /** Start and end (quotes included) of the member names of the open objects. */
  private readonly names = NAMES;
  private namesCount = 0;

  /**
   * A scanner positioned at the start of `text`; nothing is read until a method asks.
   *
   * @example
   * const scan = new JsonScan('{"value":1}');
   */
  constructor(text: string) {
    this.text = text;
  }

  /** The code unit at `pos`, or -1 at the end. */
  peek(): number {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : -1;
  }

  /** Skips JSON whitespace (space, tab, line feed, carriage return); answers whether there was any. */
  space(): boolean {
    const { text } = this;
    const start = this.pos;
    let i = start;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    }
    this.pos = i;
    return i !== start;
  }

  /** Takes the unit `c` at `pos` (after whitespace); answers whether it was there. */
  take(c: number): boolean {
    this.space();
    if (this.peek() !== c) return false;
    this.pos++;
    return true;
  }

  /**
   * Scans a string at `pos` (its opening quote). Sets `escaped`; clears `canonical` for an escape
   * JSON.stringify would not write (`\/`, `\u0041`, upper-case hex) or a lone surrogate.
   */
  string(): boolean {
    const { text } = this;
    if (this.peek() !== QUOTE) return false;
    this.escaped = false;
    for (let i = this.pos + 1; i < text.length; ) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        this.pos = i + 1;
        return true;
      }
      if (c < 0x80) {
        if (c === BACKSLASH) {
          const length = this.escape(i);
          if (length === 0) return false;
          i += length;
        } else if (c < 0x20) return false;
        else i++;
      } else i += this.wide(c, i);
    }
    return false;
  }

  /** Counts a unit past ASCII at `i`; answers how many units it took (2 for a surrogate pair). */
  private wide(c: number, i: number): number {
    if (c < 0x800) {
      this.extraBytes += 1;
      return 1;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < this.text.length ? this.text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        this.extraBytes += 2; // 4 bytes for 2 units
        return 2;
      }
      this.canonical = false; // a lone surrogate: stringify writes it as \uXXXX
    }
    this.extraBytes += 2;
    return 1;
  }

  /** The length of the escape at `i` (its backslash), or 0 when it is not one JSON takes. */
  private escape(i: number): number {
    const { text } = this;
    this.escaped = true;
    const e = i + 1 < text.length ? text.charCodeAt(i + 1) : -1;
    // " \ b f n r t: as stringify writes them; / is valid but stringify writes it bare.
    if (e === QUOTE || e === BACKSLASH || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) return 2;
    if (e === 0x2f) {
      this.canonical = false;
      return 2;
    }
    if (e !== 0x75 || i + 6 > text.length) return 0;
    let unit = 0;
    let lower = true;
    for (let k = i + 2; k < i + 6; k++) {
      const h = text.charCodeAt(k);
      const digit = hexDigit(h);
      if (digit < 0) return 0;
      if (h >= 0x41 && h <= 0x46) lower = false;
      unit = unit * 16 + digit;
    }
    // stringify writes \u00XX (lower-case) only for controls with no short form.
    const short = unit === 0x08 || unit === 0x09 || unit === 0x0a || unit === 0x0c || unit === 0x0d;
    if (!lower || unit >= 0x20 || short) this.canonical = false;
    return 6;
  }

  /**
   * Scans a number at `pos`. Answers false for a grammar error or one that parses as Infinity
   * (RECORD-6); clears `canonical` unless the text is what ECMAScript writes for its value.
   */
  number(): boolean {
    const { text } = this;
    const start = this.pos;
    let i = start;
    if (text.charCodeAt(i) === MINUS) i++;
    const intStart = i;
    if (text.charCodeAt(i) === DIGIT_0) i++;
    else if (isDigit(text.charCodeAt(i))) i = digitsEnd(text, i);
    else return false;
    const intDigits = i - intStart;
    let fracStart = -1;
    if (text.charCodeAt(i) === DOT) {
      fracStart = i + 1;
      i = digitsEnd(text, fracStart);
      if (i === fracStart) return false;
    }
    const fracEnd = i;
    let exponent = false;
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      exponent = true;
      i++;
      const sign = text.charCodeAt(i);
      if (sign === 0x2b || sign === MINUS) i++;
      const digits = i;
      i = digitsEnd(text, i);
      if (i === digits) return false;
    }
    this.pos = i;
    if (!exponent && intDigits <= FINITE_DIGITS_MAX) {
      const verdict = plainCanonical(text, start, intStart, intDigits, fracStart, fracEnd);
      if (verdict !== null) {
        if (!verdict) this.canonical = false;
        return true;
      }
    }
    const token = text.slice(start, i);
    const value = Number(token);
    if (!Number.isFinite(value)) return false;
    if (String(value) !== token) this.canonical = false;
    return true;
  }

  /** Scans `true`, `false` or `null` at `pos`. */
  private literal(): boolean {
    const { text, pos } = this;
    const c = text.charCodeAt(pos);
    const word = c === 0x74 ? "true" : c === 0x66 ? "false" : c === 0x6e ? "null" : "";
    if (word === "" || !text.startsWith(word, pos)) return false;
    this.pos = pos + word.length;
    return true;
  }

  /** Scans one scalar (string, number, literal) at `pos`. */
  private scalar(): boolean {
    const c = this.peek();
    if (c === QUOTE) return this.string();
    if (c === MINUS || isDigit(c)) return this.number();
    return this.literal();
  }

  /**
   * Scans a member name of the object open at `depth`, then its colon; clears `canonical` when
   * the object already had it (or has too many members to compare).
   */
  private memberName(depth: number): boolean {
    if (this.space()) this.canonical = false;
    const start = this.pos;
    if (!this.string()) return false;
    if (this.canonical) this.rememberName(depth, start, this.pos);
    if (this.space()) this.canonical = false;
    if (this.peek() !== COLON) return false;
    this.pos++;
    if (this.space()) this.canonical = false;
    return true;
  }

  /** Compares a name with the open object's earlier ones and keeps it. */
  private rememberName(depth: number, start: number, end: number): void {
    const base = this.namesBase[depth]!;
    const count = this.namesCount;
    if (count - base >= SCAN_OBJECT_MEMBERS_MAX || count >= SCAN_NAMES_MAX) {
      this.canonical = false;
      return;
    }
    const { names, text } = this;
    const length = end - start;
    for (let k = base; k < count; k++) {
      const other = names[2 * k]!;
      if (names[2 * k + 1]! - other === length && sameText(text, other, start, length)) {
        this.canonical = false;
        return;
      }
    }
    names[2 * count] = start;
    names[2 * count + 1] = end;
    this.namesCount = count + 1;
  }

  /** Opens a container at `pos` (its bracket) one level down; false past `depthMax`. */
  private open(depth: number, depthMax: number, object: boolean): boolean {
    if (depth > depthMax) return false;
    this.kinds[depth] = object ? 1 : 0;
    this.namesBase[depth] = this.namesCount;
    this.pos++;
    return true;
  }

  /**
   * Scans one value at `pos` (no whitespace before it), nested at most `depthMax` levels of
   * arrays and objects (RECORD-7). Whitespace inside it clears `canonical`.
   */
  value(depthMax: number): boolean {
    const max = Math.min(depthMax, VALUE_DEPTH_MAX);
    this.namesCount = 0;
    let depth = 0;
    for (;;) {
      // A value is expected at pos.
      const c = this.peek();
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth++;
        if (!this.open(depth, max, c === OPEN_BRACE)) return false;
        if (this.space()) this.canonical = false;
        const close = this.peek();
        if (close === (c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET)) {
          this.pos++;
          depth = this.close(depth);
        } else {
          if (c === OPEN_BRACE && !this.memberName(depth)) return false;
          continue;
        }
      } else if (!this.scalar()) return false;
      // After a value: close containers until one goes on with a comma.
      const next = this.after(depth);
      if (next < 0) return false;
      if (next === 0) return true;
      depth = next;
    }
  }

  /** Leaves the container at `depth`; answers the depth it returns to. */
  private close(depth: number): number {
    if (this.kinds[depth] === 1) this.namesCount = this.namesBase[depth]!;
    return depth - 1;
  }

  /**
   * After a value at `depth`: closes containers until a comma (then the next member's name is
   * scanned) and answers the depth where the next value goes, 0 when the value is whole, -1 for
   * a grammar error.
   */
  private after(depth: number): number {
    let d = depth;
    while (d > 0) {
      if (this.space()) this.canonical = false;
      const c = this.peek();
      const object = this.kinds[d] === 1;
      if (c === COMMA) {
        this.pos++;
        if (object) {
          if (!this.memberName(d)) return -1;
        } else if (this.space()) this.canonical = false;
        return d;
      }
      if (c !== (object ? CLOSE_BRACE : CLOSE_BRACKET)) return -1;
      this.pos++;
      d = this.close(d);
    }
    return 0;
  }
}

/** The value of a hex digit, or -1. */
function hexDigit(h: number): number {
  if (h >= DIGIT_0 && h <= DIGIT_9) return h - DIGIT_0;
  if (h >= 0x61 && h <= 0x66) return h - 0x61 + 10;
  if (h >= 0x41 && h <= 0x46) return h - 0x41 + 10;
  return -1;
}

function isDigit(c: number): boolean {
  return c >= DIGIT_0 && c <= DIGIT_9;
}

/** Where a run of digits starting at `i` ends. */
function digitsEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && isDigit(text.charCodeAt(i))) i++;
  return i;
}

/** Whether `length` units of `text` at `a` and at `b` are the same. */
function sameText(text: string, a: number, b: number, length: number): boolean {
  for (let k = 0; k < length; k++) if (text.charCodeAt(a + k) !== text.charCodeAt(b + k)) return false;
  return true;
}

/**
 * Whether a number with no exponent and a finite integer part is written as ECMAScript's
 * Number::toString writes its value, decided from its digits alone; null when that takes the
 * value (more than 15 significant digits, or below 1e-6, where toString may round or use an
 * exponent).
 */
function plainCanonical(
  text: string,
  start: number,
  intStart: number,
  intDigits: number,
  fracStart: number,
  fracEnd: number,
): boolean | null {
  const negative = intStart > start;
  const zeroInt = text.charCodeAt(intStart) === DIGIT_0;
  if (fracStart < 0) {
    if (zeroInt) return !negative; // "-0" is written "0"
    return intDigits <= EXACT_DIGITS_MAX ? true : null;
  }
  if (text.charCodeAt(fracEnd - 1) === DIGIT_0) return false; // a trailing zero ("1.50", "2.0", "-0.0")
  if (!zeroInt) return intDigits + (fracEnd - fracStart) <= EXACT_DIGITS_MAX ? true : null;
  let zeros = 0;
  while (text.charCodeAt(fracStart + zeros) === DIGIT_0) zeros++;
  // 0.000001 is written so; 0.0000001 is "1e-7".
  return zeros <= 5 && fracEnd - fracStart - zeros <= EXACT_DIGITS_MAX ? true : null;
}
