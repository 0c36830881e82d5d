// Two tiers of optimisation. Filters and rankings loop over every customer of a panel, and
// there the O2 pipeline's vectorised loops and careful instruction selection pay. Every other
// kernel (a transition, an event predicate, a value, a KPI) handles one customer, one event or
// one figure per call, and the simulation around it costs far more than its code: those go
// through a light pipeline and LLVM's fast instruction selector, which compile about ten times
// faster (bench/RESULTS.md: compile latency; the simulation's speed is unchanged).
#pragma once

#include <llvm/ExecutionEngine/Orc/IRCompileLayer.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

#include <memory>

#include "codegen/emitter.h"

namespace relc::codegen {

enum class Tier { Loop, Call };

Tier TierOf(Kernel::Kind kind);

// The tier is kept in the module (a module flag), so that the IR transform, the compiler and
// the cache key all read it from the one place.
void SetTier(llvm::Module& module, Tier tier);
Tier TierOf(const llvm::Module& module);

// The tier's IR pipeline: O2 for loops; SROA, early CSE, instcombine and CFG simplification
// for calls.
void Optimize(llvm::Module& module, llvm::TargetMachine* machine);

// Compiles each module with the instruction selection of its tier, on a target machine of its
// own (the compile threads share none).
class TieredCompiler final : public llvm::orc::IRCompileLayer::IRCompiler {
 public:
  explicit TieredCompiler(llvm::orc::JITTargetMachineBuilder machines);
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> operator()(llvm::Module& module) override;

 private:
  llvm::orc::JITTargetMachineBuilder machines_;
};

// The host's target machine builder at a tier's code generation level.
llvm::orc::JITTargetMachineBuilder MachinesFor(llvm::orc::JITTargetMachineBuilder host, Tier tier);

}  // namespace relc::codegen
