// Drawing scenario graphs. A person should follow the journey from the picture alone: the
// trigger at the top, each kind of step with its own shape, every transition labelled with its
// condition, delay, event or weight, and the exits marked.
#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "graph/scenario_graph.h"

namespace relc::graph {
namespace {

std::string_view KindName(NodeKind kind) {
  switch (kind) {
    case NodeKind::Trigger: return "trigger";
    case NodeKind::Send: return "send";
    case NodeKind::Wait: return "wait";
    case NodeKind::Branch: return "branch";
    case NodeKind::Split: return "split";
    case NodeKind::Set: return "set";
    case NodeKind::Tag: return "tag";
    case NodeKind::Untag: return "untag";
    case NodeKind::Goto: return "goto";
    case NodeKind::Enter: return "enter";
    case NodeKind::Exit: return "exit";
    case NodeKind::End: return "end";
  }
  return "?";
}

std::string_view EdgeKindName(EdgeKind kind) {
  switch (kind) {
    case EdgeKind::Next: return "next";
    case EdgeKind::Timeout: return "timeout";
    case EdgeKind::Event: return "event";
    case EdgeKind::Condition: return "condition";
    case EdgeKind::Otherwise: return "otherwise";
    case EdgeKind::Weight: return "weight";
    case EdgeKind::Jump: return "jump";
  }
  return "?";
}

std::string NodeText(const Node& node) {
  const std::string& text = node.text;
  return node.label.empty() ? text : node.label + ": " + text;
}

std::string EdgeText(const Edge& edge) {
  switch (edge.kind) {
    case EdgeKind::Next: return "";
    case EdgeKind::Timeout: return edge.label.empty() ? "then" : "after " + edge.label;
    case EdgeKind::Event: return "on " + edge.label;
    case EdgeKind::Condition: return "when " + edge.label;
    case EdgeKind::Otherwise: return "otherwise";
    case EdgeKind::Weight: return edge.label;
    case EdgeKind::Jump: return edge.label;
  }
  return "";
}

std::string DotEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string DotStyle(NodeKind kind) {
  switch (kind) {
    case NodeKind::Trigger: return R"(shape=house, style=filled, fillcolor="#dbeafe", penwidth=2)";
    case NodeKind::Send: return R"(shape=box, style="rounded,filled", fillcolor="#dcfce7")";
    case NodeKind::Wait: return R"(shape=ellipse, style=filled, fillcolor="#fef9c3")";
    case NodeKind::Branch: return R"(shape=diamond, style=filled, fillcolor="#e0e7ff")";
    case NodeKind::Split: return R"(shape=diamond, style=filled, fillcolor="#fae8ff")";
    case NodeKind::Set:
    case NodeKind::Tag:
    case NodeKind::Untag: return R"(shape=note, style=filled, fillcolor="#f3f4f6")";
    case NodeKind::Goto: return R"(shape=cds, style=filled, fillcolor="#f3f4f6")";
    case NodeKind::Enter: return R"(shape=component, style=filled, fillcolor="#e0f2fe")";
    case NodeKind::Exit:
    case NodeKind::End: return R"(shape=doublecircle, style=filled, fillcolor="#fee2e2", fontsize=10)";
  }
  return "";
}

std::string MermaidEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"') out += "#quot;";
    else if (c == '\n') out += "<br/>";
    else out.push_back(c);
  }
  return out;
}

}  // namespace

std::string ToDot(const ScenarioGraph& graph) {
  const Graph& g = graph.graph;
  std::string out = fmt::format("digraph \"{}\" {{\n", DotEscape(graph.scenario));
  out += "  graph [rankdir=TB, fontname=\"Helvetica\", labelloc=t, label=\"scenario " + DotEscape(graph.scenario) + "\"];\n";
  out += "  node [fontname=\"Helvetica\", fontsize=11];\n  edge [fontname=\"Helvetica\", fontsize=10];\n";
  for (Vertex v = 0; v < boost::num_vertices(g); ++v) {
    out += fmt::format("  n{} [label=\"{}\", {}];\n", v, DotEscape(NodeText(g[v])), DotStyle(g[v].kind));
  }
  for (auto [e, end] = boost::edges(g); e != end; ++e) {
    const Edge& edge = g[*e];
    std::string attributes;
    if (std::string text = EdgeText(edge); !text.empty()) attributes = fmt::format("label=\"{}\"", DotEscape(text));
    if (edge.kind == EdgeKind::Jump) attributes += (attributes.empty() ? "" : ", ") + std::string("style=dashed");
    if (edge.kind == EdgeKind::Event) attributes += (attributes.empty() ? "" : ", ") + std::string("color=\"#2563eb\"");
    out += fmt::format("  n{} -> n{}{};\n", boost::source(*e, g), boost::target(*e, g),
                       attributes.empty() ? "" : " [" + attributes + "]");
  }
  return out + "}\n";
}

std::string ToMermaid(const ScenarioGraph& graph) {
  const Graph& g = graph.graph;
  std::string out = "flowchart TD\n";
  for (Vertex v = 0; v < boost::num_vertices(g); ++v) {
    std::string text = MermaidEscape(NodeText(g[v]));
    switch (g[v].kind) {
      case NodeKind::Trigger: out += fmt::format("  n{}>\"{}\"]\n", v, text); break;
      case NodeKind::Wait: out += fmt::format("  n{}([\"{}\"])\n", v, text); break;
      case NodeKind::Branch:
      case NodeKind::Split: out += fmt::format("  n{}{{\"{}\"}}\n", v, text); break;
      case NodeKind::Exit:
      case NodeKind::End: out += fmt::format("  n{}((\"{}\"))\n", v, text); break;
      default: out += fmt::format("  n{}[\"{}\"]\n", v, text); break;
    }
  }
  for (auto [e, end] = boost::edges(g); e != end; ++e) {
    std::string text = EdgeText(g[*e]);
    std::string arrow = g[*e].kind == EdgeKind::Jump ? "-.->" : "-->";
    if (text.empty()) {
      out += fmt::format("  n{} {} n{}\n", boost::source(*e, g), arrow, boost::target(*e, g));
    } else {
      out += fmt::format("  n{} {}|\"{}\"| n{}\n", boost::source(*e, g), arrow, MermaidEscape(text), boost::target(*e, g));
    }
  }
  return out;
}

std::string ToJson(const std::vector<ScenarioGraph>& graphs) {
  using nlohmann::ordered_json;
  ordered_json scenarios = ordered_json::array();
  for (const auto& graph : graphs) {
    const Graph& g = graph.graph;
    ordered_json nodes = ordered_json::array(), edges = ordered_json::array();
    for (Vertex v = 0; v < boost::num_vertices(g); ++v) {
      ordered_json node = {{"id", v}, {"kind", KindName(g[v].kind)}, {"label", g[v].label}, {"text", g[v].text}};
      if (!g[v].channel.empty()) node["channel"] = g[v].channel;
      if (g[v].kind != NodeKind::End) {
        LineColumn at = graph.file->Locate(g[v].range.begin);
        node["line"] = at.line;
        node["column"] = at.column;
      }
      nodes.push_back(node);
    }
    for (auto [e, end] = boost::edges(g); e != end; ++e) {
      const Edge& edge = g[*e];
      ordered_json out = {{"from", boost::source(*e, g)}, {"to", boost::target(*e, g)}, {"kind", EdgeKindName(edge.kind)},
                          {"label", edge.label},           {"min_seconds", edge.min_seconds}};
      out["max_seconds"] = std::isinf(edge.max_seconds) ? ordered_json(nullptr) : ordered_json(edge.max_seconds);
      if (edge.kind == EdgeKind::Weight) out["weight_percent"] = edge.weight;
      edges.push_back(out);
    }
    scenarios.push_back({{"name", graph.scenario},
                         {"file", graph.file->path()},
                         {"trigger", graph.trigger},
                         {"end", graph.end},
                         {"nodes", nodes},
                         {"edges", edges}});
  }
  return ordered_json{{"scenarios", scenarios}}.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace relc::graph
