// ORC LLJIT: the kernels are shared out between a few modules, per tier of optimisation
// (tiers.h) one per core, which go through their tier's pipeline (IRTransformLayer) and are
// compiled for the host in parallel when one lookup asks for every kernel. Compiled objects can be kept on disk, keyed by each module's IR, so a
// second run of an unchanged program skips optimisation and code generation.
#include "codegen/jit.h"

#include <fmt/format.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/ExecutorProcessControl.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ObjectTransformLayer.h>
#include <llvm/IR/DiagnosticInfo.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "codegen/compile_threads.h"
#include "codegen/emitter.h"
#include "codegen/object_cache.h"
#include "codegen/shapes.h"
#include "codegen/tiers.h"

namespace relc::codegen {
namespace {

using Table = const uint64_t*;
using FilterFn = void (*)(const ir::Frame*, const uint64_t*, uint64_t*, uint64_t, uint64_t, Table);
using RankFn = void (*)(const ir::Frame*, const uint64_t*, double*, uint8_t*, uint64_t, uint64_t, Table);
using ScalarFn = void (*)(const ir::Frame*, int64_t*, uint8_t*, Table);
using EventFn = uint8_t (*)(const ir::Frame*, uint64_t, uint64_t, Table);
using ValueFn = void (*)(const ir::Frame*, uint64_t, int64_t*, uint8_t*, Table);
using TransitionFn = void (*)(const ir::Frame*, uint64_t, const ir::Instance*, const ir::Input*, ir::Action*, Table);

// clang's -fsanitize=function (part of -fsanitize=undefined) reads a type signature just before
// a function called through a pointer. Code the JIT compiled has none, and may start a page
// whose predecessor is not mapped: the calls into it are left unchecked.
#if defined(__clang__)
#define RELC_CALLS_JIT_CODE __attribute__((no_sanitize("function")))
#else
#define RELC_CALLS_JIT_CODE
#endif

// A kernel: its shape's compiled body and its own table of constants.
template <typename Fn>
struct Bound {
  Fn code = nullptr;
  Table constants = nullptr;
};

void InitializeLlvm() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

std::string ErrorText(llvm::Error error) { return llvm::toString(std::move(error)); }

size_t CountInstructions(const llvm::Module& module) {
  size_t count = 0;
  for (const llvm::Function& function : module) count += function.getInstructionCount();
  return count;
}

size_t TextBytes(const llvm::MemoryBuffer& object) {
  auto file = llvm::object::ObjectFile::createObjectFile(object.getMemBufferRef());
  if (!file) {
    llvm::consumeError(file.takeError());
    return object.getBufferSize();
  }
  size_t bytes = 0;
  for (const auto& section : (*file)->sections()) {
    if (section.isText()) bytes += section.getSize();
  }
  return bytes;
}

llvm::Expected<llvm::orc::JITTargetMachineBuilder> HostBuilder() { return llvm::orc::JITTargetMachineBuilder::detectHost(); }

// Kernels shared out between modules: per tier, `count` modules (one per compile thread), the
// heaviest kernels first to the lightest module, so that they compile in about the same time.
struct Group {
  Tier tier;
  std::vector<Kernel> kernels;
};

std::vector<Group> Partition(std::vector<Kernel> kernels, size_t count) {
  std::stable_sort(kernels.begin(), kernels.end(), [](const Kernel& a, const Kernel& b) { return a.weight > b.weight; });
  std::vector<Group> groups;
  for (Tier tier : {Tier::Loop, Tier::Call}) {
    size_t first = groups.size();
    size_t of_tier = std::count_if(kernels.begin(), kernels.end(), [&](const Kernel& k) { return TierOf(k.kind) == tier; });
    size_t modules = std::min(count, of_tier);
    for (size_t m = 0; m < modules; ++m) groups.push_back({tier, {}});
    std::vector<size_t> load(modules, 0);
    for (const Kernel& kernel : kernels) {
      if (TierOf(kernel.kind) != tier) continue;
      size_t lightest = static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());
      groups[first + lightest].kernels.push_back(kernel);
      load[lightest] += kernel.weight + 1;
    }
  }
  return groups;
}

// One module, built and verified: a module the verifier rejects is our bug, reported, not run.
struct Prepared {
  llvm::orc::ThreadSafeModule module;
  std::string key;  // what its cache entry is keyed by: LLVM's version, the level, the IR
};

std::optional<Prepared> Prepare(const ir::Program& program, const Group& group, const llvm::DataLayout& layout,
                                const std::string& triple, bool optimize, bool want_key, std::string& error) {
  auto context = std::make_unique<llvm::LLVMContext>();
  // LLVM's remarks and warnings (a loop it chose not to vectorise) are not the user's business.
  context->setDiagnosticHandlerCallBack([](const llvm::DiagnosticInfo*, void*) {});
  std::unique_ptr<llvm::Module> module = BuildModule(program, group.kernels, layout, triple, *context);
  SetTier(*module, group.tier);
  std::string problems;
  llvm::raw_string_ostream problem_stream(problems);
  if (llvm::verifyModule(*module, &problem_stream)) {
    error = "the generated code is invalid: " + problems;
    return std::nullopt;
  }
  Prepared prepared;
  if (want_key) {
    llvm::raw_string_ostream text(prepared.key);
    text << "llvm" << LLVM_VERSION_STRING << (optimize ? "-optimized\n" : "-unoptimized\n");
    module->print(text, nullptr);
    module->setModuleIdentifier(fmt::format("relc-{:016x}", HashKey(prepared.key)));
  }
  prepared.module = llvm::orc::ThreadSafeModule(std::move(module), std::move(context));
  return prepared;
}

class JitEngine final : public ir::Engine {
 public:
  JitEngine(const ir::Program& program, std::unique_ptr<llvm::orc::LLJIT> jit, Shapes shapes)
      : program_(program), jit_(std::move(jit)), shapes_(std::move(shapes)) {}

  // Finds every body in one lookup, which compiles the modules in parallel, and gives each
  // kernel its shape's body and its table.
  bool Resolve(const std::vector<Kernel>& kernels, std::string& error) {
    llvm::orc::SymbolLookupSet wanted;
    std::vector<llvm::orc::SymbolStringPtr> names;
    for (const Kernel& body : shapes_.bodies) {
      names.push_back(jit_->mangleAndIntern(KernelName(body)));
      wanted.add(names.back());
    }
    auto found = jit_->getExecutionSession().lookup(llvm::orc::makeJITDylibSearchOrder(&jit_->getMainJITDylib()),
                                                     std::move(wanted));
    if (!found) {
      error = ErrorText(found.takeError());
      return false;
    }
    filters_.assign(program_.panels.size(), {});
    ranks_.resize(program_.panels.size());
    for (size_t p = 0; p < program_.panels.size(); ++p) ranks_[p].assign(program_.panels[p].rankings.size(), {});
    events_.assign(program_.event_predicates.size(), {});
    transitions_.assign(program_.scenarios.size(), {});
    for (size_t k = 0; k < kernels.size(); ++k) {
      void* address = (*found)[names[shapes_.body_of[k]]].getAddress().toPtr<void*>();
      Table table = shapes_.tables[k].values.data();
      const Kernel& kernel = kernels[k];
      switch (kernel.kind) {
        case Kernel::Kind::Filter: filters_[kernel.index] = {reinterpret_cast<FilterFn>(address), table}; break;
        case Kernel::Kind::Rank: ranks_[kernel.index][kernel.ranking] = {reinterpret_cast<RankFn>(address), table}; break;
        case Kernel::Kind::Scalar: scalars_[kernel.index] = {reinterpret_cast<ScalarFn>(address), table}; break;
        case Kernel::Kind::Value: values_[kernel.index] = {reinterpret_cast<ValueFn>(address), table}; break;
        case Kernel::Kind::Event: events_[kernel.index] = {reinterpret_cast<EventFn>(address), table}; break;
        case Kernel::Kind::Transition: transitions_[kernel.index] = {reinterpret_cast<TransitionFn>(address), table}; break;
      }
    }
    return true;
  }

  RELC_CALLS_JIT_CODE
  void Filter(int32_t panel, const ir::Frame& frame, const uint64_t* base, uint64_t* out, uint64_t begin,
              uint64_t end) const override {
    const auto& filter = filters_[panel];
    filter.code(&frame, base, out, begin, end, filter.constants);
  }
  RELC_CALLS_JIT_CODE
  void RankValues(int32_t panel, int32_t ranking, const ir::Frame& frame, const uint64_t* base, double* values,
                  uint8_t* valid, uint64_t begin, uint64_t end) const override {
    const auto& rank = ranks_[panel][ranking];
    rank.code(&frame, base, values, valid, begin, end, rank.constants);
  }
  RELC_CALLS_JIT_CODE
  ir::Value Scalar(ir::ExprId root, const ir::Frame& frame) const override {
    ir::Value value;
    uint8_t valid = 0;
    const auto& scalar = scalars_.at(root);
    scalar.code(&frame, &value.bits, &valid, scalar.constants);
    value.valid = valid != 0;
    return value;
  }
  RELC_CALLS_JIT_CODE
  ir::Value CustomerValue(ir::ExprId root, const ir::Frame& frame, uint64_t row) const override {
    ir::Value value;
    uint8_t valid = 0;
    const auto& kernel = values_.at(root);
    kernel.code(&frame, row, &value.bits, &valid, kernel.constants);
    value.valid = valid != 0;
    return value;
  }
  RELC_CALLS_JIT_CODE
  bool EventMatches(int32_t predicate, const ir::Frame& frame, uint64_t row, uint64_t event) const override {
    const auto& test = events_[predicate];
    return test.code(&frame, row, event, test.constants) != 0;
  }
  RELC_CALLS_JIT_CODE
  void Transition(int32_t scenario, const ir::Frame& frame, uint64_t row, const ir::Instance& instance,
                  const ir::Input& input, ir::Action& action) const override {
    const auto& transition = transitions_[scenario];
    transition.code(&frame, row, &instance, &input, &action, transition.constants);
  }

 private:
  const ir::Program& program_;
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  Shapes shapes_;  // holds the tables
  std::vector<Bound<FilterFn>> filters_;
  std::vector<std::vector<Bound<RankFn>>> ranks_;
  std::map<ir::ExprId, Bound<ScalarFn>> scalars_;
  std::map<ir::ExprId, Bound<ValueFn>> values_;
  std::vector<Bound<EventFn>> events_;
  std::vector<Bound<TransitionFn>> transitions_;
};

// The kernels of frame.h, which generated code calls by name.
llvm::Error DefineKernels(llvm::orc::LLJIT& jit) {
  llvm::orc::SymbolMap symbols;
  auto add = [&](const char* name, auto* function) {
    symbols[jit.mangleAndIntern(name)] = {llvm::orc::ExecutorAddr::fromPtr(function),
                                          llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
  };
  add("relc_calendar", &relc_calendar);
  add("relc_days_from_civil", &relc_days_from_civil);
  add("relc_wait_deadline", &relc_wait_deadline);
  add("relc_random_unit", &relc_random_unit);
  llvm::orc::JITDylib& library = jit.getMainJITDylib();
  if (auto error = library.define(llvm::orc::absoluteSymbols(std::move(symbols)))) return error;
  // libm, for what the code generator lowers to library calls (round, without SSE4.1).
  auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(jit.getDataLayout().getGlobalPrefix());
  if (!process) return process.takeError();
  library.addGenerator(std::move(*process));
  return llvm::Error::success();
}

// What the compile threads report, and the cache entries they are to write.
struct CompileLog {
  std::mutex mutex;
  size_t instructions = 0;
  size_t code_bytes = 0;
  std::map<std::string, std::string> cache_keys;  // module id -> key
};

}  // namespace

JitResult CompileWithJit(const ir::Program& program, const JitOptions& options) {
  auto started = std::chrono::steady_clock::now();
  JitResult result;
  if (!options.fault.empty()) {
    result.error = options.fault;
    return result;
  }
  InitializeLlvm();
  auto host = HostBuilder();
  if (!host) {
    result.error = ErrorText(host.takeError());
    return result;
  }
  auto layout = host->getDefaultDataLayoutForTarget();
  if (!layout) {
    result.error = ErrorText(layout.takeError());
    return result;
  }
  const std::string triple = host->getTargetTriple().str();
  std::vector<Kernel> kernels = KernelsOf(program);
  Shapes shapes = ShareShapes(program, kernels, *layout, triple);
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::vector<Group> groups = Partition(shapes.bodies, cores);
  const unsigned threads = std::min<unsigned>(cores, static_cast<unsigned>(groups.size()));

  llvm::orc::LLJITBuilder builder;
  builder.setJITTargetMachineBuilder(*host);
  builder.setCompileFunctionCreator([](llvm::orc::JITTargetMachineBuilder machines)
                                        -> llvm::Expected<std::unique_ptr<llvm::orc::IRCompileLayer::IRCompiler>> {
    return std::make_unique<TieredCompiler>(std::move(machines));
  });
  if (threads > 1) {
    // Our own compile threads, not setNumCompileThreads' (compile_threads.h says why).
    auto process = llvm::orc::SelfExecutorProcessControl::Create(nullptr, std::make_unique<CompileThreads>(threads));
    if (!process) {
      result.error = ErrorText(process.takeError());
      return result;
    }
    builder.setExecutorProcessControl(std::move(*process));
    builder.setSupportConcurrentCompilation(true);
  }
  auto jit = builder.create();
  if (!jit) {
    result.error = ErrorText(jit.takeError());
    return result;
  }
  if (auto error = DefineKernels(**jit)) {
    result.error = ErrorText(std::move(error));
    return result;
  }

  // Each compile thread optimises with a target machine of its own: they are not shared.
  auto log = std::make_shared<CompileLog>();
  std::filesystem::path cache_dir = options.cache_dir;
  bool optimize = options.optimize;
  llvm::orc::JITTargetMachineBuilder machines = *host;
  (*jit)->getIRTransformLayer().setTransform(
      [optimize, machines, log](llvm::orc::ThreadSafeModule module, const llvm::orc::MaterializationResponsibility&)
          -> llvm::Expected<llvm::orc::ThreadSafeModule> {
        llvm::Error error = module.withModuleDo([&](llvm::Module& m) -> llvm::Error {
          auto machine = MachinesFor(machines, TierOf(m)).createTargetMachine();
          if (!machine) return machine.takeError();
          if (optimize) Optimize(m, machine->get());
          std::lock_guard lock(log->mutex);
          log->instructions += CountInstructions(m);
          return llvm::Error::success();
        });
        if (error) return error;
        return module;
      });
  (*jit)->getObjTransformLayer().setTransform(
      [log, cache_dir](std::unique_ptr<llvm::MemoryBuffer> object) -> llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> {
        size_t bytes = TextBytes(*object);
        std::string id = object->getBufferIdentifier().str();
        id = id.substr(0, id.find("-jitted-objectbuffer"));
        std::lock_guard lock(log->mutex);
        log->code_bytes += bytes;
        if (auto it = log->cache_keys.find(id); it != log->cache_keys.end()) WriteCacheEntry(cache_dir / (id + ".o"), it->second, *object);
        return object;
      });

  size_t from_cache = 0;
  for (const auto& group : groups) {
    std::optional<Prepared> prepared =
        Prepare(program, group, *layout, triple, options.optimize, !cache_dir.empty(), result.error);
    if (!prepared) return result;
    if (!cache_dir.empty()) {
      std::string id = prepared->module.withModuleDo([](llvm::Module& m) { return m.getModuleIdentifier(); });
      if (auto object = ReadCacheEntry(cache_dir / (id + ".o"), prepared->key)) {
        size_t bytes = TextBytes(*object);
        if (auto error = (*jit)->addObjectFile(std::move(object))) {
          result.error = ErrorText(std::move(error));
          return result;
        }
        log->code_bytes += bytes;
        ++from_cache;
        continue;
      }
      log->cache_keys[id] = prepared->key;
    }
    if (auto error = (*jit)->addIRModule(std::move(prepared->module))) {
      result.error = ErrorText(std::move(error));
      return result;
    }
  }

  const size_t bodies = shapes.bodies.size();
  auto engine = std::make_unique<JitEngine>(program, std::move(*jit), std::move(shapes));
  if (!engine->Resolve(kernels, result.error)) return result;  // compiles what was not cached
  if (!cache_dir.empty() && from_cache < groups.size()) TrimCache(cache_dir);
  result.stats.functions = kernels.size();
  result.stats.shapes = bodies;
  result.stats.instructions = log->instructions;
  result.stats.code_bytes = log->code_bytes;
  result.stats.cache_hit = from_cache == groups.size();
  result.stats.compile_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  result.engine = std::move(engine);
  return result;
}

double WarmUpJit() {
  auto started = std::chrono::steady_clock::now();
  // One filter with an aggregate and a comparison, and one scalar: most of what programs use.
  ir::Program program;
  program.customer_columns.push_back({ir::ColumnSlot::Source::Attribute, "x", ir::Storage::Ints});
  program.event_types.push_back("e");
  program.nodes = {
      {.op = ir::Op::CustomerColumn, .type = ir::ValueType::Int},
      {.op = ir::Op::Constant, .type = ir::ValueType::Int, .int_value = 2},
      {.op = ir::Op::Greater, .type = ir::ValueType::Bool, .a = 0, .b = 1},
      {.op = ir::Op::Aggregate, .type = ir::ValueType::Int, .aux = static_cast<uint8_t>(ir::AggregateKind::Count)},
      {.op = ir::Op::ToFloat, .type = ir::ValueType::Float, .a = 3},
      {.op = ir::Op::Constant, .type = ir::ValueType::Float, .float_value = 0.5},
      {.op = ir::Op::Divide, .type = ir::ValueType::Float, .a = 4, .b = 5},
      {.op = ir::Op::Constant, .type = ir::ValueType::Float, .float_value = 1},
      {.op = ir::Op::Less, .type = ir::ValueType::Bool, .a = 6, .b = 7},
      {.op = ir::Op::And, .type = ir::ValueType::Bool, .a = 2, .b = 8},
      {.op = ir::Op::Divide, .type = ir::ValueType::Float, .a = 5, .b = 7},
  };
  program.panels.push_back({.kind = ir::Panel::Kind::Filter, .condition = 9});
  program.kpis.push_back({.name = "k", .value = 10});
  JitResult ignored = CompileWithJit(program, {});
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
}

std::string EmitLlvm(const ir::Program& program, bool optimize, std::string& error) {
  InitializeLlvm();
  auto host = HostBuilder();
  if (!host) {
    error = ErrorText(host.takeError());
    return "";
  }
  auto layout = host->getDefaultDataLayoutForTarget();
  if (!layout) {
    error = ErrorText(layout.takeError());
    return "";
  }
  const std::string triple = host->getTargetTriple().str();
  std::vector<Kernel> kernels = KernelsOf(program);
  Shapes shapes = ShareShapes(program, kernels, *layout, triple);
  // Which body each kernel runs, with which constants; then one module per tier, each
  // optimised by its own pipeline, as the JIT compiles them.
  std::string text;
  for (size_t k = 0; k < kernels.size(); ++k) {
    text += fmt::format("; {} runs {} with the constants {}\n", KernelName(kernels[k]),
                        KernelName(shapes.bodies[shapes.body_of[k]]), DescribeTable(shapes.tables[k]));
  }
  for (const Group& group : Partition(shapes.bodies, 1)) {
    auto machine = MachinesFor(*host, group.tier).createTargetMachine();
    if (!machine) {
      error = ErrorText(machine.takeError());
      return "";
    }
    std::optional<Prepared> prepared = Prepare(program, group, *layout, triple, optimize, false, error);
    if (!prepared) return "";
    prepared->module.withModuleDo([&](llvm::Module& module) {
      if (optimize) Optimize(module, machine->get());
      module.setModuleIdentifier(group.tier == Tier::Loop ? "relc.loops" : "relc.calls");
      llvm::raw_string_ostream out(text);
      module.print(out, nullptr);
    });
  }
  return text;
}

}  // namespace relc::codegen
