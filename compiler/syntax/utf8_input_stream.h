// The parser's input: UTF-8 text decoded into code points, shared by the parser and the formatter.
#pragma once

#include <antlr4-runtime.h>

#include <string_view>

#include "source/source_file.h"

namespace relc::syntax {

// ANTLR's own UTF-8 decoding (std::wstring_convert) costs more than lexing a small file; the
// text is already valid UTF-8 here, so decode it directly.
class Utf8InputStream : public antlr4::ANTLRInputStream {
 public:
  explicit Utf8InputStream(std::string_view text) {
    _data.reserve(text.size());
    for (size_t at = 0; at < text.size();) {
      size_t length = CodePointLength(text, at);
      auto lead = static_cast<unsigned char>(text[at]);
      char32_t code_point = length == 1 ? lead : length == 2 ? lead & 0x1F : length == 3 ? lead & 0x0F : lead & 0x07;
      for (size_t i = 1; i < length; ++i) code_point = (code_point << 6) | (static_cast<unsigned char>(text[at + i]) & 0x3F);
      _data.push_back(code_point);
      at += length;
    }
  }
};

}  // namespace relc::syntax
