#include "driver/session.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "codegen/jit.h"
#include "data/load.h"
#include "distribute/distribute.h"
#include "data/snapshot.h"
#include "measures/measures_snapshot.h"
#include "data/values.h"
#include "diagnostics/render.h"
#include "evaluate/bind.h"
#include "driver/data_schema.h"
#include "driver/output_file.h"
#include "driver/source_set.h"
#include "interp/interpreter.h"

namespace relc::driver {

CompiledFile CompileAndRender(const std::shared_ptr<const SourceFile>& source, Context& context,
                              const CompileOptions& compile_options) {
  DiagnosticCollector diagnostics;
  CompiledFile compiled = CompileFile(source, diagnostics, compile_options);
  for (const auto& diagnostic : diagnostics.diagnostics()) {
    RenderHuman(diagnostic, HumanStyle{}, context.err);
    context.err << '\n';
  }
  return compiled;
}

std::optional<std::deque<CompiledFile>> CompileFilesForEngines(const ParsedOptions& options, Context& context, int& exit_code) {
  exit_code = kExitUsageOrIo;
  if (options.positional.empty()) {
    PrintUsageError(context.err, "this command needs a program file");
    return std::nullopt;
  }
  SourceSet sources = LoadSources(options.positional);
  for (const auto& problem : sources.problems) RenderHuman(problem, HumanStyle{}, context.err);
  if (!sources.problems.empty()) return std::nullopt;
  std::deque<CompiledFile> files;  // a deque: a compiled file cannot be moved once built
  bool errors = false;
  CompileOptions compile_options;
  if (options.Has("--model")) compile_options.model_files.push_back(options.Get("--model", ""));
  for (const auto& source : sources.files) {
    files.push_back(CompileAndRender(source, context, compile_options));
    errors = errors || files.back().has_errors;
  }
  if (errors) {
    exit_code = kExitProgramErrors;
    return std::nullopt;
  }
  for (size_t f = 0; f < files.size(); ++f) {
    if (files[f].programs.empty()) {
      PrintUsageError(context.err, fmt::format("{} declares no program", sources.files[f]->path()));
      return std::nullopt;
    }
  }
  exit_code = kExitSuccess;
  return files;
}

std::optional<CompiledFile> CompileForEngines(const ParsedOptions& options, Context& context, int& exit_code) {
  if (options.positional.size() != 1) {
    exit_code = kExitUsageOrIo;
    PrintUsageError(context.err, "this command takes exactly one program file");
    return std::nullopt;
  }
  auto files = CompileFilesForEngines(options, context, exit_code);
  if (!files) return std::nullopt;
  return std::move(files->front());
}

std::optional<EngineChoice> ParseEngineChoice(const ParsedOptions& options, Context& context) {
  EngineChoice choice;
  std::string engine = options.Get("--engine", "jit");
  if (engine != "jit" && engine != "interp") {
    PrintUsageError(context.err, fmt::format("unknown engine `{}`", engine), "choose `jit` or `interp`");
    return std::nullopt;
  }
  choice.jit = engine == "jit";
  choice.stats = options.Has("--jit-stats");
  // On by default: a program rerun unchanged (the usual edit-run loop touches one of several
  // files) compiles nothing.
  if (!options.Has("--no-jit-cache")) choice.cache_dir = options.Has("--jit-cache") ? options.Get("--jit-cache", "") : context.env.jit_cache;
  if (choice.jit) choice.warm_up = std::async(std::launch::async, codegen::WarmUpJit).share();
  return choice;
}

std::unique_ptr<ir::Engine> MakeEngine(const ir::Program& program, const CompiledFile& file, const EngineChoice& choice,
                                       Context& context) {
  if (!choice.jit) return interp::MakeInterpreter(program);
  double warm_up_ms = choice.warm_up.valid() ? choice.warm_up.get() : 0;
  codegen::JitResult jit = codegen::CompileWithJit(program, {.optimize = true, .cache_dir = choice.cache_dir, .fault = context.env.jit_fault});
  if (!jit.engine) {
    DiagnosticCollector diagnostics;
    for (const sema::ProgramInfo& info : file.checked.model.programs) {
      if (info.decl->title.value != program.title) continue;
      DiagnosticEmitter(info.file, diagnostics)
          .Emit(DiagnosticKind::JitFailed, info.decl->title.range, program.title, jit.error)
          .Primary("while compiling this program")
          .Help("run it with `--engine interp` meanwhile, and report this as a bug of relc");
      break;
    }
    for (const auto& diagnostic : diagnostics.diagnostics()) RenderHuman(diagnostic, HumanStyle{}, context.err);
    return nullptr;
  }
  if (choice.stats) {
    const codegen::JitStats& s = jit.stats;
    context.err << fmt::format(
        "jit: \"{}\": {} kernels of {} shapes, {} IR instructions, {} bytes of machine code, compiled in {:.1f} ms{} "
        "(LLVM's start-up: {:.1f} ms, while the data loaded)\n",
        program.title, s.functions, s.shapes, s.instructions, s.code_bytes, s.compile_ms, s.cache_hit ? " (from the cache)" : "",
        warm_up_ms);
  }
  return std::move(jit.engine);
}

namespace {

// Quoted whatever it holds: a spreadsheet then never reads an id as a number.
std::string CsvField(std::string_view text) {
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string Share(size_t part, size_t whole) { return fmt::format("{:.1f} %", whole == 0 ? 0.0 : 100.0 * part / whole); }

}  // namespace

bool AccountForRows(const data::LoadResult& loaded, const ParsedOptions& options, Context& context, int& exit_code) {
  const data::RowAccount& rows = loaded.rows;
  const data::CustomerStore& store = *loaded.store;
  // A described source has rules and customer id columns of its own, and turns rows into events
  // of each type; the contract's tables are rows of customers and events already.
  const bool described = store.schema.source.has_value();
  // Spread over processes, each holds its customers: the counts are every process's.
  std::vector<int64_t> per_type(store.schema.events.size() + 2, 0);
  for (uint8_t type : store.event_type) ++per_type[type];
  per_type[per_type.size() - 2] = static_cast<int64_t>(store.customers.rows);
  per_type.back() = static_cast<int64_t>(store.event_type.size());
  distribute::SumAll(per_type);
  std::string events = fmt::format("{} events", per_type.back());
  if (described) {
    std::vector<std::string> counts;
    for (size_t e = 0; e < store.schema.events.size(); ++e) counts.push_back(fmt::format("{} {}", per_type[e], store.schema.events[e].name));
    events = fmt::format("{}", fmt::join(counts, ", "));
  }
  std::string lost;
  if (described || rows.left_out > 0) lost += fmt::format(", {} left out by the source's rules", rows.left_out);
  if (described || rows.without_customer > 0) lost += fmt::format(", {} without a customer id", rows.without_customer);
  context.err << fmt::format("data: {} rows read, {} loaded ({} customers, {}){}, {} of unknown customers, {} rejected\n", rows.read,
                             rows.loaded, per_type[per_type.size() - 2], events, lost, rows.unknown_customer, rows.rejected);
  for (const std::string& assumption : loaded.assumptions) context.err << "warning: assumed " << assumption << '\n';
  if (!loaded.rejected.empty()) {
    std::string path = options.Get("--rejects", "");
    std::string where;
    if (!path.empty()) {
      std::string rejects = "file,line,column,column_name,reason,record\n";
      for (const auto& row : loaded.rejected) {
        rejects += fmt::format("{},{},{},{},{},{}\n", CsvField(row.file), row.line, row.column, CsvField(row.column_name),
                               CsvField(row.reason), CsvField(row.record));
      }
      if (std::string failure = WriteFileAtomically(path, rejects); !failure.empty()) {
        PrintUsageError(context.err, fmt::format("cannot write `{}`: {}", path, failure));
        exit_code = kExitUsageOrIo;
        return false;
      }
      where = fmt::format(" (written to {})", path);
    }
    context.err << fmt::format("warning: skipped {} bad row{}{}; the first: {}\n", loaded.rejected.size(),
                               loaded.rejected.size() == 1 ? "" : "s", where, data::FormatBadRow(loaded.rejected[0]));
  }
  // Events whose customer is missing or unknown change every figure: a few are an export's
  // noise, more are a wrong join or a wrong id column.
  const size_t orphans = rows.without_customer + rows.unknown_customer;
  if (orphans * 100 > rows.read && !options.Has("--allow-orphans")) {
    context.err << fmt::format("error: {} of the {} rows ({}) are events of unknown or missing customers: more than 1 %\n",
                               orphans, rows.read, Share(orphans, rows.read));
    if (!loaded.first_unknown_customer.empty()) {
      context.err << fmt::format("  = note: such as customer `{}`, who is not among the customers\n", loaded.first_unknown_customer);
    }
    context.err << "  = help: check the customer id column (ids such as `17850.0` and `17850` are the same only in a "
                   "`source`); leave such rows out with a `when` rule in the source; or pass `--allow-orphans`\n";
    exit_code = kExitProgramErrors;
    return false;
  }
  return true;
}

std::optional<Dataset> LoadDataset(const std::vector<const CompiledFile*>& files, const ParsedOptions& options, Context& context,
                                   int& exit_code, Progress* progress, MeasuresNeeded needed,
                                   const std::vector<std::string>& also_read) {
  exit_code = kExitUsageOrIo;
  if (!options.Has("--data")) {
    PrintUsageError(context.err, "this command needs `--data SOURCE`", "try `relc data generate --out data/` first");
    return std::nullopt;
  }
  std::string on_bad_row = options.Get("--on-bad-row", "fail");
  if (on_bad_row != "fail" && on_bad_row != "skip") {
    PrintUsageError(context.err, fmt::format("`--on-bad-row` is `fail` or `skip`, not `{}`", on_bad_row));
    return std::nullopt;
  }
  int32_t as_of_day = 0;
  if (options.Has("--as-of") && !data::ParseDate(options.Get("--as-of", ""), as_of_day)) {
    PrintUsageError(context.err, fmt::format("`--as-of` takes a date such as 2026-01-01, not `{}`", options.Get("--as-of", "")));
    return std::nullopt;
  }
  // The data contract is the first file's; every program is checked against it when bound.
  std::optional<data::DataSchema> schema = DataSchemaOf(files.front()->checked.model);
  if (!schema) {
    PrintUsageError(context.err, "the program has no data contract (not even the standard one)");
    return std::nullopt;
  }
  data::LoadOptions load_options;
  load_options.on_bad_row = on_bad_row == "skip" ? data::OnBadRow::Skip : data::OnBadRow::Fail;
  // Commands with `--threads` have checked it is a whole number; loading follows it too.
  load_options.threads = static_cast<unsigned>(std::strtoul(options.Get("--threads", "0").c_str(), nullptr, 10));
  for (const CompiledFile* file : files) {
    for (const ir::Program& program : file->programs) {
      for (std::string& column : evaluate::ColumnsRead(program)) load_options.kept_columns.push_back(std::move(column));
    }
  }
  load_options.kept_columns.insert(load_options.kept_columns.end(), also_read.begin(), also_read.end());
  if (load_options.kept_columns.empty()) load_options.kept_columns.emplace_back();  // no program: the ids alone
  load_options.validate_all = options.Has("--validate-all");
  std::string source = options.Get("--data", "");
  if (!options.Has("--no-cache")) {
    load_options.snapshot_folder = options.Has("--cache") ? options.Get("--cache", "") : data::DefaultSnapshotFolder(source);
  }
  if (progress != nullptr) {
    // The CSV files' size, for the share read; 0 (no share shown) for a database.
    auto size_of = [](const std::filesystem::path& path) {
      std::error_code error;
      uintmax_t size = std::filesystem::file_size(path, error);
      return error ? size_t{0} : static_cast<size_t>(size);
    };
    std::error_code not_a_folder;
    size_t bytes = std::filesystem::is_directory(source, not_a_folder)
                       ? size_of(std::filesystem::path(source) / "customers.csv") + size_of(std::filesystem::path(source) / "events.csv")
                       : size_of(source);
    progress->Phase("loading data", bytes);
    load_options.bytes_read = &progress->done();
  }
  load_options.rank = distribute::Rank();
  load_options.ranks = distribute::Ranks();
  // Processes on one machine read the same page cache: each skipping the others' rows costs less
  // than sending them. Across machines each reads its share.
  load_options.split_csv = context.env.split_csv || !distribute::OnOneMachine();
  data::LoadResult loaded = data::LoadData(source, *schema, load_options);
  data::MergeProcessLoads(loaded);
  if (!loaded.store) {
    context.err << "error: " << loaded.error << '\n';
    if (loaded.bad_row) context.err << "  = help: fix the row, or pass `--on-bad-row=skip` to load the rest\n";
    exit_code = loaded.io_error ? kExitUsageOrIo : kExitProgramErrors;
    return std::nullopt;
  }
  if (!loaded.snapshot_error.empty()) {
    context.err << "warning: no snapshot of the data for the next run: " << loaded.snapshot_error << '\n'
                << "  = help: pass `--cache DIR` to keep snapshots elsewhere, or `--no-cache`\n";
  }
  if (!AccountForRows(loaded, options, context, exit_code)) return std::nullopt;
  exit_code = kExitUsageOrIo;
  Dataset dataset;
  dataset.rows = loaded.rows;
  dataset.assumptions = loaded.assumptions;
  dataset.store = std::move(*loaded.store);
  if (!options.Has("--as-of")) as_of_day = static_cast<int32_t>(distribute::MaxAll(dataset.store.DayAfterLastEvent()));
  dataset.measure_options.as_of_day = as_of_day;
  auto read_by_programs = [&](bool (*needs)(std::string_view)) {
    for (const CompiledFile* file : files) {
      for (const ir::Program& program : file->programs) {
        for (const ir::ColumnSlot& slot : program.customer_columns) {
          if (slot.source == ir::ColumnSlot::Source::Measure && needs(slot.name)) return true;
        }
      }
    }
    return false;
  };
  dataset.measure_options.customer_base_models =
      needed == MeasuresNeeded::kSimulation || read_by_programs(measures::NeedsCustomerBaseModels);
  dataset.measure_options.ranks = read_by_programs(measures::NeedsRanks);
  if (progress != nullptr) progress->Phase("computing measures");
  // Kept beside the data's snapshot: a rerun as of the same date computes nothing.
  const std::string measures_key =
      loaded.snapshot_path.empty() ? "" : measures::MeasuresKey(loaded.snapshot_key, dataset.measure_options);
  const std::string measures_path = measures_key.empty() ? "" : measures::MeasuresPath(loaded.snapshot_path, measures_key);
  std::optional<measures::CustomerMeasures> kept =
      measures_key.empty() ? std::nullopt : measures::ReadMeasures(measures_path, measures_key, dataset.store.customers.rows);
  if (kept) {
    dataset.measures = std::move(*kept);
  } else {
    dataset.measures = measures::ComputeMeasures(dataset.store, dataset.measure_options);
    std::string unwritten;
    if (!measures_key.empty() && !measures::WriteMeasures(measures_path, measures_key, dataset.measures, unwritten)) {
      context.err << "warning: the measures are not kept for the next run: " << unwritten << '\n';
    }
  }
  dataset.now = int64_t{as_of_day} * 86400;
  exit_code = kExitSuccess;
  return dataset;
}

}  // namespace relc::driver
