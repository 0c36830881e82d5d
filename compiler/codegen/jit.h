// The LLVM JIT: compiles a lowered program to native kernels with ORC's LLJIT, one function
// per shape of kernel (shapes.h) and two tiers of optimisation (tiers.h), behind an
// ir::Engine. LLVM's headers stay inside compiler/codegen's .cpp files.
#pragma once

#include <memory>
#include <string>

#include "ir/engine.h"
#include "ir/ir.h"

namespace relc::codegen {

struct JitOptions {
  bool optimize = true;
  std::string cache_dir;  // compiled objects are kept here, keyed by the program's hash; empty: none
  std::string fault;      // when set, compilation fails with this message (to test that path)
};

struct JitStats {
  double compile_ms = 0;   // building, optimising and compiling the module, and linking it
  size_t functions = 0;    // kernels
  size_t shapes = 0;       // kernels compiled: those of the same shape share one (shapes.h)
  size_t instructions = 0; // LLVM IR instructions after optimisation (0 when loaded from the cache)
  size_t code_bytes = 0;   // machine code (.text)
  bool cache_hit = false;
};

struct JitResult {
  std::unique_ptr<ir::Engine> engine;  // null on failure
  std::string error;
  JitStats stats;
};

JitResult CompileWithJit(const ir::Program& program, const JitOptions& options);

// LLVM's one-time start-up in a process: initialising the target, and a first compilation of
// a tiny program, which brings LLVM's code into memory. Commands run it on another thread
// while they load data, so that it costs no waiting; returns the milliseconds it took.
double WarmUpJit();

// The program's LLVM IR as text, optimised as the JIT would (or not); `error` on failure.
std::string EmitLlvm(const ir::Program& program, bool optimize, std::string& error);

}  // namespace relc::codegen
