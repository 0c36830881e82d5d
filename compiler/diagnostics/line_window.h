// The part of a long source line that a diagnostic shows: a minified line may be megabytes long,
// with a diagnostic every few bytes of it, and no reader needs all of it each time.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace relc {

// Bytes [begin, end) of a line, on code point boundaries.
struct LineWindow {
  size_t begin = 0, end = 0;
  bool cut_before() const { return begin > 0; }
  bool cut_after(std::string_view line) const { return end < line.size(); }
};

// The whole line when it has at most `most_bytes`; otherwise a window that starts a little
// before `first` and reaches `last_end` if it can, at most twice `most_bytes` long.
inline LineWindow WindowOf(std::string_view line, size_t first, size_t last_end, size_t most_bytes) {
  if (line.size() <= most_bytes) return {0, line.size()};
  auto to_code_point = [&](size_t at) {
    while (at > 0 && at < line.size() && (static_cast<unsigned char>(line[at]) & 0xC0) == 0x80) --at;
    return at;
  };
  const size_t context_before = most_bytes / 4;
  LineWindow window;
  window.begin = to_code_point(first > context_before ? first - context_before : 0);
  const size_t wanted = std::max(last_end, window.begin + most_bytes);
  window.end = to_code_point(std::min({line.size(), wanted, window.begin + 2 * most_bytes}));
  return window;
}

}  // namespace relc
