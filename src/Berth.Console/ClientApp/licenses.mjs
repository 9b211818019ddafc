// Writes the licence notices of every package bundled into editor.js next to it (esbuild's metafile names them).
import { readFileSync, writeFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const meta = JSON.parse(readFileSync("meta.json", "utf8"));
const packages = new Set();
for (const input of Object.keys(meta.inputs)) {
  const match = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (match) {
    packages.add(match[1]);
  }
}

const notices = [...packages].sort().map((name) => {
  const folder = join("node_modules", name);
  const { version, license } = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
  const file = readdirSync(folder).find((f) => /^licen[cs]e/i.test(f));
  const text = file ? readFileSync(join(folder, file), "utf8").trim() : `(${license}; no licence file in the package)`;
  return `${name} ${version} (${license})\n\n${text}\n`;
});
writeFileSync("../wwwroot/js/editor.js.LICENSES.txt", `Packages bundled into editor.js:\n\n${notices.join("\n----------------------------------------\n\n")}`);
