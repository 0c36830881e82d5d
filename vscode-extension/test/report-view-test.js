// The simulation report's webview page: relc's HTML report with a policy that runs its inline
// scripts and fetches nothing. Bundles src/report_view.ts with esbuild and checks it on a page.
const assert = require("assert");
const esbuild = require("esbuild");
const path = require("path");

const bundled = esbuild.buildSync({
  entryPoints: [path.join(__dirname, "..", "src", "report_view.ts")],
  bundle: true,
  platform: "node",
  format: "cjs",
  write: false,
});
const module_ = { exports: {} };
new Function("module", "exports", bundled.outputFiles[0].text)(module_, module_.exports);
const { reportWebviewHtml, reportPolicy } = module_.exports;

const page = '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>r</title>\n</head>\n<body><script>draw()</script></body></html>\n';
const html = reportWebviewHtml(page);
assert.ok(html.includes(`<head>\n<meta http-equiv="Content-Security-Policy" content="${reportPolicy}">`), html);
assert.ok(html.includes("<script>draw()</script>"), "the page's scripts stay");
assert.ok(reportPolicy.includes("default-src 'none'"), "nothing is fetched");
assert.ok(reportPolicy.includes("script-src 'unsafe-inline'"), "inline scripts run");
assert.throws(() => reportWebviewHtml("not html"));
console.log("report view: ok");
