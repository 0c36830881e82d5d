// Human rendering, after rustc:
//
//   error[REL0011]: expected `}` to close scenario `winback` opened at 3:12
//     --> program.rel:9:1
//      |
//    3 | scenario winback {
//      |                  - scenario opened here
//    ...
//    9 |
//      | ^ expected `}`
//      |
//      = help: add `}` after the last step
#include <algorithm>
#include <map>
#include <sstream>

#include "diagnostics/line_window.h"
#include "diagnostics/render.h"

namespace relc {
namespace {

constexpr int kTabWidth = 4;

struct Palette {
  std::string_view reset, bold, error, warning, note, gutter, secondary;
};

Palette MakePalette(bool color) {
  if (!color) return {};
  return {"\x1b[0m", "\x1b[1m", "\x1b[1;31m", "\x1b[1;33m", "\x1b[1;36m", "\x1b[1;34m",
          "\x1b[1;34m"};
}

std::string_view SeverityColor(Severity severity, const Palette& palette) {
  switch (severity) {
    case Severity::Error:
      return palette.error;
    case Severity::Warning:
      return palette.warning;
    case Severity::Note:
      return palette.note;
  }
  return palette.error;
}

// Display column (0-based, tabs expanded) of byte `offset_in_line` within `line`.
int DisplayColumn(std::string_view line, size_t offset_in_line) {
  int column = 0;
  for (size_t i = 0; i < offset_in_line && i < line.size(); ++i) {
    auto byte = static_cast<unsigned char>(line[i]);
    if (line[i] == '\t') {
      column += kTabWidth - column % kTabWidth;
    } else if ((byte & 0xC0) != 0x80) {
      ++column;
    }
  }
  return column;
}

std::string ExpandTabs(std::string_view line) {
  std::string out;
  int column = 0;
  for (char c : line) {
    if (c == '\t') {
      int spaces = kTabWidth - column % kTabWidth;
      out.append(spaces, ' ');
      column += spaces;
      continue;
    }
    out.push_back(c);
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++column;
  }
  return out;
}

// A line longer than this is shown as a window around its markers, cut with `...` (as rustc does).
constexpr size_t kMostShownBytes = 160;

std::string Shown(std::string_view line, const LineWindow& window) {
  return (window.cut_before() ? "..." : "") + ExpandTabs(line.substr(window.begin, window.end - window.begin)) +
         (window.cut_after(line) ? "..." : "");
}

struct Marker {
  SourceRange range;
  std::string_view message;
  bool primary;
};

void Render(const Diagnostic& diagnostic, const HumanStyle& style, std::ostream& out) {
  Palette palette = MakePalette(style.color);
  std::string_view severity_color = SeverityColor(diagnostic.severity, palette);
  out << severity_color << SeverityName(diagnostic.severity) << '[' << CodeOf(diagnostic.kind)
      << ']' << palette.reset << palette.bold << ": " << diagnostic.message << palette.reset
      << '\n';

  if (diagnostic.file == nullptr) {
    if (!diagnostic.path.empty()) out << "  " << palette.gutter << "-->" << palette.reset << ' ' << diagnostic.path << '\n';
    for (const auto& note : diagnostic.notes) out << "  = note: " << note << '\n';
    if (diagnostic.help) out << "  = help: " << diagnostic.help->message << '\n';
    return;
  }

  const SourceFile& file = *diagnostic.file;
  LineColumn start = file.Locate(diagnostic.range.begin);

  // Markers grouped by the line they start on, primary first on a shared line.
  std::map<uint32_t, std::vector<Marker>> markers_by_line;
  markers_by_line[start.line].push_back({diagnostic.range, diagnostic.primary_label, true});
  for (const auto& label : diagnostic.secondary_labels) {
    markers_by_line[file.Locate(label.range.begin).line].push_back({label.range, label.message, false});
  }
  for (auto& [line, markers] : markers_by_line) {
    std::stable_sort(markers.begin(), markers.end(),
                     [](const Marker& a, const Marker& b) { return a.range.begin < b.range.begin; });
  }
  uint32_t last_line = markers_by_line.rbegin()->first;
  size_t gutter_width = std::to_string(last_line).size();
  std::string blank_gutter(gutter_width, ' ');
  auto gutter = [&](std::string_view number) {
    out << palette.gutter << std::string(gutter_width - number.size(), ' ') << number << " |"
        << palette.reset;
  };

  out << blank_gutter << palette.gutter << "--> " << palette.reset << file.path() << ':'
      << start.line << ':' << start.column << '\n';
  gutter("");
  out << '\n';

  uint32_t previous_line = 0;
  for (const auto& [line_number, markers] : markers_by_line) {
    if (previous_line != 0 && line_number > previous_line + 2) {
      out << palette.gutter << "..." << palette.reset << '\n';
    } else if (previous_line != 0 && line_number == previous_line + 2) {
      std::string_view context_line = file.LineText(previous_line + 1);
      std::string context = Shown(context_line, WindowOf(context_line, 0, 0, kMostShownBytes));
      gutter(std::to_string(previous_line + 1));
      out << (context.empty() ? "" : " ") << context << '\n';
    }
    previous_line = line_number;

    std::string_view line_text = file.LineText(line_number);
    const uint32_t line_start = file.LineStart(line_number);
    // A range that runs past its line is underlined to the line's end.
    auto end_in_line = [&](const Marker& marker) {
      return std::max<size_t>(std::min<size_t>(marker.range.end - line_start, line_text.size()), marker.range.begin - line_start);
    };
    // Markers far apart on a long line are shown in windows of their own, each under the line's number.
    for (size_t first = 0; first < markers.size();) {
      size_t last = first + 1, last_end = end_in_line(markers[first]);
      const size_t cluster_begin = markers[first].range.begin - line_start;
      while (last < markers.size() && end_in_line(markers[last]) <= cluster_begin + kMostShownBytes) {
        last_end = std::max(last_end, end_in_line(markers[last++]));
      }
      const LineWindow part = WindowOf(line_text, cluster_begin, last_end, kMostShownBytes);
      const std::string_view window = line_text.substr(part.begin, part.end - part.begin);
      const std::string shown = Shown(line_text, part);
      gutter(std::to_string(line_number));
      out << (shown.empty() ? "" : " ") << shown << '\n';
      auto column = [&](size_t in_line) {
        return (part.cut_before() ? 3 : 0) + DisplayColumn(window, std::clamp(in_line, part.begin, part.end) - part.begin);
      };
      for (size_t i = first; i < last; ++i) {
        const Marker& marker = markers[i];
        int from = column(marker.range.begin - line_start);
        int width = std::max(1, column(end_in_line(marker)) - from);
        std::string_view color = marker.primary ? severity_color : palette.secondary;
        gutter("");
        out << ' ' << std::string(static_cast<size_t>(from), ' ') << color
            << std::string(static_cast<size_t>(width), marker.primary ? '^' : '-');
        if (!marker.message.empty()) out << ' ' << marker.message;
        out << palette.reset << '\n';
      }
      first = last;
    }
  }

  if (!diagnostic.notes.empty() || diagnostic.help) {
    gutter("");
    out << '\n';
  }
  for (const auto& note : diagnostic.notes) {
    out << blank_gutter << ' ' << palette.bold << "= note:" << palette.reset << ' ' << note << '\n';
  }
  if (diagnostic.help) {
    out << blank_gutter << ' ' << palette.bold << "= help:" << palette.reset << ' '
        << diagnostic.help->message << '\n';
  }
}

}  // namespace

void RenderHuman(const Diagnostic& diagnostic, const HumanStyle& style, std::ostream& out) {
  // One write per diagnostic: stderr is unbuffered, and a file with 30,000 errors made a
  // system call per fragment.
  std::ostringstream text;
  Render(diagnostic, style, text);
  out << text.str();
}

}  // namespace relc
