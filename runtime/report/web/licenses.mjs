// Collects the licences of the npm packages esbuild bundled into the report's script, from its
// metafile: the page and the Debian package carry them, as the BSD, ISC and MIT licences ask.
//   node licenses.mjs META.json OUT.txt
import { readFileSync, writeFileSync, readdirSync, existsSync } from "fs";
import { join } from "path";

const [metafile, out] = process.argv.slice(2);
const inputs = Object.keys(JSON.parse(readFileSync(metafile, "utf8")).inputs);
const packages = new Set();
for (const input of inputs) {
  const match = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (match) packages.add(match[1]);
}
const sections = [];
for (const name of [...packages].sort()) {
  const folder = join("node_modules", name);
  const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
  const file = readdirSync(folder).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  if (!file) throw new Error(`${name} has no licence file`);
  sections.push(`${name} ${manifest.version} (${manifest.license})\n\n${readFileSync(join(folder, file), "utf8").trim()}\n`);
}
if (!existsSync(metafile) || sections.length === 0) throw new Error("no bundled package found");
writeFileSync(out, "The HTML report's script bundles these npm packages, under these licences.\n\n" +
  sections.join("\n" + "=".repeat(72) + "\n\n"));
