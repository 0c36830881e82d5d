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

struct Marker {
  SourceRange range;
  std::string_view message;
  bool primary;
};

}  // namespace

void RenderHuman(const Diagnostic& diagnostic, const HumanStyle& style, std::ostream& out) {
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
      std::string context = ExpandTabs(file.LineText(previous_line + 1));
      gutter(std::to_string(previous_line + 1));
      out << (context.empty() ? "" : " ") << context << '\n';
    }
    previous_line = line_number;

    std::string_view line_text = file.LineText(line_number);
    std::string shown = ExpandTabs(line_text);
    gutter(std::to_string(line_number));
    out << (shown.empty() ? "" : " ") << shown << '\n';

    uint32_t line_start = file.LineStart(line_number);
    for (const Marker& marker : markers) {
      size_t begin_in_line = marker.range.begin - line_start;
      // A range that runs past this line is underlined to the line's end.
      size_t end_in_line = std::min<size_t>(marker.range.end - line_start, line_text.size());
      int from = DisplayColumn(line_text, begin_in_line);
      int to = DisplayColumn(line_text, std::max(end_in_line, begin_in_line));
      int width = std::max(1, to - from);
      std::string_view color = marker.primary ? severity_color : palette.secondary;
      gutter("");
      out << ' ' << std::string(static_cast<size_t>(from), ' ') << color
          << std::string(static_cast<size_t>(width), marker.primary ? '^' : '-');
      if (!marker.message.empty()) out << ' ' << marker.message;
      out << palette.reset << '\n';
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

}  // namespace relc
