// "Did you mean ...?": the closest candidate to a misspelt name, after rustc: a
// case-insensitive exact match first, else the smallest edit distance (transpositions count
// as one edit) no larger than max(length, 3) / 3.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace relc {

size_t EditDistance(std::string_view a, std::string_view b);

std::optional<std::string> ClosestMatch(std::string_view name, std::span<const std::string> candidates);

}  // namespace relc
