// highlight.js core with a handful of common languages registered: the full build would triple the bundle.
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import c from "highlight.js/lib/languages/c";
import cpp from "highlight.js/lib/languages/cpp";
import csharp from "highlight.js/lib/languages/csharp";
import go from "highlight.js/lib/languages/go";
import java from "highlight.js/lib/languages/java";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import python from "highlight.js/lib/languages/python";
import rust from "highlight.js/lib/languages/rust";
import typescript from "highlight.js/lib/languages/typescript";
import type { Highlighter } from "../markdown";

hljs.registerLanguage("bash", bash);
hljs.registerLanguage("c", c);
hljs.registerLanguage("cpp", cpp);
hljs.registerLanguage("csharp", csharp);
hljs.registerLanguage("go", go);
hljs.registerLanguage("java", java);
hljs.registerLanguage("javascript", javascript);
hljs.registerLanguage("json", json);
hljs.registerLanguage("python", python);
hljs.registerLanguage("rust", rust);
hljs.registerLanguage("typescript", typescript);
// VS Code language ids and common fence names that highlight.js spells differently.
hljs.registerAliases(["shell", "shellscript", "console", "terminal"], { languageName: "bash" });
hljs.registerAliases(["typescriptreact"], { languageName: "typescript" });
hljs.registerAliases(["javascriptreact", "node"], { languageName: "javascript" });
hljs.registerAliases(["py3", "python3"], { languageName: "python" });
hljs.registerAliases(["jsonc", "json5"], { languageName: "json" });
hljs.configure({ classPrefix: "hljs-" });

/** highlight.js output is HTML-escaped; unknown languages are left to markdown-it's own escaping. */
export const highlight: Highlighter = (code, language) => {
  const name = language.toLowerCase();
  if (!hljs.getLanguage(name)) return undefined;
  return hljs.highlight(code, { language: name, ignoreIllegals: true }).value;
};

/** A human label for a fence's language ("ts" → "TypeScript"), or the fence's own word when unknown. */
export function languageLabel(language: string): string {
  return hljs.getLanguage(language.toLowerCase())?.name ?? language;
}
