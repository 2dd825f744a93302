/**
 * The house rule "JSDoc with an `@example` on every export", checked on the source with the
 * TypeScript compiler's parser: every exported declaration of worker/, client/ and console/ (tests aside)
 * carries a JSDoc block of its own with an `@example` tag. Its own block is the last one right
 * above it, the one TypeScript shows for it; a module's header counts only for an export that
 * opens the file. Re-exports (`export ... from`, `export { name }`) are not declarations and are
 * not checked.
 *
 * @example
 * exportsWithoutExample("a.ts", "export const A = 1;"); // ["a.ts: A"]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ROOT, sourceFiles } from "./imports.ts";

/** The name of an exported statement, as the report shows it. */
function exportedName(statement: ts.Statement): string {
  if (ts.isVariableStatement(statement)) return statement.declarationList.declarations.map((d) => d.name.getText()).join(", ");
  const name = (statement as { name?: ts.Node }).name;
  return name === undefined ? "default" : name.getText();
}

/** Whether a statement carries the `export` keyword. */
function isExported(statement: ts.Statement): boolean {
  return ts.canHaveModifiers(statement) && (ts.getModifiers(statement) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

/** The exported statements of one file whose own JSDoc has no `@example`, as "file: name". */
function exportsWithoutExample(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const missing: string[] = [];
  for (const statement of source.statements) {
    if (!isExported(statement) || ts.isExportDeclaration(statement)) continue;
    const docs = ts.getJSDocCommentsAndTags(statement).filter(ts.isJSDoc);
    const hasExample = docs.some((doc) => (doc.tags ?? []).some((tag) => tag.tagName.text === "example"));
    if (!hasExample) missing.push(`${file}: ${exportedName(statement)}`);
  }
  return missing;
}

/** Every non-test TypeScript file of worker/, client/ and console/ (the admin console's script), relative to the root. */
function checkedFiles(): string[] {
  return [...sourceFiles("worker"), ...sourceFiles("client"), ...sourceFiles("console")].filter((file) => !file.endsWith(".test.ts"));
}

describe("JSDoc with an @example on every export", () => {
  it("finds an export without an example, and accepts one with its own", () => {
    const text = [
      "/**",
      " * A header, with an example of its own.",
      " *",
      " * @example",
      " * header();",
      " */",
      "",
      "/** Described, but no example. */",
      "export const A = 1;",
      "export function b(): void {}",
      "/**",
      " * Documented.",
      " *",
      " * @example",
      " * new C();",
      " */",
      "export class C {}",
      "// A line comment is not JSDoc. @example",
      "export type D = string;",
      "export { A as E };",
    ].join("\n");
    expect(exportsWithoutExample("x.ts", text)).toEqual(["x.ts: A", "x.ts: b", "x.ts: D"]);
  });

  it("checks the files of worker/, client/ and console/", () => {
    const files = checkedFiles();
    expect(files).toContain(join("console", "main.ts"));
    expect(files).toContain(join("client", "protocol", "limits.ts"));
    expect(files).toContain(join("worker", "partition", "log.ts"));
    expect(files.some((file) => file.endsWith(".test.ts"))).toBe(false);
  });

  it("every export of worker/ and client/ has a JSDoc @example of its own", () => {
    const missing = checkedFiles().flatMap((file) => exportsWithoutExample(file, readFileSync(join(ROOT, file), "utf8")));
    expect(missing).toEqual([]);
  });
});
