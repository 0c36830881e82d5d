#include "driver/unified_diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <vector>

namespace relc::driver {
namespace {

constexpr int kContext = 3;
// Myers keeps one frontier per edit distance; past this many edits, memory and time would grow
// with its square, so the rest is shown as one replaced block.
constexpr int kMaxEdits = 4000;

// Lines with their `\n`, so that a missing final newline is a difference too.
std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    end = end == std::string_view::npos ? text.size() : end + 1;
    lines.push_back(text.substr(begin, end - begin));
    begin = end;
  }
  return lines;
}

enum class Op { Keep, Remove, Add };

struct Edit {
  Op op;
  int old_line;  // 0-based index into the old lines (Keep, Remove)
  int new_line;  // 0-based index into the new lines (Keep, Add)
};

// The shortest edit script from a[lo_a, hi_a) to b[lo_b, hi_b), or nullopt past kMaxEdits.
std::optional<std::vector<Edit>> Myers(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  int n = static_cast<int>(a.size()), m = static_cast<int>(b.size());
  int max = std::min(n + m, kMaxEdits);
  std::vector<int> v(2 * static_cast<size_t>(max) + 2, 0);
  std::vector<std::vector<int>> trace;
  int offset = max + 1;
  for (int d = 0; d <= max; ++d) {
    trace.push_back(v);
    for (int k = -d; k <= d; k += 2) {
      int x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      int y = x - k;
      while (x < n && y < m && a[x] == b[y]) ++x, ++y;
      v[offset + k] = x;
      if (x >= n && y >= m) {
        std::vector<Edit> edits;
        for (int back = d; back > 0; --back) {
          const std::vector<int>& before = trace[back];
          int kk = x - y;
          int prev_k = (kk == -back || (kk != back && before[offset + kk - 1] < before[offset + kk + 1])) ? kk + 1 : kk - 1;
          int prev_x = before[offset + prev_k];
          int prev_y = prev_x - prev_k;
          while (x > prev_x && y > prev_y) edits.push_back({Op::Keep, --x, --y});
          if (x == prev_x) {
            edits.push_back({Op::Add, x, --y});
          } else {
            edits.push_back({Op::Remove, --x, y});
          }
        }
        while (x > 0 && y > 0) edits.push_back({Op::Keep, --x, --y});
        std::reverse(edits.begin(), edits.end());
        return edits;
      }
    }
  }
  return std::nullopt;
}

// Keep the common head and tail, replace the middle whole.
std::vector<Edit> ReplaceMiddle(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  int n = static_cast<int>(a.size()), m = static_cast<int>(b.size());
  int head = 0;
  while (head < n && head < m && a[head] == b[head]) ++head;
  int tail = 0;
  while (tail < n - head && tail < m - head && a[n - 1 - tail] == b[m - 1 - tail]) ++tail;
  std::vector<Edit> edits;
  for (int i = 0; i < head; ++i) edits.push_back({Op::Keep, i, i});
  for (int i = head; i < n - tail; ++i) edits.push_back({Op::Remove, i, head});
  for (int j = head; j < m - tail; ++j) edits.push_back({Op::Add, n - tail, j});
  for (int i = 0; i < tail; ++i) edits.push_back({Op::Keep, n - tail + i, m - tail + i});
  return edits;
}

}  // namespace

std::string UnifiedDiff(std::string_view before, std::string_view after, std::string_view path) {
  if (before == after) return "";
  std::vector<std::string_view> a = SplitLines(before), b = SplitLines(after);
  std::vector<Edit> edits;
  if (auto shortest = Myers(a, b)) {
    edits = std::move(*shortest);
  } else {
    edits = ReplaceMiddle(a, b);
  }

  std::string out = fmt::format("--- a/{}\n+++ b/{}\n", path, path);
  size_t i = 0;
  while (i < edits.size()) {
    if (edits[i].op == Op::Keep) {
      ++i;
      continue;
    }
    // A hunk: from kContext lines before this change to kContext lines after the last change
    // that is at most 2 * kContext kept lines further.
    size_t begin = i >= kContext ? i - kContext : 0;
    while (begin < i && edits[begin].op != Op::Keep) ++begin;
    size_t end = i;
    size_t kept_run = 0;
    for (size_t k = i; k < edits.size(); ++k) {
      if (edits[k].op == Op::Keep) {
        if (++kept_run > 2 * kContext) break;
      } else {
        kept_run = 0;
        end = k + 1;
      }
    }
    size_t stop = std::min(edits.size(), end + kContext);
    int old_count = 0, new_count = 0;
    for (size_t k = begin; k < stop; ++k) {
      old_count += edits[k].op != Op::Add;
      new_count += edits[k].op != Op::Remove;
    }
    int old_start = edits[begin].old_line + (old_count > 0 ? 1 : 0);
    int new_start = edits[begin].new_line + (new_count > 0 ? 1 : 0);
    out += fmt::format("@@ -{},{} +{},{} @@\n", old_start, old_count, new_start, new_count);
    for (size_t k = begin; k < stop; ++k) {
      const Edit& edit = edits[k];
      char mark = edit.op == Op::Keep ? ' ' : edit.op == Op::Remove ? '-' : '+';
      std::string_view line = edit.op == Op::Add ? b[edit.new_line] : a[edit.old_line];
      out += mark;
      out += line;
      if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
    }
    i = stop;
  }
  return out;
}

}  // namespace relc::driver
