#include "driver/compile.h"

#include <chrono>

#include "ir/lower.h"

namespace relc::driver {

namespace {

double MillisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

CompiledFile CompileFile(const std::shared_ptr<const SourceFile>& file, DiagnosticSink& sink,
                         const CompileOptions& compile_options) {
  CompiledFile out;
  sema::CheckOptions options{.stdlib_dir = sema::StdlibDir(), .model_files = compile_options.model_files};
  auto start = std::chrono::steady_clock::now();
  out.checked = sema::Check(file, sink, options);
  out.times.check_ms = MillisecondsSince(start);
  out.has_errors = out.checked.has_errors;
  if (out.has_errors) return out;  // graphs of an ill-typed program would only echo its errors

  const sema::Module& root = out.checked.model.modules.front();
  auto lower = [&](const ast::Decl& decl, const std::vector<graph::PressureCap>& caps) {
    auto* scenario = decl.As<ast::ScenarioDecl>();
    if (scenario == nullptr || scenario->parameters) return;
    std::optional<sema::TemplateUse> use = sema::TemplateOf(out.checked.model, *scenario);
    if (scenario->instance_of && !use) return;
    graph::ScenarioGraph scenario_graph =
        use ? graph::BuildInstanceGraph(*scenario, *use) : graph::BuildScenarioGraph(*scenario, root.file);
    if (!graph::AnalyzeScenarioGraph(scenario_graph, caps, sink)) out.has_errors = true;
    out.graphs.push_back(std::move(scenario_graph));
  };
  start = std::chrono::steady_clock::now();
  for (const auto& decl : root.ast.decls) {
    if (auto* program = decl->As<ast::ProgramDecl>()) {
      std::vector<graph::PressureCap> caps = graph::CapsOf(*program, root.file);
      for (const auto& member : program->members) lower(*member, caps);
    } else {
      lower(*decl, {});
    }
  }
  out.times.graph_ms = MillisecondsSince(start);
  if (out.has_errors) return out;
  start = std::chrono::steady_clock::now();
  ir::LowerResult lowered = ir::Lower(out.checked.model, sink);
  out.times.lower_ms = MillisecondsSince(start);
  out.has_errors = lowered.has_errors;
  out.programs = std::move(lowered.programs);
  return out;
}

}  // namespace relc::driver
