// The .rel language in VS Code. Everything that knows the language is relc itself: the
// language client starts `relc lsp` (diagnostics, hover, completion, navigation, rename,
// formatting), and the two commands run `relc graph` and `relc run` on the file: the
// simulation's HTML report opens beside it.
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions } from "vscode-languageclient/node";
import { reportWebviewHtml } from "./report_view";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;

function relcPath(): string {
  return vscode.workspace.getConfiguration("relc").get<string>("path") || "relc";
}

interface RelcResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runRelc(args: string[], cwd: string): Promise<RelcResult> {
  return new Promise((resolve) => {
    execFile(relcPath(), args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      const why = error !== null && typeof error.code !== "number" ? `cannot start ${relcPath()}: ${error.message}\n` : "";
      resolve({ code, stdout, stderr: why + stderr });
    });
  });
}

// The .rel file of the active editor, saved: relc reads files from disk.
async function activeRelFile(): Promise<vscode.TextDocument | undefined> {
  const document = vscode.window.activeTextEditor?.document;
  if (document === undefined || document.languageId !== "rel") {
    void vscode.window.showErrorMessage("Open a .rel file first.");
    return undefined;
  }
  if (document.isDirty && !(await document.save())) return undefined;
  return document;
}

async function showScenarioGraph(): Promise<void> {
  const document = await activeRelFile();
  if (document === undefined) return;
  const file = document.uri.fsPath;
  const cwd = path.dirname(file);
  const listed = await runRelc(["graph", "--format", "json", file], cwd);
  if (listed.code !== 0) {
    void vscode.window.showErrorMessage(`relc graph failed (exit ${listed.code}); the Problems view lists why.`);
    return;
  }
  const names: string[] = (JSON.parse(listed.stdout).scenarios as { name: string }[]).map((scenario) => scenario.name);
  if (names.length === 0) {
    void vscode.window.showInformationMessage("This file has no scenario to draw.");
    return;
  }
  const scenario = names.length === 1 ? names[0] : await vscode.window.showQuickPick(names, { placeHolder: "Which scenario?" });
  if (scenario === undefined) return;
  const drawn = await runRelc(["graph", "--format", "svg", "--scenario", scenario, file], cwd);
  if (drawn.code !== 0) {
    void vscode.window.showErrorMessage(`relc graph --format svg failed: ${drawn.stderr.trim()}`);
    return;
  }
  const panel = vscode.window.createWebviewPanel("relcScenarioGraph", `Scenario ${scenario}`, vscode.ViewColumn.Beside, {
    enableScripts: false,
  });
  // The SVG is relc's own output, shown inline; no script runs in the view.
  panel.webview.html = `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:;">
<style>body { background: white; margin: 0; padding: 1em; } svg { max-width: 100%; height: auto; }</style></head>
<body>${drawn.stdout.replace(/^<\?xml[^>]*>/, "")}</body></html>`;
}

async function runSimulation(): Promise<void> {
  const document = await activeRelFile();
  if (document === undefined) return;
  const settings = vscode.workspace.getConfiguration("relc");
  let data = settings.get<string>("data") || "";
  if (data === "") {
    const picked = await vscode.window.showOpenDialog({
      canSelectFiles: true,
      canSelectFolders: true,
      openLabel: "Simulate over this data",
      title: "Customer data for relc run (set relc.data to skip this)",
    });
    if (picked === undefined || picked.length === 0) return;
    data = picked[0].fsPath;
  }
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "relc-report-")), "report.html");
  const args = ["run", document.uri.fsPath, "--data", data, "--html", report];
  const asOf = settings.get<string>("asOf") || "";
  if (asOf !== "") args.push("--as-of", asOf);
  output ??= vscode.window.createOutputChannel("relc");
  output.show(true);
  output.appendLine(`$ ${relcPath()} ${args.join(" ")}`);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: "relc: simulating…" },
    () => runRelc(args, path.dirname(document.uri.fsPath)),
  );
  output.append(result.stdout);
  output.append(result.stderr);
  output.appendLine(`exit code ${result.code}`);
  if (result.code !== 0 || !fs.existsSync(report)) return;
  const panel = vscode.window.createWebviewPanel("relcReport", `Simulation: ${path.basename(document.uri.fsPath)}`,
    vscode.ViewColumn.Beside, { enableScripts: true });
  panel.webview.html = reportWebviewHtml(fs.readFileSync(report, "utf8"));
  fs.rmSync(path.dirname(report), { recursive: true, force: true });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const server: ServerOptions = { command: relcPath(), args: ["lsp"] };
  const options: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "rel" }, { scheme: "untitled", language: "rel" }],
  };
  client = new LanguageClient("relc", "relc language server", server, options);
  context.subscriptions.push(
    vscode.commands.registerCommand("relc.showScenarioGraph", showScenarioGraph),
    vscode.commands.registerCommand("relc.runSimulation", runSimulation),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("relc.path") && client !== undefined) {
        await client.stop();
        client = new LanguageClient("relc", "relc language server", { command: relcPath(), args: ["lsp"] }, options);
        await client.start();
      }
    }),
  );
  try {
    await client.start();
  } catch (error) {
    void vscode.window.showErrorMessage(`Cannot start \`${relcPath()} lsp\` (set relc.path): ${String(error)}`);
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
