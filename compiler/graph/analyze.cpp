// Analyses of a scenario graph, each a Boost.Graph algorithm:
//   - steps the trigger can never reach: breadth-first search from the trigger;
//   - steps from which the journey never ends: breadth-first search on the reversed graph from
//     every exit;
//   - loops that never wait: strongly connected components of the zero-time transitions;
//   - pressure: Dijkstra over (step, messages sent in the window) finds the quickest way to
//     send more than a cap allows (a warning: some journeys are capped); the dominator tree and
//     the longest time between dominating sends find sends that every journey reaches already
//     capped (an error: the step can never go out).
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/dag_shortest_paths.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <boost/graph/dominator_tree.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <boost/graph/reverse_graph.hpp>
#include <boost/graph/strong_components.hpp>
#include <boost/graph/topological_sort.hpp>
#include <boost/property_map/function_property_map.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "graph/scenario_graph.h"

namespace relc::graph {
namespace {

using Colors = std::vector<boost::default_color_type>;

std::string FormatDuration(double seconds) {
  constexpr double kDay = 86400;
  if (seconds >= kDay && std::fmod(seconds, kDay) == 0) {
    return fmt::format("{} day{}", seconds / kDay, seconds == kDay ? "" : "s");
  }
  if (seconds >= 3600 && std::fmod(seconds, 3600) == 0) return fmt::format("{} h", seconds / 3600);
  return fmt::format("{:.0f} min", seconds / 60);
}

bool IsStep(const Node& node) { return node.kind != NodeKind::Trigger && node.kind != NodeKind::End; }

class Analyzer {
 public:
  Analyzer(const ScenarioGraph& graph, DiagnosticSink& sink)
      : graph_(graph), g_(graph.graph), emitter_(graph.file, sink), n_(boost::num_vertices(g_)) {}

  void Run(const std::vector<PressureCap>& caps) {
    ReportUnreachable();
    ReportNeverEnding();
    ReportLoopsWithoutWait();
    if (!zero_time_loop_) {
      for (const auto& cap : caps) ReportCapBreaches(cap);
    }
  }

  bool errors() const { return errors_; }

 private:
  void ReportUnreachable() {
    reachable_.assign(n_, boost::white_color);
    boost::breadth_first_search(g_, graph_.trigger,
                                boost::color_map(boost::make_iterator_property_map(reachable_.begin(), boost::get(boost::vertex_index, g_))));
    // One warning per dead region: at the steps none of whose predecessors is dead too.
    for (Vertex v = 0; v < n_; ++v) {
      if (Reachable(v) || !IsStep(g_[v])) continue;
      bool head = true;
      for (auto [e, end] = boost::in_edges(v, g_); e != end; ++e) head = head && Reachable(boost::source(*e, g_));
      if (!head) continue;
      emitter_.Emit(DiagnosticKind::UnreachableStep, g_[v].range, graph_.scenario)
          .Primary("no journey reaches this step")
          .Note("the step before it exits or jumps away in every case");
    }
  }

  void ReportNeverEnding() {
    boost::reverse_graph<Graph> reversed(g_);
    Colors ends(n_, boost::white_color);
    auto color = boost::make_iterator_property_map(ends.begin(), boost::get(boost::vertex_index, g_));
    boost::queue<Vertex> queue;
    for (Vertex v = 0; v < n_; ++v) {
      if ((g_[v].kind == NodeKind::Exit || v == graph_.end) && ends[v] == boost::white_color) {
        boost::breadth_first_visit(reversed, v, queue, boost::default_bfs_visitor(), color);
      }
    }
    std::optional<Vertex> first;
    for (Vertex v = 0; v < n_; ++v) {
      if (Reachable(v) && IsStep(g_[v]) && ends[v] == boost::white_color &&
          (!first || g_[v].range.begin < g_[*first].range.begin)) {
        first = v;
      }
    }
    if (!first) return;
    errors_ = true;
    emitter_.Emit(DiagnosticKind::JourneyNeverEnds, g_[*first].range, graph_.scenario)
        .Primary("from here, no path leads to an exit")
        .Help("give the loop a way out, such as `wait 7 days or until purchase -> exit`");
  }

  void ReportLoopsWithoutWait() {
    auto zero_time = [this](Graph::edge_descriptor e) {
      const Edge& edge = g_[e];
      return edge.kind != EdgeKind::Event && edge.max_seconds == 0;
    };
    boost::filtered_graph<Graph, std::function<bool(Graph::edge_descriptor)>> instant(g_, zero_time);
    std::vector<int> component(n_);
    int count = boost::strong_components(instant, boost::make_iterator_property_map(component.begin(), boost::get(boost::vertex_index, g_)));
    std::vector<std::vector<Vertex>> members(count);
    for (Vertex v = 0; v < n_; ++v) members[component[v]].push_back(v);
    for (const auto& loop : members) {
      bool self_loop = loop.size() == 1 && boost::edge(loop[0], loop[0], instant).second;
      if (loop.size() < 2 && !self_loop) continue;
      Vertex first = *std::min_element(loop.begin(), loop.end(), [&](Vertex a, Vertex b) { return g_[a].range.begin < g_[b].range.begin; });
      auto builder = emitter_.Emit(DiagnosticKind::LoopWithoutWait, g_[first].range, graph_.scenario);
      builder.Primary("this loop runs again at once, forever");
      for (Vertex v : loop) {
        if (g_[v].kind == NodeKind::Goto) builder.Label(g_[v].range, "jumps back here without waiting");
      }
      builder.Help("put a `wait` in the loop, such as `wait 7 days`");
      errors_ = true;
      zero_time_loop_ = true;
    }
  }

  bool Matches(Vertex v, const PressureCap& cap) const {
    return g_[v].kind == NodeKind::Send && (cap.channel.empty() || g_[v].channel == cap.channel);
  }

  void ReportCapBreaches(const PressureCap& cap) {
    // Sends that every journey reaches with the cap already used up: errors.
    std::vector<Vertex> always = AlwaysCapped(cap);
    for (Vertex v : always) {
      errors_ = true;
      emitter_.Emit(DiagnosticKind::PressureAlwaysExceeded, g_[v].range, cap.text)
          .Primary("every journey that reaches this send has already used up the cap")
          .Note(fmt::format("the earlier sends on the way all fall within {}", FormatDuration(cap.window_seconds)))
          .Help("wait longer before this send, send it on another channel, or remove it");
    }
    // Otherwise, the quickest way some journey goes over the cap: a warning.
    if (!always.empty()) return;
    if (auto breach = QuickestBreach(cap)) {
      emitter_.Emit(DiagnosticKind::PressureMayBeExceeded, g_[breach->last].range, graph_.scenario, cap.count + 1,
                    cap.channel.empty() ? "messages" : cap.channel + " messages", cap.text)
          .Primary(fmt::format("can be message number {} within {}", cap.count + 1, FormatDuration(cap.window_seconds)))
          .Label(g_[breach->first].range, "counting from this send")
          .Note("the simulator will suppress it for those customers (`when capped` says what they do next)");
    }
  }

  struct Breach {
    Vertex first, last;
  };

  // Dijkstra on states (step, matching sends so far): the least time from some matching send to
  // the (count + 1)-th matching send.
  std::optional<Breach> QuickestBreach(const PressureCap& cap) {
    using Expanded = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property,
                                           boost::property<boost::edge_weight_t, double>>;
    const size_t levels = static_cast<size_t>(cap.count) + 2;
    auto state = [&](Vertex v, size_t k) { return v * levels + k; };
    Expanded expanded(n_ * levels + 1);
    const size_t source = n_ * levels;
    for (Vertex v = 0; v < n_; ++v) {
      if (Reachable(v) && Matches(v, cap)) boost::add_edge(source, state(v, 1), 0.0, expanded);
    }
    for (auto [e, end] = boost::edges(g_); e != end; ++e) {
      Vertex u = boost::source(*e, g_), v = boost::target(*e, g_);
      size_t step = Matches(v, cap) ? 1 : 0;
      for (size_t k = 1; k + step < levels; ++k) boost::add_edge(state(u, k), state(v, k + step), g_[*e].min_seconds, expanded);
    }
    std::vector<double> distance(boost::num_vertices(expanded));
    std::vector<size_t> predecessor(boost::num_vertices(expanded));
    boost::dijkstra_shortest_paths(expanded, source,
                                   boost::distance_map(distance.data()).predecessor_map(predecessor.data()));
    std::optional<size_t> best;
    for (Vertex v = 0; v < n_; ++v) {
      size_t s = state(v, levels - 1);
      if (distance[s] < cap.window_seconds && (!best || distance[s] < distance[*best])) best = s;
    }
    if (!best) return std::nullopt;
    size_t first = *best;
    while (predecessor[first] != source && predecessor[first] != first) first = predecessor[first];
    return Breach{static_cast<Vertex>(first / levels), static_cast<Vertex>(*best / levels)};
  }

  // Sends reached only after `count` earlier matching sends, all on every path to them (they
  // dominate the send), the earliest of which is less than the window before it even on the
  // slowest path.
  std::vector<Vertex> AlwaysCapped(const PressureCap& cap) {
    std::vector<Vertex> found;
    std::vector<Vertex> order;
    try {
      boost::topological_sort(g_, std::back_inserter(order));
    } catch (const boost::not_a_dag&) {
      return found;  // loops make the slowest path unbounded: no certainty
    }
    std::vector<Vertex> idom(n_, boost::graph_traits<Graph>::null_vertex());
    boost::lengauer_tarjan_dominator_tree(g_, graph_.trigger,
                                          boost::make_iterator_property_map(idom.begin(), boost::get(boost::vertex_index, g_)));
    for (Vertex v = 0; v < n_; ++v) {
      if (!Reachable(v) || !Matches(v, cap)) continue;
      std::vector<Vertex> earlier;  // dominating matching sends, nearest first
      for (Vertex d = idom[v]; d != boost::graph_traits<Graph>::null_vertex(); d = idom[d]) {
        if (Matches(d, cap)) earlier.push_back(d);
        if (d == graph_.trigger) break;
      }
      if (static_cast<int>(earlier.size()) < cap.count || cap.count == 0) continue;
      Vertex oldest = earlier[static_cast<size_t>(cap.count) - 1];
      if (SlowestTime(oldest, v) < cap.window_seconds) found.push_back(v);
    }
    return found;
  }

  // The longest time from `from` to `to` over every path, on the acyclic graph.
  double SlowestTime(Vertex from, Vertex to) {
    std::vector<double> distance(n_);
    auto negated = [this](Graph::edge_descriptor e) { return -g_[e].max_seconds; };
    auto weight = boost::make_function_property_map<Graph::edge_descriptor>(negated);
    boost::dag_shortest_paths(g_, from,
                              boost::weight_map(weight)
                                  .distance_map(boost::make_iterator_property_map(distance.begin(), boost::get(boost::vertex_index, g_)))
                                  .distance_inf(std::numeric_limits<double>::infinity())
                                  .distance_zero(0.0));
    return -distance[to];
  }

  bool Reachable(Vertex v) const { return reachable_[v] != boost::white_color; }

  const ScenarioGraph& graph_;
  const Graph& g_;
  DiagnosticEmitter emitter_;
  size_t n_;
  Colors reachable_;
  bool errors_ = false;
  bool zero_time_loop_ = false;
};

}  // namespace

bool AnalyzeScenarioGraph(const ScenarioGraph& graph, const std::vector<PressureCap>& caps, DiagnosticSink& sink) {
  Analyzer analyzer(graph, sink);
  analyzer.Run(caps);
  return !analyzer.errors();
}

}  // namespace relc::graph
