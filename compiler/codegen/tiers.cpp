#include "codegen/tiers.h"

#include <llvm/ExecutionEngine/Orc/CompileUtils.h>
#include <llvm/ExecutionEngine/Orc/Mangling.h>
#include <llvm/IR/Constants.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Transforms/InstCombine/InstCombine.h>
#include <llvm/Transforms/Scalar/EarlyCSE.h>
#include <llvm/Transforms/Scalar/SROA.h>
#include <llvm/Transforms/Scalar/SimplifyCFG.h>

namespace relc::codegen {
namespace {

constexpr const char* kTierFlag = "relc.tier";

}  // namespace

Tier TierOf(Kernel::Kind kind) {
  return kind == Kernel::Kind::Filter || kind == Kernel::Kind::Rank ? Tier::Loop : Tier::Call;
}

void SetTier(llvm::Module& module, Tier tier) {
  module.addModuleFlag(llvm::Module::Error, kTierFlag, static_cast<uint32_t>(tier));
}

Tier TierOf(const llvm::Module& module) {
  auto* flag = llvm::mdconst::extract_or_null<llvm::ConstantInt>(module.getModuleFlag(kTierFlag));
  return flag && flag->getZExtValue() == static_cast<uint64_t>(Tier::Call) ? Tier::Call : Tier::Loop;
}

void Optimize(llvm::Module& module, llvm::TargetMachine* machine) {
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager cgscc;
  llvm::ModuleAnalysisManager modules;
  llvm::PassBuilder passes(machine);
  passes.registerModuleAnalyses(modules);
  passes.registerCGSCCAnalyses(cgscc);
  passes.registerFunctionAnalyses(functions);
  passes.registerLoopAnalyses(loops);
  passes.crossRegisterProxies(loops, functions, cgscc, modules);
  if (TierOf(module) == Tier::Loop) {
    passes.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2).run(module, modules);
    return;
  }
  // The generated code keeps its values in stack slots and repeats loads of the frame:
  // promoting the slots and merging the loads is most of what O2 gains on a call.
  llvm::FunctionPassManager light;
  light.addPass(llvm::SROAPass(llvm::SROAOptions::ModifyCFG));
  light.addPass(llvm::EarlyCSEPass());
  light.addPass(llvm::InstCombinePass());
  light.addPass(llvm::SimplifyCFGPass());
  llvm::ModulePassManager pipeline;
  pipeline.addPass(llvm::createModuleToFunctionPassAdaptor(std::move(light)));
  pipeline.run(module, modules);
}

llvm::orc::JITTargetMachineBuilder MachinesFor(llvm::orc::JITTargetMachineBuilder host, Tier tier) {
  // `Less` for loops: a quarter less compile time than `Default`, with no measurable loss on
  // the kernels. `None` for calls: the fast instruction selector and register allocator.
  host.setCodeGenOptLevel(tier == Tier::Loop ? llvm::CodeGenOptLevel::Less : llvm::CodeGenOptLevel::None);
  return host;
}

TieredCompiler::TieredCompiler(llvm::orc::JITTargetMachineBuilder machines)
    : IRCompiler(llvm::orc::irManglingOptionsFromTargetOptions(machines.getOptions())), machines_(std::move(machines)) {}

llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> TieredCompiler::operator()(llvm::Module& module) {
  llvm::orc::ConcurrentIRCompiler compiler(MachinesFor(machines_, TierOf(module)));
  return compiler(module);
}

}  // namespace relc::codegen
