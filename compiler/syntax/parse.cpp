#include "syntax/parse.h"

#include <antlr4-runtime.h>
#include <fmt/format.h>

#include <optional>
#include <utility>

#include "RelLexer.h"
#include "RelParser.h"
#include "syntax/nesting.h"
#include "syntax/syntax_errors.h"
#include "syntax/transformer.h"
#include "syntax/utf8_input_stream.h"

namespace relc::syntax {
namespace {

// Sits between the lexer and the parser: reports lexical errors once, then hands the parser a
// stream it can go on with (a bad character dropped, an unterminated string closed), so that a
// typo costs one diagnostic, not a cascade.
class LexicalErrorFilter : public antlr4::TokenSource {
 public:
  LexicalErrorFilter(RelLexer& lexer, DiagnosticEmitter& emitter) : lexer_(lexer), emitter_(emitter) {}

  std::unique_ptr<antlr4::Token> nextToken() override {
    while (true) {
      std::unique_ptr<antlr4::Token> token = lexer_.nextToken();
      switch (token->getType()) {
        case RelLexer::UNKNOWN_CHAR:
          ReportUnknownCharacter(*token);
          continue;
        case RelLexer::UNTERMINATED_STRING: {
          emitter_.Emit(DiagnosticKind::UnterminatedString, RangeOf(*token))
              .Primary("this string has no closing `\"`")
              .Help("add `\"` at the end of the text; strings cannot span lines");
          auto* common = static_cast<antlr4::CommonToken*>(token.get());
          common->setType(RelLexer::STRING);
          common->setText(token->getText() + "\"");
          return token;
        }
        case RelLexer::CURLY_QUOTED_STRING: {
          SourceRange range = RangeOf(*token);
          std::string text = token->getText();
          size_t open_length = CodePointLength(text, 0);
          size_t close_length = text.size() - open_length;
          for (size_t at = open_length; at < text.size(); at += CodePointLength(text, at)) close_length = text.size() - at;
          emitter_.Emit(DiagnosticKind::UnknownCharacter, SourceRange{range.begin, range.begin + static_cast<uint32_t>(open_length)},
                        text.substr(0, open_length))
              .Primary("a typographic quote")
              .Help("use straight double quotes `\"` around strings");
          auto* common = static_cast<antlr4::CommonToken*>(token.get());
          common->setType(RelLexer::STRING);
          common->setText("\"" + text.substr(open_length, text.size() - open_length - close_length) + "\"");
          return token;
        }
        case RelLexer::UNTERMINATED_BLOCK_COMMENT: {
          SourceRange range = RangeOf(*token);
          emitter_.Emit(DiagnosticKind::UnterminatedBlockComment, SourceRange{range.begin, range.begin + 2})
              .Primary("this comment is never closed")
              .Help("add `*/` where the comment should end");
          static_cast<antlr4::CommonToken*>(token.get())->setChannel(antlr4::Token::HIDDEN_CHANNEL);
          return token;
        }
        default:
          return token;
      }
    }
  }

  size_t getLine() const override { return lexer_.getLine(); }
  size_t getCharPositionInLine() override { return lexer_.getCharPositionInLine(); }
  antlr4::CharStream* getInputStream() override { return lexer_.getInputStream(); }
  std::string getSourceName() override { return lexer_.getSourceName(); }
  antlr4::TokenFactory<antlr4::CommonToken>* getTokenFactory() override { return lexer_.getTokenFactory(); }

 private:
  SourceRange RangeOf(const antlr4::Token& token) const {
    const SourceFile& file = emitter_.file();
    return {file.OffsetOfCodePoint(token.getStartIndex()), file.OffsetOfCodePoint(token.getStopIndex() + 1)};
  }

  void ReportUnknownCharacter(const antlr4::Token& token) {
    std::string text = token.getText();
    auto builder = emitter_.Emit(DiagnosticKind::UnknownCharacter, RangeOf(token), text);
    builder.Primary("not part of the language");
    if (text == "'") {
      builder.Help("strings are written between double quotes: \"...\"");
    } else if (text == "#") {
      builder.Help("comments start with `//`");
    } else if (text == "\xE2\x82\xAC") {  // €
      builder.Help("write amounts with an ISO currency code after the number, such as `15 EUR`");
    } else if (text == "\xE2\x80\x9C" || text == "\xE2\x80\x9D" || text == "\xC2\xAB" || text == "\xC2\xBB") {
      builder.Help("use straight double quotes `\"` around strings");
    }
  }

  RelLexer& lexer_;
  DiagnosticEmitter& emitter_;
};

// ANTLR cannot decode malformed UTF-8; each bad byte becomes a space for the lexer, one byte
// for one byte, so that every position still maps to the original text.
std::string ReportAndBlankInvalidUtf8(const SourceFile& file, DiagnosticEmitter& emitter) {
  std::string text = file.text();
  uint32_t last_line = 0;
  for (uint32_t offset : FindInvalidUtf8(text)) {
    text[offset] = ' ';
    uint32_t line = file.Locate(offset).line;
    if (line == last_line) continue;  // one report per line is enough
    last_line = line;
    emitter.Emit(DiagnosticKind::InvalidUtf8, SourceRange{offset, offset + 1})
        .Primary(fmt::format("byte 0x{:02X} is not UTF-8", static_cast<unsigned char>(file.text()[offset])))
        .Help("save the file as UTF-8 (relc reads every source file as UTF-8)");
  }
  return text;
}

// Past the nesting limit nothing is parsed: the parser and every phase after it recurse.
void ReportTooDeep(const TooDeep& deep, DiagnosticEmitter& emitter) {
  const uint32_t begin = emitter.file().OffsetOfCodePoint(deep.token->getStartIndex());
  const SourceRange here{begin, begin + 1};
  if (deep.brackets > kMostNesting) {
    emitter.Emit(DiagnosticKind::NestingTooDeep, here, kMostNesting)
        .Primary("nested more deeply than this")
        .Help("name the inner parts (a `kpi`, a `panel`, a `function`) and use them by name");
    return;
  }
  emitter.Emit(DiagnosticKind::ExpressionTooDeep, here, kMostOperatorDepth)
      .Primary(fmt::format("{} operator{} chained and {} bracket{} open here", deep.chained, deep.chained == 1 ? "" : "s",
                           deep.brackets, deep.brackets == 1 ? "" : "s"))
      .Note("each operator nests what follows it one level deeper: `a and b and c` reads `(a and b) and c`")
      .Help("test a list of values with `in [...]`, or name parts of the chain (a `kpi`, a `panel`) and use them by name");
}

}  // namespace

ParseResult Parse(const std::shared_ptr<const SourceFile>& file, DiagnosticSink& sink) {
  DiagnosticCollector syntax_diagnostics;
  DiagnosticEmitter emitter(file, syntax_diagnostics);

  Utf8InputStream input(ReportAndBlankInvalidUtf8(*file, emitter));
  RelLexer lexer(&input);
  lexer.removeErrorListeners();
  LexicalErrorFilter filter(lexer, emitter);
  antlr4::CommonTokenStream tokens(&filter);
  tokens.fill();

  if (auto deep = FindTooDeep(tokens)) {
    ReportTooDeep(*deep, emitter);
    ParseResult result;
    result.has_errors = true;
    for (auto& diagnostic : syntax_diagnostics.diagnostics()) sink.Consume(std::move(diagnostic));
    return result;
  }

  RelParser parser(&tokens);
  parser.removeErrorListeners();

  // Fast path first: SLL prediction, giving up at the first error. Most files are valid, and
  // only those with an error pay for full LL prediction and recovery.
  RelParser::FileContext* tree = nullptr;
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  try {
    tree = parser.file();
  } catch (const antlr4::ParseCancellationException&) {
    tokens.seek(0);
    parser.reset();
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
    parser.setErrorHandler(std::make_shared<SyntaxErrorStrategy>(emitter));
    tree = parser.file();
  }

  ParseResult result;
  result.module = Transformer(*file, tokens, emitter).TransformFile(tree);
  result.has_errors = syntax_diagnostics.error_count() > 0;

  // Report in source order: lexical errors are found while the whole file is read up front.
  auto& found = syntax_diagnostics.diagnostics();
  std::stable_sort(found.begin(), found.end(),
                   [](const Diagnostic& a, const Diagnostic& b) { return a.range.begin < b.range.begin; });
  for (auto& diagnostic : found) sink.Consume(std::move(diagnostic));
  return result;
}

const std::vector<std::string>& Keywords() {
  // Read once from the lexer's vocabulary: completion asks on every keystroke.
  static const std::vector<std::string> words = [] {
    antlr4::ANTLRInputStream empty("");
    RelLexer lexer(&empty);
    const antlr4::dfa::Vocabulary& vocabulary = lexer.getVocabulary();
    std::vector<std::string> out;
    for (size_t type = 1; type <= vocabulary.getMaxTokenType(); ++type) {
      std::string literal = vocabulary.getLiteralName(type);  // 'import', with its quotes
      if (literal.size() > 2 && std::isalpha(static_cast<unsigned char>(literal[1]))) out.push_back(literal.substr(1, literal.size() - 2));
    }
    std::sort(out.begin(), out.end());
    return out;
  }();
  return words;
}

bool IsValidName(std::string_view name) {
  // The parser decides: a name is whatever it accepts as a panel's name.
  auto file = std::make_shared<const SourceFile>("<name>", fmt::format("panel {} = customers", name));
  DiagnosticCollector ignored;
  ParseResult parsed = Parse(file, ignored);
  if (parsed.has_errors || parsed.module.decls.size() != 1) return false;
  auto* panel = parsed.module.decls[0]->As<ast::PanelDecl>();
  return panel != nullptr && panel->name.name == name;
}

}  // namespace relc::syntax
