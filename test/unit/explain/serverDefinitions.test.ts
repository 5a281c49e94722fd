// Finding the definitions an explanation refers to (server domain), across languages, without a language server.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { declaredName, referencedIdentifiers, topLevelDeclarations } from "../../../src/server/explain/definitions";

describe("explain definitions", () => {
  test("declared names across languages", () => {
    const cases: Array<[string, string | undefined]> = [
      ["export async function loadModel(path: string) {", "loadModel"],
      ["export default class Cache<K, V> {", "Cache"],
      ["export const add = (a, b) => a + b;", "add"],
      ["interface Point { x: number }", "Point"],
      ["export type Handler = (event: Event) => void;", "Handler"],
      ["enum Color { Red }", "Color"],
      ["def parse_line(text):", "parse_line"],
      ["async def fetch(url):", "fetch"],
      ["class Tokenizer(Base):", "Tokenizer"],
      ["MAX_SIZE = 1024", "MAX_SIZE"],
      ["handler: Handler = default_handler", "handler"],
      ["pub(crate) struct Window {", "Window"],
      ["pub fn new() -> Self {", "new"],
      ["fn main() {", "main"],
      ["func (s *Server) Handle(w http.ResponseWriter) {", "Handle"],
      ["type Config struct {", "Config"],
      ["#define BUFFER_SIZE 4096", "BUFFER_SIZE"],
      ["static int parse_args(int argc, char **argv) {", "parse_args"],
      ["public static final class Builder {", "Builder"],
      ["data class User(val name: String)", "User"],
      // Not declarations:
      ["  return a + b;", undefined],
      ["if (ready) {", undefined],
      ["if __name__ == \"__main__\":", undefined],
      ["main()", undefined],
      ["import { mul } from \"./math\";", undefined],
      ["int parse_args(int argc, char **argv);", undefined],
      ["x == 3", undefined],
      ["}", undefined],
      ["", undefined],
    ];
    for (const [line, name] of cases) assert.equal(declaredName(line), name, line);
  });

  test("blocks: braces, indentation (Python), single lines, leading comments and decorators", () => {
    const lines = [
      "// The answer.",            // 0
      "export const ANSWER = 42;", // 1
      "",                          // 2
      "/**",                       // 3
      " * Adds.",                  // 4
      " */",                       // 5
      "function add(a, b) {",      // 6
      "  return a + b;",           // 7
      "}",                         // 8
      "@dataclass",                // 9
      "class Point:",              // 10
      "    x: int",                // 11
      "",                          // 12
      "    y: int",                // 13
      "",                          // 14
      "print(Point(1, 2))",        // 15
    ];
    assert.deepEqual(topLevelDeclarations(lines), [
      { name: "ANSWER", startLine: 0, endLine: 1 },
      { name: "add", startLine: 3, endLine: 8 },
      { name: "Point", startLine: 9, endLine: 13 },
    ]);
  });

  test("referenced identifiers: distinct, in order, without keywords or one-letter names", () => {
    assert.deepEqual(
      referencedIdentifiers("export function scale(values) {\n  return values.map((v) => mul(v, FACTOR));\n}"),
      ["scale", "values", "map", "mul", "FACTOR"],
    );
  });
});
