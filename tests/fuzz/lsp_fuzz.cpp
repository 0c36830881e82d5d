// The language server: any bytes as what an editor sends (headers, JSON-RPC, documents).
// Oracle: no crash, no hang, no sanitizer report; the server ends when its input does.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <fcntl.h>

#include "driver/compile.h"
#include "fuzz_check.h"
#include "lsp/server.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The input as a file the server reads to its end: a pipe would block past 64 KB.
  const int input = memfd_create("relc-fuzz-lsp", 0);
  FUZZ_REQUIRE(input >= 0, "memfd_create failed");
  for (size_t written = 0; written < size;) {
    const ssize_t n = write(input, data + written, size - written);
    FUZZ_REQUIRE(n > 0, "cannot write the input");
    written += static_cast<size_t>(n);
  }
  lseek(input, 0, SEEK_SET);
  static const int output = open("/dev/null", O_WRONLY);
  relc::lsp::ServerOptions options;
  options.version = "fuzz";
  options.debounce_ms = 0;
  options.check = [](const std::shared_ptr<const relc::SourceFile>& file, relc::DiagnosticSink& sink) {
    return std::move(relc::driver::CompileFile(file, sink).checked);
  };
  const int exit_code = relc::lsp::RunLanguageServer(input, output, options);
  FUZZ_REQUIRE(exit_code == 0 || exit_code == 1, "exit code %d", exit_code);
  close(input);
  return 0;
}
