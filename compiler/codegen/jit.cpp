// ORC LLJIT: the kernels are shared out between a few modules, one per core, which go through
// an O2 pipeline (IRTransformLayer) and are compiled for the host in parallel when one lookup
// asks for every kernel. Compiled objects can be kept on disk, keyed by each module's IR, so a
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
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <tuple>
#include <vector>

#include <unistd.h>

#include "codegen/compile_threads.h"
#include "codegen/emitter.h"

namespace relc::codegen {
namespace {

using FilterFn = void (*)(const ir::Frame*, const uint64_t*, uint64_t*, uint64_t, uint64_t);
using RankFn = void (*)(const ir::Frame*, const uint64_t*, double*, uint8_t*, uint64_t, uint64_t);
using ScalarFn = void (*)(const ir::Frame*, int64_t*, uint8_t*);
using EventFn = uint8_t (*)(const ir::Frame*, uint64_t, uint64_t);
using ValueFn = void (*)(const ir::Frame*, uint64_t, int64_t*, uint8_t*);
using TransitionFn = void (*)(const ir::Frame*, uint64_t, const ir::Instance*, const ir::Input*, ir::Action*);

void InitializeLlvm() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

std::string ErrorText(llvm::Error error) { return llvm::toString(std::move(error)); }

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
  passes.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2).run(module, modules);
}

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

// FNV-1a, enough to name a cache entry; the entry also stores the full key it was built from.
uint64_t Hash(std::string_view text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  return h;
}

// The IR is optimised at O2 (vectorised loops); instruction selection and register allocation
// at `Less` take a quarter less time to compile with no measurable loss on the kernels
// (bench/RESULTS.md: compile latency and panel evaluation).
llvm::Expected<llvm::orc::JITTargetMachineBuilder> HostBuilder() {
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (builder) builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Less);
  return builder;
}

// Kernels shared out between `count` modules, heaviest first to the lightest module, so that
// the modules compile in parallel in about the same time.
std::vector<std::vector<Kernel>> Partition(std::vector<Kernel> kernels, size_t count) {
  std::stable_sort(kernels.begin(), kernels.end(), [](const Kernel& a, const Kernel& b) { return a.weight > b.weight; });
  std::vector<std::vector<Kernel>> groups(std::max<size_t>(1, std::min(count, kernels.size())));
  std::vector<size_t> load(groups.size(), 0);
  for (const Kernel& kernel : kernels) {
    size_t lightest = static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    groups[lightest].push_back(kernel);
    load[lightest] += kernel.weight + 1;
  }
  return groups;
}

// One module, built and verified: a module the verifier rejects is our bug, reported, not run.
struct Prepared {
  llvm::orc::ThreadSafeModule module;
  std::string key;  // what its cache entry is keyed by: LLVM's version, the level, the IR
};

std::optional<Prepared> Prepare(const ir::Program& program, const std::vector<Kernel>& kernels, const llvm::DataLayout& layout,
                                const std::string& triple, bool optimize, bool want_key, std::string& error) {
  auto context = std::make_unique<llvm::LLVMContext>();
  // LLVM's remarks and warnings (a loop it chose not to vectorise) are not the user's business.
  context->setDiagnosticHandlerCallBack([](const llvm::DiagnosticInfo*, void*) {});
  std::unique_ptr<llvm::Module> module = BuildModule(program, kernels, layout, triple, *context);
  std::string problems;
  llvm::raw_string_ostream problem_stream(problems);
  if (llvm::verifyModule(*module, &problem_stream)) {
    error = "the generated code is invalid: " + problems;
    return std::nullopt;
  }
  Prepared prepared;
  if (want_key) {
    llvm::raw_string_ostream text(prepared.key);
    text << "llvm" << LLVM_VERSION_STRING << (optimize ? "-O2\n" : "-O0\n");
    module->print(text, nullptr);
    module->setModuleIdentifier(fmt::format("relc-{:016x}", Hash(prepared.key)));
  }
  prepared.module = llvm::orc::ThreadSafeModule(std::move(module), std::move(context));
  return prepared;
}

class JitEngine final : public ir::Engine {
 public:
  JitEngine(const ir::Program& program, std::unique_ptr<llvm::orc::LLJIT> jit) : program_(program), jit_(std::move(jit)) {}

  // Finds every kernel in one lookup, which compiles the modules in parallel.
  bool Resolve(const std::vector<Kernel>& kernels, std::string& error) {
    llvm::orc::SymbolLookupSet wanted;
    std::vector<llvm::orc::SymbolStringPtr> names;
    for (const Kernel& kernel : kernels) {
      names.push_back(jit_->mangleAndIntern(KernelName(kernel)));
      wanted.add(names.back());
    }
    auto found = jit_->getExecutionSession().lookup(llvm::orc::makeJITDylibSearchOrder(&jit_->getMainJITDylib()),
                                                     std::move(wanted));
    if (!found) {
      error = ErrorText(found.takeError());
      return false;
    }
    filters_.assign(program_.panels.size(), nullptr);
    ranks_.resize(program_.panels.size());
    for (size_t p = 0; p < program_.panels.size(); ++p) ranks_[p].assign(program_.panels[p].rankings.size(), nullptr);
    events_.assign(program_.event_predicates.size(), nullptr);
    transitions_.assign(program_.scenarios.size(), nullptr);
    for (size_t k = 0; k < kernels.size(); ++k) {
      void* address = (*found)[names[k]].getAddress().toPtr<void*>();
      const Kernel& kernel = kernels[k];
      switch (kernel.kind) {
        case Kernel::Kind::Filter: filters_[kernel.index] = reinterpret_cast<FilterFn>(address); break;
        case Kernel::Kind::Rank: ranks_[kernel.index][kernel.ranking] = reinterpret_cast<RankFn>(address); break;
        case Kernel::Kind::Scalar: scalars_[kernel.index] = reinterpret_cast<ScalarFn>(address); break;
        case Kernel::Kind::Value: values_[kernel.index] = reinterpret_cast<ValueFn>(address); break;
        case Kernel::Kind::Event: events_[kernel.index] = reinterpret_cast<EventFn>(address); break;
        case Kernel::Kind::Transition: transitions_[kernel.index] = reinterpret_cast<TransitionFn>(address); break;
      }
    }
    return true;
  }

  void Filter(int32_t panel, const ir::Frame& frame, const uint64_t* base, uint64_t* out, uint64_t begin,
              uint64_t end) const override {
    filters_[panel](&frame, base, out, begin, end);
  }
  void RankValues(int32_t panel, int32_t ranking, const ir::Frame& frame, const uint64_t* base, double* values,
                  uint8_t* valid, uint64_t begin, uint64_t end) const override {
    ranks_[panel][ranking](&frame, base, values, valid, begin, end);
  }
  ir::Value Scalar(ir::ExprId root, const ir::Frame& frame) const override {
    ir::Value value;
    uint8_t valid = 0;
    scalars_.at(root)(&frame, &value.bits, &valid);
    value.valid = valid != 0;
    return value;
  }
  ir::Value CustomerValue(ir::ExprId root, const ir::Frame& frame, uint64_t row) const override {
    ir::Value value;
    uint8_t valid = 0;
    values_.at(root)(&frame, row, &value.bits, &valid);
    value.valid = valid != 0;
    return value;
  }
  bool EventMatches(int32_t predicate, const ir::Frame& frame, uint64_t row, uint64_t event) const override {
    return events_[predicate](&frame, row, event) != 0;
  }
  void Transition(int32_t scenario, const ir::Frame& frame, uint64_t row, const ir::Instance& instance,
                  const ir::Input& input, ir::Action& action) const override {
    transitions_[scenario](&frame, row, &instance, &input, &action);
  }

 private:
  const ir::Program& program_;
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  std::vector<FilterFn> filters_;
  std::vector<std::vector<RankFn>> ranks_;
  std::map<ir::ExprId, ScalarFn> scalars_;
  std::map<ir::ExprId, ValueFn> values_;
  std::vector<EventFn> events_;
  std::vector<TransitionFn> transitions_;
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

void WriteCacheEntry(const std::filesystem::path& file, const std::string& key, const llvm::MemoryBuffer& object) {
  // Written whole under a temporary name, then renamed: readers never see half an entry.
  std::error_code ignored;
  std::filesystem::create_directories(file.parent_path(), ignored);
  std::filesystem::path temporary = file;
  temporary += fmt::format(".{}.tmp", static_cast<long>(::getpid()));
  std::ofstream out(temporary, std::ios::binary);
  out << key << '\0';
  out.write(object.getBufferStart(), static_cast<std::streamsize>(object.getBufferSize()));
  out.close();
  if (out) std::filesystem::rename(temporary, file, ignored);
  else std::filesystem::remove(temporary, ignored);
}

// The object of the cache entry made from `key`, or null (none, another key, or damaged).
std::unique_ptr<llvm::MemoryBuffer> ReadCacheEntry(const std::filesystem::path& file, const std::string& key) {
  auto buffer = llvm::MemoryBuffer::getFile(file.string());
  if (!buffer) return nullptr;
  llvm::StringRef contents = (*buffer)->getBuffer();
  if (contents.size() <= key.size() || contents.substr(0, key.size()) != key || contents[key.size()] != '\0') return nullptr;
  auto object = llvm::MemoryBuffer::getMemBufferCopy(contents.substr(key.size() + 1), "relc-cached");
  auto parsed = llvm::object::ObjectFile::createObjectFile(object->getMemBufferRef());
  if (!parsed) {
    llvm::consumeError(parsed.takeError());
    return nullptr;
  }
  return object;
}

// Keeps the cache under kCacheBytes by removing its least recently used entries (a read
// touches its entry): a cache on by default must not grow without end.
void TrimCache(const std::filesystem::path& folder) {
  constexpr uintmax_t kCacheBytes = uintmax_t{256} << 20;
  std::error_code error;
  std::vector<std::tuple<std::filesystem::file_time_type, uintmax_t, std::filesystem::path>> entries;
  uintmax_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
    if (entry.path().extension() != ".o") continue;
    const uintmax_t size = entry.file_size(error);
    entries.emplace_back(entry.last_write_time(error), size, entry.path());
    total += size;
  }
  std::sort(entries.begin(), entries.end());
  for (const auto& [time, size, path] : entries) {
    if (total <= kCacheBytes) break;
    std::filesystem::remove(path, error);
    total -= size;
  }
}

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
  std::vector<Kernel> kernels = KernelsOf(program);
  std::vector<std::vector<Kernel>> groups = Partition(kernels, std::max(1u, std::thread::hardware_concurrency()));

  llvm::orc::LLJITBuilder builder;
  builder.setJITTargetMachineBuilder(*host);
  if (groups.size() > 1) {
    // Our own compile threads, not setNumCompileThreads' (compile_threads.h says why).
    auto process = llvm::orc::SelfExecutorProcessControl::Create(
        nullptr, std::make_unique<CompileThreads>(static_cast<unsigned>(groups.size())));
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
        auto machine = llvm::orc::JITTargetMachineBuilder(machines).createTargetMachine();
        if (!machine) return machine.takeError();
        module.withModuleDo([&](llvm::Module& m) {
          if (optimize) Optimize(m, machine->get());
          std::lock_guard lock(log->mutex);
          log->instructions += CountInstructions(m);
        });
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
  std::string triple = (*jit)->getTargetTriple().str();
  for (const auto& group : groups) {
    std::optional<Prepared> prepared =
        Prepare(program, group, (*jit)->getDataLayout(), triple, options.optimize, !cache_dir.empty(), result.error);
    if (!prepared) return result;
    if (!cache_dir.empty()) {
      std::string id = prepared->module.withModuleDo([](llvm::Module& m) { return m.getModuleIdentifier(); });
      if (auto object = ReadCacheEntry(cache_dir / (id + ".o"), prepared->key)) {
        std::error_code untouched;  // only the order of trimming depends on it
        std::filesystem::last_write_time(cache_dir / (id + ".o"), std::filesystem::file_time_type::clock::now(), untouched);
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

  auto engine = std::make_unique<JitEngine>(program, std::move(*jit));
  if (!engine->Resolve(kernels, result.error)) return result;  // compiles what was not cached
  if (!cache_dir.empty() && from_cache < groups.size()) TrimCache(cache_dir);
  result.stats.functions = kernels.size();
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
  auto machine = host->createTargetMachine();
  if (!machine) {
    error = ErrorText(machine.takeError());
    return "";
  }
  std::optional<Prepared> prepared = Prepare(program, KernelsOf(program), (*machine)->createDataLayout(),
                                             (*machine)->getTargetTriple().str(), optimize, false, error);
  if (!prepared) return "";
  std::string text;
  prepared->module.withModuleDo([&](llvm::Module& module) {
    if (optimize) Optimize(module, machine->get());
    llvm::raw_string_ostream out(text);
    module.print(out, nullptr);
  });
  return text;
}

}  // namespace relc::codegen
