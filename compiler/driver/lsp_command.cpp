// `relc lsp`: the language server, on stdin and stdout, for editors.
#include <unistd.h>

#include "driver/commands.h"
#include "driver/compile.h"
#include "lsp/server.h"

namespace relc::driver {
namespace {

int RunLsp(const ParsedOptions& options, Context& context) {
  if (!options.positional.empty()) {
    PrintUsageError(context.err, "`relc lsp` takes no file: the editor sends them");
    return kExitUsageOrIo;
  }
  lsp::ServerOptions server;
  server.version = RELC_VERSION;
  // The same checks as `relc check`: sema, then the scenario graphs and the lowering.
  server.check = [](const std::shared_ptr<const SourceFile>& file, DiagnosticSink& sink) {
    return std::move(CompileFile(file, sink).checked);
  };
  return lsp::RunLanguageServer(STDIN_FILENO, STDOUT_FILENO, server);
}

}  // namespace

const Command kLspCommand{
    .name = "lsp",
    .summary = "Run the language server (LSP 3.17, stdio) for editors",
    .usage = "",
    .description = "Speaks the Language Server Protocol on stdin and stdout: the diagnostics of\n"
                   "`relc check` as you type, hover, completion, go to definition, references,\n"
                   "document symbols, rename, formatting (`relc fmt`) and quick fixes. Editors\n"
                   "start it; the VS Code extension in vscode-extension/ does.",
    .options = {},
    .run = RunLsp,
    .operand_words = NoOperands,
};

}  // namespace relc::driver
