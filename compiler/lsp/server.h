// `relc lsp`: a Language Server Protocol 3.17 server over stdio.
//
// Text sync is incremental; diagnostics are those of `relc check`, published a short quiet
// time after the last change (so that typing is not slowed by checks of every keystroke);
// hover, completion, definition, references, document symbols, rename, formatting and quick
// fixes (the diagnostics' suggestions) answer from the latest check. No input can stop the
// server: malformed frames or JSON, unknown methods and bad parameters get JSON-RPC errors.
#pragma once

#include <string>

#include "lsp/workspace.h"

namespace relc::lsp {

struct ServerOptions {
  CheckFunction check;
  std::string version;   // reported in `serverInfo`
  int debounce_ms = 30;  // quiet time after a change before it is checked
};

// Serves until `exit` or the end of the input. Returns the process exit code: 0 after
// `shutdown` then `exit`, 1 otherwise (as the protocol asks).
int RunLanguageServer(int input_fd, int output_fd, const ServerOptions& options);

}  // namespace relc::lsp
