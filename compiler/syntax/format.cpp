#include "syntax/format.h"

#include <antlr4-runtime.h>

#include "RelLexer.h"
#include "RelParser.h"
#include "syntax/parse.h"
#include "syntax/utf8_input_stream.h"

namespace relc::syntax {
namespace {

constexpr int kIndent = 2;              // per block
constexpr int kContinuationIndent = 4;  // a line the author broke inside an item

// What the parse tree says about a token, for layout.
enum TokenRole : uint8_t {
  kItemStart = 1,     // starts a declaration, rule, property, step or arm: begins a line
  kAttachedParen = 2, // `(` of a call, parameter list or type argument: no space before
  kUnaryOperator = 4, // `-` or `+` of a unary expression: no space after
};

class RoleMarker {
 public:
  explicit RoleMarker(std::vector<uint8_t>& roles) : roles_(roles) {}

  void Mark(antlr4::tree::ParseTree* node) {
    auto* ctx = dynamic_cast<antlr4::ParserRuleContext*>(node);
    if (ctx == nullptr) return;
    if (IsItem(ctx)) Set(ctx->getStart(), kItemStart);
    if (auto* branch = dynamic_cast<RelParser::BranchStepContext*>(ctx); branch && branch->OTHERWISE()) {
      Set(branch->OTHERWISE()->getSymbol(), kItemStart);
    }
    if (auto* call = dynamic_cast<RelParser::CallExprContext*>(ctx)) Set(call->LPAREN()->getSymbol(), kAttachedParen);
    if (auto* list = dynamic_cast<RelParser::ParameterListContext*>(ctx)) Set(list->LPAREN()->getSymbol(), kAttachedParen);
    if (auto* type = dynamic_cast<RelParser::TypeRefContext*>(ctx); type && type->LPAREN()) {
      Set(type->LPAREN()->getSymbol(), kAttachedParen);
    }
    if (auto* unary = dynamic_cast<RelParser::UnaryExprContext*>(ctx)) Set(unary->op, kUnaryOperator);
    for (auto* child : ctx->children) Mark(child);
  }

 private:
  static bool IsItem(antlr4::ParserRuleContext* ctx) {
    if (auto* rule = dynamic_cast<RelParser::ConsentRuleContext*>(ctx)) {
      // `consent email if email_optin` is one item; only the rules of a `consent { }` block are.
      auto* decl = dynamic_cast<RelParser::ConsentDeclContext*>(rule->parent);
      return decl != nullptr && decl->LBRACE() != nullptr;
    }
    if (auto* step = dynamic_cast<RelParser::StepContext*>(ctx)) {
      return dynamic_cast<RelParser::StepTargetContext*>(step->parent) != nullptr;
    }
    return dynamic_cast<RelParser::ImportDeclContext*>(ctx) || dynamic_cast<RelParser::DeclarationContext*>(ctx) ||
           dynamic_cast<RelParser::ObjectiveItemContext*>(ctx) || dynamic_cast<RelParser::PressureRuleContext*>(ctx) ||
           dynamic_cast<RelParser::PropertyContext*>(ctx) || dynamic_cast<RelParser::ScenarioItemContext*>(ctx) ||
           dynamic_cast<RelParser::BranchArmContext*>(ctx) || dynamic_cast<RelParser::SplitArmContext*>(ctx) ||
           dynamic_cast<RelParser::WinnerRuleContext*>(ctx) || dynamic_cast<RelParser::ModelItemContext*>(ctx) ||
           dynamic_cast<RelParser::SchemaEntityContext*>(ctx) || dynamic_cast<RelParser::FieldContext*>(ctx) ||
           dynamic_cast<RelParser::SourceItemContext*>(ctx);
  }

  void Set(antlr4::Token* token, TokenRole role) {
    if (token != nullptr && token->getTokenIndex() < roles_.size()) roles_[token->getTokenIndex()] |= role;
  }

  std::vector<uint8_t>& roles_;
};

bool IsComment(const antlr4::Token* token) { return token->getChannel() == antlr4::Token::HIDDEN_CHANNEL; }

size_t LastLine(const antlr4::Token* token) {
  std::string text = token->getText();
  return token->getLine() + static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

class Layout {
 public:
  Layout(const std::vector<antlr4::Token*>& tokens, const std::vector<uint8_t>& roles)
      : tokens_(tokens), roles_(roles) {
    FindOneLineBlocks();
  }

  std::string Run() {
    for (size_t i = 0; i < tokens_.size(); ++i) {
      const antlr4::Token* token = tokens_[i];
      if (token->getType() == antlr4::Token::EOF) break;
      if (token->getType() == RelLexer::SEMI) {
        previous_ = token;  // separators are re-derived from the layout
        continue;
      }
      if (IsComment(token)) {
        EmitComment(i);
      } else {
        EmitToken(i);
      }
      previous_ = token;
    }
    if (!out_.empty()) out_ += '\n';
    return std::move(out_);
  }

 private:
  // A block whose braces sit on one line, with no comment inside, stays on one line.
  void FindOneLineBlocks() {
    one_line_.assign(tokens_.size(), false);
    std::vector<size_t> open;
    std::vector<bool> had_comment;
    for (size_t i = 0; i < tokens_.size(); ++i) {
      const antlr4::Token* token = tokens_[i];
      if (IsComment(token)) {
        for (size_t k = 0; k < had_comment.size(); ++k) had_comment[k] = true;
        continue;
      }
      if (token->getType() == RelLexer::LBRACE) {
        open.push_back(i);
        had_comment.push_back(false);
      } else if (token->getType() == RelLexer::RBRACE && !open.empty()) {
        size_t begin = open.back();
        bool comment_inside = had_comment.back();
        open.pop_back();
        had_comment.pop_back();
        bool same_line = tokens_[begin]->getLine() == token->getLine();
        one_line_[begin] = one_line_[i] = same_line && !comment_inside;
      }
    }
  }

  int ItemIndent() const { return kIndent * static_cast<int>(open_blocks_); }

  void NewLine(int indent, bool blank) {
    if (out_.empty()) return;
    out_ += blank ? "\n\n" : "\n";
    out_.append(static_cast<size_t>(indent), ' ');
  }

  // The author left an empty line before `token`.
  bool BlankLineBefore(const antlr4::Token* token) const {
    return previous_ != nullptr && token->getLine() >= LastLine(previous_) + 2;
  }

  bool OnPreviousLine(const antlr4::Token* token) const {
    return previous_ != nullptr && token->getLine() == LastLine(previous_);
  }

  const antlr4::Token* NextCode(size_t i) const {
    for (size_t k = i + 1; k < tokens_.size(); ++k) {
      if (!IsComment(tokens_[k]) && tokens_[k]->getType() != RelLexer::SEMI) return tokens_[k];
    }
    return nullptr;
  }

  bool StartsLine(const antlr4::Token* token) const {
    return token == nullptr || token->getType() == antlr4::Token::EOF || token->getType() == RelLexer::RBRACE ||
           (roles_[token->getTokenIndex()] & kItemStart) != 0;
  }

  void EmitComment(size_t i) {
    const antlr4::Token* comment = tokens_[i];
    std::string text = comment->getText();
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.pop_back();
    if (OnPreviousLine(comment) && !out_.empty()) {
      out_ += ' ';
    } else {
      int indent = StartsLine(NextCode(i)) ? ItemIndent() : ItemIndent() + kContinuationIndent;
      NewLine(indent, BlankLineBefore(comment) && !after_open_brace_);
    }
    out_ += text;
    // A line comment runs to the end of its line; a block comment ends one if the author ended it.
    bool line_comment = text.rfind("//", 0) == 0;
    const antlr4::Token* next = NextCode(i);
    line_must_end_ = line_comment || (next != nullptr && next->getLine() > LastLine(comment));
    after_open_brace_ = false;
    last_code_ = kNone;
  }

  void EmitToken(size_t i) {
    const antlr4::Token* token = tokens_[i];
    size_t type = token->getType();
    bool item = (roles_[i] & kItemStart) != 0;

    if (inline_blocks_ > 0) {
      if (type == RelLexer::RBRACE) {
        out_ += LastCodeType() == RelLexer::LBRACE ? "" : " ";
      } else if (item && LastCodeType() != RelLexer::LBRACE) {
        out_ += "; ";
      } else {
        Space(i);
      }
    } else if (type == RelLexer::RBRACE) {
      if (open_blocks_ > 0) --open_blocks_;
      NewLine(ItemIndent(), false);
    } else if (item || line_must_end_) {
      int indent = item ? ItemIndent() : ItemIndent() + kContinuationIndent;
      NewLine(indent, item && BlankLineBefore(token) && !after_open_brace_);
    } else if (type == RelLexer::LBRACE) {
      out_ += ' ';
    } else if (previous_ != nullptr && token->getLine() > LastLine(previous_)) {
      bool closer = type == RelLexer::RPAREN || type == RelLexer::RBRACKET;
      NewLine(closer ? ItemIndent() : ItemIndent() + kContinuationIndent, false);
    } else {
      Space(i);
    }

    out_ += token->getText();
    line_must_end_ = false;
    after_open_brace_ = false;
    if (type == RelLexer::LBRACE) {
      bool one_line = one_line_[i] || IsEmptyBlock(i);
      block_kinds_.push_back(one_line);
      if (one_line) {
        ++inline_blocks_;
      } else {
        ++open_blocks_;
        after_open_brace_ = true;
      }
    } else if (type == RelLexer::RBRACE && !block_kinds_.empty()) {
      if (block_kinds_.back()) --inline_blocks_;
      block_kinds_.pop_back();
    }
    last_code_ = i;
  }

  bool IsEmptyBlock(size_t open) const {
    return open + 1 < tokens_.size() && tokens_[open + 1]->getType() == RelLexer::RBRACE;
  }

  void Space(size_t i) {
    if (last_code_ == kNone) {
      if (!out_.empty() && out_.back() != ' ' && out_.back() != '\n') out_ += ' ';
      return;
    }
    size_t type = tokens_[i]->getType();
    size_t before = tokens_[last_code_]->getType();
    bool glued = type == RelLexer::COMMA || type == RelLexer::RPAREN || type == RelLexer::RBRACKET ||
                 type == RelLexer::DOT || type == RelLexer::PERCENT || type == RelLexer::COLON ||
                 type == RelLexer::RANGE || before == RelLexer::LPAREN || before == RelLexer::LBRACKET ||
                 before == RelLexer::DOT || before == RelLexer::BANG || before == RelLexer::RANGE ||
                 (roles_[i] & kAttachedParen) != 0 || (roles_[last_code_] & kUnaryOperator) != 0;
    if (!glued) out_ += ' ';
  }

  size_t LastCodeType() const { return last_code_ == kNone ? 0 : tokens_[last_code_]->getType(); }

  const std::vector<antlr4::Token*>& tokens_;
  const std::vector<uint8_t>& roles_;
  std::vector<bool> one_line_;
  std::string out_;
  const antlr4::Token* previous_ = nullptr;  // the last token of the input passed, `;` included
  static constexpr size_t kNone = static_cast<size_t>(-1);
  size_t last_code_ = kNone;                 // the last token written; kNone after a comment
  size_t open_blocks_ = 0;                   // blocks laid out one item per line
  size_t inline_blocks_ = 0;                 // blocks kept on one line
  std::vector<bool> block_kinds_;            // per open block: kept on one line?
  bool line_must_end_ = false;
  bool after_open_brace_ = false;
};

}  // namespace

std::optional<std::string> Format(const std::shared_ptr<const SourceFile>& file, DiagnosticSink& sink) {
  DiagnosticCollector diagnostics;
  bool has_errors = Parse(file, diagnostics).has_errors;
  for (auto& diagnostic : diagnostics.diagnostics()) sink.Consume(std::move(diagnostic));
  if (has_errors) return std::nullopt;

  // The file parses, so the plain lexer sees no bad token, and the tree is the one Parse built.
  Utf8InputStream input(file->text());
  RelLexer lexer(&input);
  lexer.removeErrorListeners();
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();
  RelParser parser(&tokens);
  parser.removeErrorListeners();
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
  RelParser::FileContext* tree = parser.file();

  std::vector<uint8_t> roles(tokens.getTokens().size(), 0);
  RoleMarker(roles).Mark(tree);
  return Layout(tokens.getTokens(), roles).Run();
}

}  // namespace relc::syntax
