// A scenario as a graph (Boost.Graph): steps are vertices, transitions are edges carrying their
// condition, delay, timeout or split weight. Built from a checked scenario; analysed for
// unreachable steps, journeys that never end, loops that never wait and pressure caps that
// steps cannot respect; drawn for people (dot, Mermaid, SVG, PNG) and for tools (JSON); and
// what code generation consumes.
#pragma once

#include <boost/graph/adjacency_list.hpp>

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "ast/ast.h"
#include "diagnostics/diagnostic.h"
#include "sema/sema.h"

namespace relc::graph {

enum class NodeKind { Trigger, Send, Wait, Branch, Split, Set, Tag, Untag, Goto, Enter, Exit, End };

struct Node {
  NodeKind kind = NodeKind::End;
  std::string label;       // the step's label, if it has one
  std::string text;        // what the step does: `send email "winback-1" with comeback`
  std::string channel;     // Send only
  const ast::Step* step = nullptr;
  SourceRange range;
};

enum class EdgeKind { Next, Timeout, Event, Condition, Otherwise, Weight, Jump };

constexpr double kForever = std::numeric_limits<double>::infinity();

struct Edge {
  EdgeKind kind = EdgeKind::Next;
  std::string label;         // condition, event, weight or delay, as written
  double min_seconds = 0;    // the least time this transition can take
  double max_seconds = 0;    // the most (kForever: unbounded, such as waiting for a date)
  double weight = 0;         // Weight only: the split's share, 0-100
};

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, Node, Edge>;
using Vertex = Graph::vertex_descriptor;

struct ScenarioGraph {
  std::string scenario;
  std::shared_ptr<const SourceFile> file;
  Graph graph;
  Vertex trigger = 0;
  Vertex end = 0;  // falling off the last step
};

ScenarioGraph BuildScenarioGraph(const ast::ScenarioDecl& scenario, std::shared_ptr<const SourceFile> file);
// The graph of `scenario x = template(...)`: the template's steps, under the instance's name,
// with the channels, offers and literal durations it binds.
ScenarioGraph BuildInstanceGraph(const ast::ScenarioDecl& instance, const sema::TemplateUse& use);

// A marketing-pressure cap that applies to the scenario: at most `count` messages (on
// `channel`, or on any channel when empty) per `window_seconds`.
struct PressureCap {
  int count = 0;
  std::string channel;
  double window_seconds = 0;
  bool across_programs = false;  // counts the sends of every program run together
  std::string text;  // as written, for messages
  SourceRange range;
  std::shared_ptr<const SourceFile> file;
};

// The program's caps, from its `pressure` blocks.
std::vector<PressureCap> CapsOf(const ast::ProgramDecl& program, const std::shared_ptr<const SourceFile>& file);
// The caps of one `pressure` block (a program's, or a shared policy's at the top of a file).
std::vector<PressureCap> CapsOf(const ast::PressureDecl& pressure, const std::shared_ptr<const SourceFile>& file);

// Runs every analysis and reports what it finds. Returns false if it reported an error.
bool AnalyzeScenarioGraph(const ScenarioGraph& graph, const std::vector<PressureCap>& caps, DiagnosticSink& sink);

// Renderers.
std::string ToDot(const ScenarioGraph& graph);
std::string ToMermaid(const ScenarioGraph& graph);
std::string ToJson(const std::vector<ScenarioGraph>& graphs);

}  // namespace relc::graph
