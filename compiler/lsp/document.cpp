#include "lsp/document.h"

#include <algorithm>

#include "source/source_file.h"

namespace relc::lsp {

Document::Document(std::string uri, std::string path, std::string text, int version)
    : uri_(std::move(uri)), path_(std::move(path)), text_(std::move(text)), version_(version) {
  IndexLines();
}

void Document::IndexLines() {
  line_starts_.assign(1, 0);
  for (uint32_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
  }
}

uint32_t Document::OffsetOf(Position position, PositionEncoding encoding) const {
  if (position.line >= line_starts_.size()) return static_cast<uint32_t>(text_.size());
  uint32_t offset = line_starts_[position.line];
  uint32_t line_end = position.line + 1 < line_starts_.size() ? line_starts_[position.line + 1] - 1
                                                               : static_cast<uint32_t>(text_.size());
  if (line_end > offset && text_[line_end - 1] == '\r') --line_end;
  uint32_t units = 0;
  while (offset < line_end && units < position.character) {
    size_t length = CodePointLength(text_, offset);
    units += encoding == PositionEncoding::Utf8 ? static_cast<uint32_t>(length) : (length == 4 ? 2 : 1);
    if (units > position.character) break;  // inside a surrogate pair: stay before it
    offset += static_cast<uint32_t>(length);
  }
  return std::min(offset, line_end);
}

void Document::Apply(const std::optional<Range>& range, const std::string& text, PositionEncoding encoding) {
  if (!range) {
    text_ = text;
  } else {
    uint32_t begin = OffsetOf(range->start, encoding);
    uint32_t end = std::max(begin, OffsetOf(range->end, encoding));
    text_.replace(begin, end - begin, text);
  }
  IndexLines();
}

}  // namespace relc::lsp
