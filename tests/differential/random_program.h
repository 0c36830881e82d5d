// Random well-typed programs over the standard CRM schema, for differential testing of the two
// engines: panels (attribute, measure, history, ranking and set conditions, with nulls, money,
// dates and durations), KPIs and expectations over metrics, and small scenarios (branches on
// responses and conditions, splits, waits of every kind, sets and tags).
//
// A program is a list of items (declarations); any prefix-closed subset that keeps the items
// an item refers to is again a valid program, which is how failing cases are shrunk.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace relc::differential {

struct Item {
  std::string name;              // the declared name: p3, k1, s0...
  std::string text;              // the declaration, one or more lines
  std::set<std::string> needs;   // names of earlier items it refers to
};

struct RandomProgram {
  std::vector<Item> items;
  // The whole file for the items kept (all when `keep` is empty).
  std::string Text(const std::set<std::string>& keep = {}) const;
};

RandomProgram GenerateRandomProgram(uint64_t seed);

}  // namespace relc::differential
