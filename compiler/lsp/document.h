// An open document: its text as the editor has it, and LSP positions in it.
//
// LSP positions are a 0-based line and a character offset counted in UTF-16 code units, unless
// client and server agreed on UTF-8 (LSP 3.17 `positionEncoding`); relc's own positions are
// byte offsets. Out-of-range positions are clamped, as the protocol asks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace relc::lsp {

enum class PositionEncoding { Utf8, Utf16 };

struct Position {
  uint32_t line = 0;
  uint32_t character = 0;
};

struct Range {
  Position start;
  Position end;
};

class Document {
 public:
  Document(std::string uri, std::string path, std::string text, int version);

  const std::string& uri() const { return uri_; }
  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  int version() const { return version_; }

  uint32_t OffsetOf(Position position, PositionEncoding encoding) const;

  // One change of `textDocument/didChange`: `range` replaced by `text`, or the whole text.
  void Apply(const std::optional<Range>& range, const std::string& text, PositionEncoding encoding);
  void SetVersion(int version) { version_ = version; }

 private:
  void IndexLines();

  std::string uri_;
  std::string path_;
  std::string text_;
  int version_;
  std::vector<uint32_t> line_starts_;
};

}  // namespace relc::lsp
