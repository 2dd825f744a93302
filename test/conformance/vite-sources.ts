/// <reference types="vite/client" />
/**
 * What the workerd runner reads as text through Vite (vitest's transform), since workerd has no
 * file system: the case files, PROTOCOL.md, and the contract's and the worker's source (for the
 * rule ids their comments cite). Only test/worker/conformance.test.ts imports it; the Node CLI
 * reads the same files from disk.
 *
 * @example
 * import { CASE_FILES, PROTOCOL_TEXT } from "../conformance/vite-sources.ts";
 */
import protocolText from "../../client/protocol/PROTOCOL.md?raw";
import type { CaseFile } from "./types.ts";

/** PROTOCOL.md's text. */
export const PROTOCOL_TEXT: string = protocolText;

/** Every case file, by file name. */
export const CASE_FILES: Record<string, CaseFile> = Object.fromEntries(
  Object.entries(import.meta.glob<CaseFile>("./cases/*.json", { eager: true, import: "default" })).map(([path, file]) => [
    path.split("/").pop()!,
    file,
  ]),
);

/** The contract's and the worker's source files, by path. */
export const SOURCE_TEXTS: Record<string, string> = {
  ...import.meta.glob<string>("../../client/protocol/*.ts", { eager: true, query: "?raw", import: "default" }),
  ...import.meta.glob<string>("../../worker/**/*.ts", { eager: true, query: "?raw", import: "default" }),
};
