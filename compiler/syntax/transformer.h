// The transformer: ANTLR's parse tree in, relc's AST out (after Kuzu's Transformer).
//
// One TransformX per grammar rule, split by area: transform_decl.cpp (declarations),
// transform_scenario.cpp (scenarios and steps), transform_expr.cpp (expressions and literals).
// The parse tree may come from a file with syntax errors, so every child may be missing: the
// transformer builds what it can and never dereferences a null context.
#pragma once

#include <antlr4-runtime.h>

#include "RelParser.h"
#include "ast/ast.h"
#include "diagnostics/diagnostic.h"

namespace relc::syntax {

class Transformer {
 public:
  Transformer(const SourceFile& file, antlr4::BufferedTokenStream& tokens, DiagnosticEmitter& emitter)
      : file_(file), tokens_(tokens), emitter_(emitter) {}

  ast::Module TransformFile(RelParser::FileContext* ctx);

 private:
  // Positions.
  SourceRange RangeOf(antlr4::ParserRuleContext* ctx) const;
  SourceRange RangeOf(antlr4::Token* token) const;
  SourceRange RangeOf(antlr4::tree::TerminalNode* node) const;
  static bool IsPresent(antlr4::tree::TerminalNode* node);
  std::string DocCommentBefore(antlr4::ParserRuleContext* ctx) const;

  // Leaves.
  ast::Identifier Name(RelParser::NameContext* ctx) const;
  ast::StringLiteralValue String(antlr4::tree::TerminalNode* node);
  ast::TypeRef Type(RelParser::TypeRefContext* ctx) const;
  std::optional<std::vector<ast::Parameter>> Parameters(RelParser::ParameterListContext* ctx);
  ast::Property Property(RelParser::PropertyContext* ctx);
  std::vector<ast::Property> Properties(RelParser::PropertyBlockContext* ctx);

  // transform_decl.cpp
  ast::Import TransformImport(RelParser::ImportDeclContext* ctx);
  ast::DeclPtr TransformDeclaration(RelParser::DeclarationContext* ctx);
  ast::DeclPtr TransformDeclarationBody(RelParser::DeclarationBodyContext* ctx);
  ast::DeclPtr TransformProgram(RelParser::ProgramDeclContext* ctx);
  ast::DeclPtr TransformObjective(RelParser::ObjectiveDeclContext* ctx);
  ast::DeclPtr TransformPressure(RelParser::PressureDeclContext* ctx);
  ast::DeclPtr TransformConsent(RelParser::ConsentDeclContext* ctx);
  ast::DeclPtr TransformOffer(RelParser::OfferDeclContext* ctx);
  ast::DeclPtr TransformModel(RelParser::ModelDeclContext* ctx);
  ast::DeclPtr TransformSchema(RelParser::SchemaDeclContext* ctx);
  ast::DeclPtr TransformSource(RelParser::SourceDeclContext* ctx);
  ast::DeclPtr TransformFunction(RelParser::FunctionDeclContext* ctx);

  // transform_scenario.cpp
  ast::DeclPtr TransformScenario(RelParser::ScenarioDeclContext* ctx);
  void TransformScenarioItem(RelParser::ScenarioItemContext* ctx, ast::ScenarioDecl& scenario);
  ast::Trigger TransformTrigger(RelParser::TriggerContext* ctx);
  ast::StepPtr TransformStep(RelParser::StepContext* ctx);
  ast::StepPtr TransformStepBody(RelParser::StepBodyContext* ctx);
  ast::StepTarget TransformStepTarget(RelParser::StepTargetContext* ctx);

  // transform_expr.cpp
  ast::ExprPtr TransformExpr(RelParser::ExprContext* ctx);
  ast::ExprPtr TransformPrimary(RelParser::PrimaryContext* ctx);
  ast::ExprPtr TransformNumber(RelParser::NumberLiteralContext* ctx);
  ast::ExprPtr TransformDate(antlr4::tree::TerminalNode* node);
  ast::ExprPtr TransformDateTime(antlr4::tree::TerminalNode* node);
  ast::ExprPtr TransformTime(antlr4::tree::TerminalNode* node);
  ast::ExprPtr MakeBinary(ast::BinaryOp op, RelParser::ExprContext* left, RelParser::ExprContext* right,
                          antlr4::ParserRuleContext* whole, SourceRange op_range);

  const SourceFile& file_;
  antlr4::BufferedTokenStream& tokens_;
  DiagnosticEmitter& emitter_;
};

}  // namespace relc::syntax
