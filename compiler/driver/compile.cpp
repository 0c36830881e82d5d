#include "driver/compile.h"

#include "ir/lower.h"

namespace relc::driver {

CompiledFile CompileFile(const std::shared_ptr<const SourceFile>& file, DiagnosticSink& sink) {
  CompiledFile out;
  sema::CheckOptions options{.stdlib_dir = sema::StdlibDir()};
  out.checked = sema::Check(file, sink, options);
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
  for (const auto& decl : root.ast.decls) {
    if (auto* program = decl->As<ast::ProgramDecl>()) {
      std::vector<graph::PressureCap> caps = graph::CapsOf(*program, root.file);
      for (const auto& member : program->members) lower(*member, caps);
    } else {
      lower(*decl, {});
    }
  }
  if (out.has_errors) return out;
  ir::LowerResult lowered = ir::Lower(out.checked.model, sink);
  out.has_errors = lowered.has_errors;
  out.programs = std::move(lowered.programs);
  return out;
}

}  // namespace relc::driver
