// A unified diff of two texts, line by line, for `relc fmt --check`.
#pragma once

#include <string>
#include <string_view>

namespace relc::driver {

// `diff -u` style, with three lines of context and `--- a/PATH` / `+++ b/PATH` headers; empty
// when the texts are equal. The edit script is minimal (Myers) up to a few thousand changed
// lines; beyond, the changed middle is shown as one hunk.
std::string UnifiedDiff(std::string_view before, std::string_view after, std::string_view path);

}  // namespace relc::driver
