// What the grammar snapshots and the snippets must cover, checked against the repository:
// every example and stdlib file has a snapshot, and every template of std.scenarios a snippet
// that names each of its parameters.
const fs = require("fs");
const path = require("path");
const assert = require("assert");

const root = path.join(__dirname, "..", "..");
const failures = [];

function check(condition, message) {
  if (!condition) failures.push(message);
}

const sources = [];
for (const folder of fs.readdirSync(path.join(root, "examples"))) {
  const dir = path.join(root, "examples", folder);
  if (!fs.statSync(dir).isDirectory()) continue;
  for (const file of fs.readdirSync(dir)) if (file.endsWith(".rel")) sources.push(["examples", path.join(dir, file)]);
}
for (const file of fs.readdirSync(path.join(root, "stdlib", "std"))) {
  if (file.endsWith(".rel")) sources.push(["stdlib", path.join(root, "stdlib", "std", file)]);
}
for (const [kind, source] of sources) {
  const link = path.join(__dirname, "snapshots", kind, path.basename(source));
  check(fs.existsSync(link) && fs.realpathSync(link) === fs.realpathSync(source), `${source} has no snapshot link at ${link}`);
  check(fs.existsSync(link + ".snap"), `${link}.snap is missing (run npm run update-snapshots)`);
}

const snippets = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "snippets", "rel.code-snippets"), "utf8"));
const templates = fs.readFileSync(path.join(root, "stdlib", "std", "scenarios.rel"), "utf8");
let count = 0;
for (const match of templates.matchAll(/^scenario (\w+)\(([^)]*)\)/gm)) {
  count++;
  const [, name, parameters] = match;
  const snippet = Object.values(snippets).find((s) => s.prefix === name);
  check(snippet !== undefined, `std.scenarios template ${name} has no snippet`);
  if (snippet === undefined) continue;
  for (const parameter of parameters.split(",").map((p) => p.split(":")[0].trim()).filter(Boolean)) {
    check(snippet.body.join("\n").includes(`${parameter}: `), `the ${name} snippet lacks its parameter ${parameter}`);
  }
}
check(count >= 11, `found only ${count} templates in std.scenarios`);
for (const name of ["program", "panel", "scenario"]) check(name in snippets, `no ${name} snippet`);

if (failures.length > 0) {
  console.error(failures.join("\n"));
  process.exit(1);
}
console.log(`coverage: ${sources.length} snapshot sources, ${count} template snippets`);
assert.ok(true);
