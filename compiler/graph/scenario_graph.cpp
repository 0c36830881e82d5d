// Lowering a scenario's steps to a graph.
#include "graph/scenario_graph.h"

#include <fmt/format.h>

#include <map>

#include "sema/types.h"

namespace relc::graph {
namespace {

constexpr double kDay = 86400;

// Seconds in a literal duration; nullopt for anything computed.
std::optional<double> LiteralSeconds(const ast::Expr* expr) {
  auto* number = expr ? expr->As<ast::NumberLiteral>() : nullptr;
  if (number == nullptr || !number->unit) return std::nullopt;
  std::optional<sema::Unit> unit = sema::ParseUnit(number->unit->name);
  if (!unit || unit->kind != sema::UnitKind::Duration) return std::nullopt;
  return number->value * unit->seconds;
}

class Builder {
 public:
  Builder(ScenarioGraph& out, const SourceFile& file, const sema::TemplateUse* use)
      : out_(out), g_(out.graph), file_(file), use_(use) {}

  void Build(const ast::ScenarioDecl& scenario) {
    std::string trigger_text;
    for (const auto& trigger : scenario.triggers) {
      std::string text(file_.Slice(trigger.range));
      // An instance's `trigger enter audience` shows the panel it binds.
      auto* subject = trigger.subject ? trigger.subject->As<ast::NameExpr>() : nullptr;
      if (use_ != nullptr && subject != nullptr && use_->Argument(subject->name) != nullptr) {
        size_t at = subject->range.begin - trigger.range.begin;
        text.replace(at, subject->range.end - subject->range.begin, use_->Bound(subject->name));
      }
      trigger_text += (trigger_text.empty() ? "" : "\n") + text;
    }
    out_.trigger = AddNode({NodeKind::Trigger, "", trigger_text.empty() ? "entered by another scenario" : trigger_text,
                            "", nullptr, scenario.name.range});
    std::vector<Pending> pending = {{out_.trigger, Edge{}}};
    pending = LowerSequence(scenario.steps, std::move(pending));
    out_.end = AddNode({NodeKind::End, "", "end", "", nullptr, {}});
    Connect(pending, out_.end);
    for (const auto& [from, target] : gotos_) {
      if (auto it = labels_.find(target); it != labels_.end()) {
        boost::add_edge(from, it->second, Edge{EdgeKind::Jump, "goto " + target, 0, 0, 0}, g_);
      }
    }
  }

 private:
  // An edge waiting for the vertex that comes next.
  struct Pending {
    Vertex from;
    Edge edge;
  };

  Vertex AddNode(Node node) { return boost::add_vertex(std::move(node), g_); }

  void Connect(const std::vector<Pending>& pending, Vertex to) {
    for (const auto& p : pending) boost::add_edge(p.from, to, p.edge, g_);
  }

  // An expression's text; a template parameter bound to a literal shows the literal.
  std::string Text(const ast::Expr* expr) const {
    if (expr == nullptr) return "";
    if (auto* number = expr->As<ast::NumberLiteral>(); number != nullptr && use_ != nullptr) {
      return number->digits + (number->percent ? "%" : "") + (number->unit ? " " + number->unit->name : "");
    }
    return std::string(file_.Slice(expr->range));
  }

  // In an instance's graph, a parameter stands for its argument when that is a literal.
  const ast::Expr* Argument(const ast::Expr* expr) const {
    auto* name = expr ? expr->As<ast::NameExpr>() : nullptr;
    if (use_ == nullptr || name == nullptr) return expr;
    const ast::Expr* argument = use_->Argument(name->name);
    return argument != nullptr && argument->As<ast::NumberLiteral>() != nullptr ? argument : expr;
  }

  std::string Bound(const std::string& name) const { return use_ ? use_->Bound(name) : name; }

  std::vector<Pending> LowerSequence(const std::vector<ast::StepPtr>& steps, std::vector<Pending> pending) {
    for (const auto& step : steps) pending = LowerStep(*step, std::move(pending));
    return pending;
  }

  std::vector<Pending> LowerTarget(const ast::StepTarget& target, std::vector<Pending> pending) {
    return LowerSequence(target.steps, std::move(pending));
  }

  std::vector<Pending> LowerStep(const ast::Step& step, std::vector<Pending> pending) {
    Node node;
    node.step = &step;
    node.range = step.range;
    node.label = step.label ? step.label->name : "";
    switch (step.kind) {
      case ast::StepKind::Send: {
        auto* send = step.As<ast::SendStep>();
        node.kind = NodeKind::Send;
        node.channel = Bound(send->channel.name);
        node.text = "send " + node.channel;
        if (send->message) node.text += " \"" + send->message->value + "\"";
        if (send->offer) node.text += " with " + Bound(send->offer->name);
        break;
      }
      case ast::StepKind::Wait: node.kind = NodeKind::Wait; break;
      case ast::StepKind::Branch: node.kind = NodeKind::Branch; node.text = "branch"; break;
      case ast::StepKind::Split: node.kind = NodeKind::Split; node.text = "split"; break;
      case ast::StepKind::Set: {
        auto* set = step.As<ast::SetStep>();
        node.kind = NodeKind::Set;
        node.text = "set ";
        for (size_t i = 0; i < set->path.size(); ++i) node.text += (i ? "." : "") + set->path[i].name;
        node.text += " = " + Text(set->value.get());
        break;
      }
      case ast::StepKind::Tag: node.kind = NodeKind::Tag; node.text = "tag \"" + step.As<ast::TagStep>()->tag.value + "\""; break;
      case ast::StepKind::Untag:
        node.kind = NodeKind::Untag;
        node.text = "untag \"" + step.As<ast::UntagStep>()->tag.value + "\"";
        break;
      case ast::StepKind::Goto: node.kind = NodeKind::Goto; node.text = "goto " + step.As<ast::GotoStep>()->target.name; break;
      case ast::StepKind::Enter: node.kind = NodeKind::Enter; node.text = "enter " + step.As<ast::EnterStep>()->scenario.name; break;
      case ast::StepKind::Exit: node.kind = NodeKind::Exit; node.text = "exit"; break;
    }
    if (auto* wait = step.As<ast::WaitStep>()) node.text = (wait->until ? "wait until " : "wait ") + Text(Argument(wait->spec.get()));

    Vertex v = AddNode(node);
    Connect(pending, v);
    if (!node.label.empty()) labels_.emplace(node.label, v);

    switch (step.kind) {
      case ast::StepKind::Exit:
        return {};
      case ast::StepKind::Goto:
        gotos_.emplace_back(v, step.As<ast::GotoStep>()->target.name);
        return {};
      case ast::StepKind::Wait: {
        auto* wait = step.As<ast::WaitStep>();
        double min = 0, max = kForever;
        if (!wait->until) {
          if (auto seconds = LiteralSeconds(Argument(wait->spec.get()))) min = max = *seconds;
        } else if (wait->spec && wait->spec->As<ast::TimeOfDayLiteral>() != nullptr) {
          max = kDay;  // the next occurrence of a time of day is at most a day away
        }
        std::vector<Pending> after = {{v, Edge{EdgeKind::Timeout, wait->until ? "" : Text(Argument(wait->spec.get())), min, max, 0}}};
        for (const auto& route : wait->routes) {
          std::string label = Text(route.event.get());
          if (route.match_key) label += " matching " + route.match_key->name;
          auto rest = LowerTarget(route.target, {{v, Edge{EdgeKind::Event, label, 0, max, 0}}});
          after.insert(after.end(), rest.begin(), rest.end());
        }
        return after;
      }
      case ast::StepKind::Branch: {
        auto* branch = step.As<ast::BranchStep>();
        std::vector<Pending> after;
        for (const auto& arm : branch->arms) {
          auto rest = LowerTarget(arm.target, {{v, Edge{EdgeKind::Condition, Text(arm.condition.get()), 0, 0, 0}}});
          after.insert(after.end(), rest.begin(), rest.end());
        }
        Edge otherwise{EdgeKind::Otherwise, "otherwise", 0, 0, 0};
        if (branch->otherwise) {
          auto rest = LowerTarget(*branch->otherwise, {{v, otherwise}});
          after.insert(after.end(), rest.begin(), rest.end());
        } else {
          after.push_back({v, otherwise});
        }
        return after;
      }
      case ast::StepKind::Split: {
        auto* split = step.As<ast::SplitStep>();
        std::vector<Pending> after;
        for (const auto& arm : split->arms) {
          auto* weight = arm.weight ? arm.weight->As<ast::NumberLiteral>() : nullptr;
          Edge edge{EdgeKind::Weight, Text(arm.weight.get()), 0, 0, weight ? weight->value : 0};
          auto rest = LowerTarget(arm.target, {{v, edge}});
          after.insert(after.end(), rest.begin(), rest.end());
        }
        return after;
      }
      default:
        return {{v, Edge{}}};
    }
  }

  ScenarioGraph& out_;
  Graph& g_;
  const SourceFile& file_;
  const sema::TemplateUse* use_;  // null unless building a template's instance
  std::map<std::string, Vertex> labels_;
  std::vector<std::pair<Vertex, std::string>> gotos_;
};

}  // namespace

ScenarioGraph BuildScenarioGraph(const ast::ScenarioDecl& scenario, std::shared_ptr<const SourceFile> file) {
  ScenarioGraph out;
  out.scenario = scenario.name.name;
  out.file = file;
  Builder(out, *file, nullptr).Build(scenario);
  return out;
}

ScenarioGraph BuildInstanceGraph(const ast::ScenarioDecl& instance, const sema::TemplateUse& use) {
  ScenarioGraph out;
  out.scenario = instance.name.name;
  out.file = use.file;
  Builder(out, *use.file, &use).Build(*use.scenario);
  return out;
}

std::vector<PressureCap> CapsOf(const ast::PressureDecl& pressure, const std::shared_ptr<const SourceFile>& file) {
  static const std::map<std::string, double, std::less<>> kPeriods = {
      {"day", kDay}, {"week", 7 * kDay}, {"month", 30.436875 * kDay}, {"year", 365.2425 * kDay}};
  std::vector<PressureCap> caps;
  for (const auto& rule : pressure.rules) {
    // A minimum gap is a cap of one message per gap: a send within it of the last is suppressed.
    if (rule.kind == ast::PressureRuleKind::MinimumGap) {
      std::optional<double> gap = LiteralSeconds(rule.amount.get());
      if (!gap || *gap <= 0) continue;
      caps.push_back({.count = 1, .channel = "", .window_seconds = *gap, .across_programs = false,
                      .text = std::string(file->Slice(rule.range)), .range = rule.range, .file = file});
      continue;
    }
    if (rule.kind != ast::PressureRuleKind::Cap) continue;
    auto* count = rule.amount ? rule.amount->As<ast::NumberLiteral>() : nullptr;
    if (count == nullptr || !count->unit) continue;
    std::optional<double> window = LiteralSeconds(rule.period.get());
    if (auto* period = rule.period ? rule.period->As<ast::NameExpr>() : nullptr) {
      if (auto it = kPeriods.find(period->name); it != kPeriods.end()) window = it->second;
    }
    if (!window) continue;
    PressureCap cap;
    cap.count = static_cast<int>(count->value);
    cap.channel = count->unit->name == "messages" || count->unit->name == "message" ? "" : count->unit->name;
    cap.window_seconds = *window;
    cap.across_programs = rule.across_programs;
    cap.text = std::string(file->Slice(rule.range));
    cap.range = rule.range;
    cap.file = file;
    caps.push_back(cap);
  }
  return caps;
}

std::vector<PressureCap> CapsOf(const ast::ProgramDecl& program, const std::shared_ptr<const SourceFile>& file) {
  std::vector<PressureCap> caps;
  for (const auto& member : program.members) {
    if (auto* pressure = member->As<ast::PressureDecl>()) {
      for (PressureCap& cap : CapsOf(*pressure, file)) caps.push_back(std::move(cap));
    }
  }
  return caps;
}

}  // namespace relc::graph
