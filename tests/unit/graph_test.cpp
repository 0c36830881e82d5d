#include <catch2/catch.hpp>

#include <algorithm>

#include "graph/scenario_graph.h"
#include "syntax/parse.h"

using namespace relc;

namespace {

struct Lowered {
  std::shared_ptr<const SourceFile> file;
  syntax::ParseResult parsed;
  graph::ScenarioGraph graph;
};

std::unique_ptr<Lowered> Lower(std::string text) {
  auto lowered = std::make_unique<Lowered>();
  lowered->file = std::make_shared<const SourceFile>("g.rel", std::move(text));
  DiagnosticCollector diagnostics;
  lowered->parsed = syntax::Parse(lowered->file, diagnostics);
  REQUIRE(diagnostics.diagnostics().empty());
  auto* scenario = lowered->parsed.module.decls.at(0)->As<ast::ScenarioDecl>();
  REQUIRE(scenario != nullptr);
  lowered->graph = graph::BuildScenarioGraph(*scenario, lowered->file);
  return lowered;
}

std::vector<graph::EdgeKind> OutKinds(const graph::Graph& g, graph::Vertex v) {
  std::vector<graph::EdgeKind> kinds;
  for (auto [e, end] = boost::out_edges(v, g); e != end; ++e) kinds.push_back(g[*e].kind);
  return kinds;
}

}  // namespace

TEST_CASE("a wait with routes has a timeout edge and one event edge per route", "[graph]") {
  auto lowered = Lower("scenario s { trigger enter p; send email \"a\"; wait 5 days or until purchase -> exit; send sms \"b\" }");
  const graph::Graph& g = lowered->graph.graph;
  // trigger, send, wait, exit, send, end
  REQUIRE(boost::num_vertices(g) == 6);
  graph::Vertex wait = 2;
  CHECK(g[wait].kind == graph::NodeKind::Wait);
  auto kinds = OutKinds(g, wait);
  std::sort(kinds.begin(), kinds.end());
  CHECK(kinds == std::vector<graph::EdgeKind>{graph::EdgeKind::Timeout, graph::EdgeKind::Event});
  for (auto [e, end] = boost::out_edges(wait, g); e != end; ++e) {
    if (g[*e].kind == graph::EdgeKind::Timeout) {
      CHECK(g[*e].min_seconds == 5 * 86400);
      CHECK(g[*e].max_seconds == 5 * 86400);
    } else {
      CHECK(g[*e].min_seconds == 0);  // the event may come at once
      CHECK(g[boost::target(*e, g)].kind == graph::NodeKind::Exit);
    }
  }
}

TEST_CASE("branch arms rejoin after the branch and a missing otherwise falls through", "[graph]") {
  auto lowered = Lower("scenario s { trigger enter p; branch { when x -> send email \"a\" }; send sms \"b\" }");
  const graph::Graph& g = lowered->graph.graph;
  graph::Vertex branch = 1, arm = 2, after = 3;
  CHECK(g[branch].kind == graph::NodeKind::Branch);
  auto kinds = OutKinds(g, branch);
  std::sort(kinds.begin(), kinds.end());
  CHECK(kinds == std::vector<graph::EdgeKind>{graph::EdgeKind::Condition, graph::EdgeKind::Otherwise});
  CHECK(boost::edge(arm, after, g).second);
  CHECK(boost::edge(branch, after, g).second);
}

TEST_CASE("split edges carry their weights and goto becomes a jump", "[graph]") {
  auto lowered = Lower(
      "scenario s { trigger enter p; again: split { 70% -> send email \"a\"; 30% -> send email \"b\" }; wait 1 day; goto again }");
  const graph::Graph& g = lowered->graph.graph;
  double total = 0;
  for (auto [e, end] = boost::out_edges(1, g); e != end; ++e) total += g[*e].weight;
  CHECK(total == 100);
  bool jump_back = false;
  for (auto [e, end] = boost::edges(g); e != end; ++e) {
    jump_back = jump_back || (g[*e].kind == graph::EdgeKind::Jump && boost::target(*e, g) == 1);
  }
  CHECK(jump_back);
}

TEST_CASE("pressure caps are read from the program", "[graph]") {
  auto file = std::make_shared<const SourceFile>(
      "g.rel", "program \"P\" { pressure { at most 2 messages per 7 days; at most 1 sms per month } }");
  DiagnosticCollector diagnostics;
  auto parsed = syntax::Parse(file, diagnostics);
  auto caps = graph::CapsOf(*parsed.module.decls.at(0)->As<ast::ProgramDecl>(), file);
  REQUIRE(caps.size() == 2);
  CHECK(caps[0].count == 2);
  CHECK(caps[0].channel.empty());
  CHECK(caps[0].window_seconds == 7 * 86400);
  CHECK(caps[1].channel == "sms");
  CHECK(caps[1].window_seconds == Approx(30.436875 * 86400));
}
