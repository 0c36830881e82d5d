// Scenario templates: what an instance (`scenario x = winback(audience: dormant)`) binds.
#include "sema/sema.h"

namespace relc::sema {

const ast::Expr* TemplateUse::Argument(std::string_view name) const {
  if (scenario == nullptr || !scenario->parameters) return nullptr;
  const std::vector<ast::Parameter>& parameters = *scenario->parameters;
  for (size_t i = 0; i < parameters.size(); ++i) {
    if (parameters[i].name.name != name) continue;
    for (size_t j = 0; j < call->arguments.size(); ++j) {
      const ast::Argument& argument = call->arguments[j];
      if (argument.name ? argument.name->name == name : j == i) return argument.value.get();
    }
    return parameters[i].default_value.get();
  }
  return nullptr;
}

std::string TemplateUse::Bound(std::string_view name) const {
  const ast::Expr* argument = Argument(name);
  auto* bound = argument ? argument->As<ast::NameExpr>() : nullptr;
  return bound != nullptr ? bound->name : std::string(name);
}

std::optional<TemplateUse> TemplateOf(const SemanticModel& model, const ast::ScenarioDecl& instance) {
  auto* call = instance.instance_of ? instance.instance_of->As<ast::CallExpr>() : nullptr;
  if (call == nullptr) return std::nullopt;
  auto it = model.references.find(call->callee.get());
  if (it == model.references.end() || it->second->decl == nullptr) return std::nullopt;
  auto* scenario = it->second->decl->As<ast::ScenarioDecl>();
  if (scenario == nullptr || !scenario->parameters) return std::nullopt;
  return TemplateUse{scenario, call, it->second->file};
}

}  // namespace relc::sema
