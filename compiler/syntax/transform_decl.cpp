// Files, imports and every declaration but scenarios.
#include "syntax/transformer.h"

namespace relc::syntax {

using P = RelParser;

SourceRange Transformer::RangeOf(antlr4::Token* token) const {
  // End of file, or a token that error recovery conjured and that has no text: an empty range
  // at the end. Only ASTs of files with syntax errors, which no later phase reads, contain those.
  if (token == nullptr || token->getStartIndex() == INVALID_INDEX || token->getType() == antlr4::Token::EOF) {
    auto end = static_cast<uint32_t>(file_.text().size());
    return {end, end};
  }
  return {file_.OffsetOfCodePoint(token->getStartIndex()), file_.OffsetOfCodePoint(token->getStopIndex() + 1)};
}

SourceRange Transformer::RangeOf(antlr4::tree::TerminalNode* node) const {
  return node != nullptr ? RangeOf(node->getSymbol()) : SourceRange{};
}

SourceRange Transformer::RangeOf(antlr4::ParserRuleContext* ctx) const {
  if (ctx == nullptr) return {};
  SourceRange start = RangeOf(ctx->getStart());
  antlr4::Token* stop = ctx->getStop();
  // An empty rule (or one cut short by an error) may stop before it starts.
  if (stop == nullptr || stop->getTokenIndex() < ctx->getStart()->getTokenIndex()) return {start.begin, start.begin};
  return {start.begin, std::max(start.begin, RangeOf(stop).end)};
}

bool Transformer::IsPresent(antlr4::tree::TerminalNode* node) {
  return node != nullptr && node->getSymbol()->getTokenIndex() != INVALID_INDEX &&
         node->getSymbol()->getStartIndex() != INVALID_INDEX;
}

std::string Transformer::DocCommentBefore(antlr4::ParserRuleContext* ctx) const {
  if (ctx == nullptr || ctx->getStart()->getTokenIndex() == INVALID_INDEX) return {};
  // The comments before the item, and before any `;` just before it: a separator between a doc
  // comment and what follows (`/// doc`, then `;` on its own line) does not detach it, since
  // `relc fmt` drops such separators and must not change what a comment documents.
  std::vector<antlr4::Token*> hidden;
  for (size_t index = ctx->getStart()->getTokenIndex();;) {
    std::vector<antlr4::Token*> left = tokens_.getHiddenTokensToLeft(index);
    hidden.insert(hidden.begin(), left.begin(), left.end());
    const size_t previous = index - left.size();
    if (previous == 0 || tokens_.get(previous - 1)->getType() != P::SEMI) break;
    index = previous - 1;
  }
  std::string doc;
  for (antlr4::Token* token : hidden) {
    if (token->getType() != P::DOC_COMMENT) continue;
    std::string line = token->getText().substr(3);
    if (!line.empty() && line.front() == ' ') line.erase(0, 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!doc.empty()) doc += '\n';
    doc += line;
  }
  return doc;
}

ast::Identifier Transformer::Name(P::NameContext* ctx) const {
  if (ctx == nullptr || ctx->getStart()->getStartIndex() == INVALID_INDEX) return {};
  return {ctx->getText(), RangeOf(ctx)};
}

ast::StringLiteralValue Transformer::String(antlr4::tree::TerminalNode* node) {
  if (!IsPresent(node)) return {};
  SourceRange range = RangeOf(node);
  // The token's text, not the source's: the lexer filter may have repaired it (closed an
  // unterminated string, straightened typographic quotes).
  std::string token_text = node->getText();
  std::string_view text = token_text;
  ast::StringLiteralValue out{{}, range};
  // Strip the quotes; an unterminated string was reported by the lexer and has none at the end.
  std::string_view body = text.substr(1);
  if (!body.empty() && body.back() == '"') body.remove_suffix(1);
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\' || i + 1 == body.size()) {
      out.value.push_back(body[i]);
      continue;
    }
    char escaped = body[++i];
    switch (escaped) {
      case '"': out.value.push_back('"'); break;
      case '\\': out.value.push_back('\\'); break;
      case 'n': out.value.push_back('\n'); break;
      case 't': out.value.push_back('\t'); break;
      default: {
        auto at = static_cast<uint32_t>(range.begin + 1 + i - 1);
        emitter_.Emit(DiagnosticKind::InvalidEscape, SourceRange{at, at + 2}, std::string("\\") + escaped)
            .Primary("unknown escape")
            .Note("strings know `\\\"`, `\\\\`, `\\n` and `\\t`")
            .Help("write `\\\\` for a backslash", {{SourceRange{at, at + 1}, "\\\\"}});
        out.value.push_back(escaped);
      }
    }
  }
  return out;
}

ast::TypeRef Transformer::Type(P::TypeRefContext* ctx) const {
  ast::TypeRef type;
  if (ctx == nullptr) return type;
  if (auto* name = ctx->typeName(); name != nullptr && name->getStart()->getStartIndex() != INVALID_INDEX) {
    type.name = {name->getText(), RangeOf(name)};
  }
  if (ctx->name() != nullptr) type.unit = Name(ctx->name());
  type.range = RangeOf(ctx);
  return type;
}

std::optional<std::vector<ast::Parameter>> Transformer::Parameters(P::ParameterListContext* ctx) {
  if (ctx == nullptr) return std::nullopt;
  std::vector<ast::Parameter> parameters;
  for (auto* parameter : ctx->parameter()) {
    parameters.push_back({Name(parameter->name()), Type(parameter->typeRef()), TransformExpr(parameter->expr()),
                          RangeOf(parameter)});
  }
  return parameters;
}

ast::Property Transformer::Property(P::PropertyContext* ctx) {
  ast::Property out{Name(ctx->name()), TransformExpr(ctx->expr()), RangeOf(ctx)};
  // `2.10% within 1.69%..2.51%` parses as a window over a range: a figure and its interval.
  auto* within = out.value ? out.value->As<ast::BinaryExpr>() : nullptr;
  auto* bounds = within != nullptr && within->op == ast::BinaryOp::Within && within->right ? within->right->As<ast::BinaryExpr>() : nullptr;
  if (bounds != nullptr && bounds->op == ast::BinaryOp::Range && bounds->left && bounds->right) {
    out.low = std::move(bounds->left);
    out.high = std::move(bounds->right);
    out.value = std::move(within->left);
  }
  return out;
}

std::vector<ast::Property> Transformer::Properties(P::PropertyBlockContext* ctx) {
  std::vector<ast::Property> properties;
  if (ctx == nullptr) return properties;
  for (auto* property : ctx->property()) properties.push_back(Property(property));
  return properties;
}

ast::Module Transformer::TransformFile(P::FileContext* ctx) {
  ast::Module module;
  if (ctx == nullptr) return module;
  for (auto* import : ctx->importDecl()) module.imports.push_back(TransformImport(import));
  for (auto* declaration : ctx->declaration()) {
    if (auto decl = TransformDeclaration(declaration)) module.decls.push_back(std::move(decl));
  }
  return module;
}

ast::Import Transformer::TransformImport(P::ImportDeclContext* ctx) {
  ast::Import import;
  import.range = RangeOf(ctx);
  if (auto* file = dynamic_cast<P::FileModulePathContext*>(ctx->modulePath())) {
    import.is_file = true;
    import.file = String(file->STRING());
  } else if (auto* path = dynamic_cast<P::StdModulePathContext*>(ctx->modulePath())) {
    for (auto* part : path->name()) import.path.push_back(Name(part));
  }
  if (ctx->name() != nullptr) import.alias = Name(ctx->name());
  return import;
}

ast::DeclPtr Transformer::TransformDeclaration(P::DeclarationContext* ctx) {
  if (ctx == nullptr) return nullptr;
  ast::DeclPtr decl = TransformDeclarationBody(ctx->declarationBody());
  if (decl != nullptr) {
    decl->range = RangeOf(ctx->declarationBody());
    decl->doc = DocCommentBefore(ctx);
  }
  return decl;
}

ast::DeclPtr Transformer::TransformDeclarationBody(P::DeclarationBodyContext* ctx) {
  if (ctx == nullptr) return nullptr;
  if (auto* c = ctx->programDecl()) return TransformProgram(c);
  if (auto* c = ctx->objectiveDecl()) return TransformObjective(c);
  if (auto* c = ctx->pressureDecl()) return TransformPressure(c);
  if (auto* c = ctx->consentDecl()) return TransformConsent(c);
  if (auto* c = ctx->offerDecl()) return TransformOffer(c);
  if (auto* c = ctx->scenarioDecl()) return TransformScenario(c);
  if (auto* c = ctx->modelDecl()) return TransformModel(c);
  if (auto* c = ctx->schemaDecl()) return TransformSchema(c);
  if (auto* c = ctx->sourceDecl()) return TransformSource(c);
  if (auto* c = ctx->functionDecl()) return TransformFunction(c);
  if (auto* c = ctx->panelDecl()) {
    auto panel = std::make_unique<ast::PanelDecl>();
    panel->name = Name(c->name());
    panel->parameters = Parameters(c->parameterList());
    panel->definition = TransformExpr(c->expr());
    return panel;
  }
  if (auto* c = ctx->holdoutDecl()) {
    auto holdout = std::make_unique<ast::HoldoutDecl>();
    holdout->share = TransformExpr(c->expr());
    return holdout;
  }
  if (auto* c = ctx->channelDecl()) {
    auto channel = std::make_unique<ast::ChannelDecl>();
    channel->name = Name(c->name());
    channel->properties = Properties(c->propertyBlock());
    return channel;
  }
  if (auto* c = ctx->kpiDecl()) {
    auto kpi = std::make_unique<ast::KpiDecl>();
    kpi->name = Name(c->name());
    kpi->parameters = Parameters(c->parameterList());
    kpi->formula = TransformExpr(c->expr());
    return kpi;
  }
  if (auto* c = ctx->expectDecl()) {
    auto expect = std::make_unique<ast::ExpectDecl>();
    expect->condition = TransformExpr(c->expr());
    if (IsPresent(c->STRING())) expect->message = String(c->STRING());
    return expect;
  }
  if (auto* c = ctx->priorityDecl()) {
    auto priority = std::make_unique<ast::PriorityDecl>();
    priority->value = TransformExpr(c->expr());
    return priority;
  }
  return nullptr;
}

ast::DeclPtr Transformer::TransformProgram(P::ProgramDeclContext* ctx) {
  auto program = std::make_unique<ast::ProgramDecl>();
  program->title = String(ctx->STRING());
  for (auto* member : ctx->declaration()) {
    if (auto decl = TransformDeclaration(member)) program->members.push_back(std::move(decl));
  }
  return program;
}

ast::DeclPtr Transformer::TransformObjective(P::ObjectiveDeclContext* ctx) {
  auto objective = std::make_unique<ast::ObjectiveDecl>();
  objective->name = Name(ctx->name());
  for (auto* item : ctx->objectiveItem()) {
    if (auto* goal = dynamic_cast<P::GoalItemContext*>(item)) {
      objective->items.push_back({ast::ObjectiveItemKind::Goal, TransformExpr(goal->expr()), RangeOf(item)});
    } else if (auto* target = dynamic_cast<P::TargetItemContext*>(item)) {
      objective->items.push_back({ast::ObjectiveItemKind::Target, TransformExpr(target->expr()), RangeOf(item)});
    }
  }
  return objective;
}

ast::DeclPtr Transformer::TransformPressure(P::PressureDeclContext* ctx) {
  auto pressure = std::make_unique<ast::PressureDecl>();
  for (auto* rule : ctx->pressureRule()) {
    ast::PressureRule out{};
    out.range = RangeOf(rule);
    if (auto* cap = dynamic_cast<P::CapRuleContext*>(rule)) {
      out.kind = ast::PressureRuleKind::Cap;
      out.amount = TransformExpr(cap->expr(0));
      out.period = TransformExpr(cap->expr(1));
      out.across_programs = IsPresent(cap->ACROSS());
    } else if (auto* gap = dynamic_cast<P::GapRuleContext*>(rule)) {
      out.kind = ast::PressureRuleKind::MinimumGap;
      out.amount = TransformExpr(gap->expr());
      out.word = Name(gap->name());
    } else if (auto* quiet = dynamic_cast<P::QuietHoursRuleContext*>(rule)) {
      out.kind = ast::PressureRuleKind::QuietHours;
      out.amount = TransformExpr(quiet->expr());
      if (quiet->name() != nullptr) out.word = Name(quiet->name());
    } else if (auto* capped = dynamic_cast<P::WhenCappedRuleContext*>(rule)) {
      out.kind = ast::PressureRuleKind::WhenCapped;
      // `exit` is a keyword (a step), so the grammar names it apart from the other words.
      out.word = capped->EXIT() != nullptr ? ast::Identifier{"exit", RangeOf(capped->EXIT())} : Name(capped->name());
    } else {
      continue;
    }
    pressure->rules.push_back(std::move(out));
  }
  return pressure;
}

ast::DeclPtr Transformer::TransformConsent(P::ConsentDeclContext* ctx) {
  auto consent = std::make_unique<ast::ConsentDecl>();
  consent->braced = IsPresent(ctx->LBRACE());
  for (auto* rule : ctx->consentRule()) {
    consent->rules.push_back({Name(rule->name()), TransformExpr(rule->expr()), RangeOf(rule)});
  }
  return consent;
}

ast::DeclPtr Transformer::TransformOffer(P::OfferDeclContext* ctx) {
  auto offer = std::make_unique<ast::OfferDecl>();
  offer->name = Name(ctx->name(0));
  offer->offer_kind = Name(ctx->name(1));
  offer->value = TransformExpr(ctx->expr());
  if (ctx->propertyBlock() != nullptr) offer->properties = Properties(ctx->propertyBlock());
  return offer;
}

ast::DeclPtr Transformer::TransformModel(P::ModelDeclContext* ctx) {
  auto model = std::make_unique<ast::ModelDecl>();
  model->name = Name(ctx->name());
  for (auto* item : ctx->modelItem()) {
    if (auto* response = dynamic_cast<P::ResponseItemContext*>(item)) {
      ast::ModelResponse out;
      out.channel = Name(response->name());
      if (IsPresent(response->STRING())) out.message = String(response->STRING());
      out.segment = TransformExpr(response->expr());
      out.properties = Properties(response->propertyBlock());
      out.range = RangeOf(item);
      model->responses.push_back(std::move(out));
    } else if (auto* baseline = dynamic_cast<P::BaselineItemContext*>(item)) {
      ast::Identifier word = Name(baseline->name());
      if (word.name != "baseline") {
        emitter_.Emit(DiagnosticKind::InvalidChoice, word.range, word.name, "a part of a model (`response`, `baseline`, or a property)")
            .Primary("a block of what?")
            .Help("write `baseline { converted = ...; window = 30 days }` for what customers buy anyway, or `response CHANNEL { ... }`");
        continue;
      }
      model->baselines.push_back({TransformExpr(baseline->expr()), Properties(baseline->propertyBlock()), RangeOf(item)});
    } else if (auto* property = dynamic_cast<P::ModelPropertyItemContext*>(item)) {
      model->properties.push_back(Property(property->property()));
    }
  }
  return model;
}

ast::DeclPtr Transformer::TransformSchema(P::SchemaDeclContext* ctx) {
  auto schema = std::make_unique<ast::SchemaDecl>();
  schema->name = Name(ctx->name());
  for (auto* entity : ctx->schemaEntity()) {
    ast::SchemaEntity out;
    out.is_event = IsPresent(entity->EVENT());
    out.name = Name(entity->name());
    out.doc = DocCommentBefore(entity);
    out.range = RangeOf(entity);
    for (auto* field : entity->field()) {
      ast::SchemaField f;
      f.name = Name(field->name());
      f.type = Type(field->typeRef());
      f.doc = DocCommentBefore(field);
      f.range = RangeOf(field);
      for (auto* modifier : field->fieldModifier()) {
        f.modifiers.push_back(modifier->KEY()        ? ast::FieldModifier::Key
                              : modifier->OPTIONAL() ? ast::FieldModifier::Optional
                                                     : ast::FieldModifier::Required);
      }
      out.fields.push_back(std::move(f));
    }
    schema->entities.push_back(std::move(out));
  }
  return schema;
}

ast::DeclPtr Transformer::TransformSource(P::SourceDeclContext* ctx) {
  auto source = std::make_unique<ast::SourceDecl>();
  source->name = Name(ctx->name(0));
  source->schema = Name(ctx->name(1));
  for (auto* item : ctx->sourceItem()) {
    if (auto* table = dynamic_cast<P::SourceTableItemContext*>(item)) {
      source->tables.push_back(
          {Name(table->name()), String(table->STRING()), Properties(table->propertyBlock()), DocCommentBefore(table), RangeOf(table)});
    } else if (auto* entity = dynamic_cast<P::SourceEntityItemContext*>(item)) {
      ast::SourceEntity out;
      out.is_event = IsPresent(entity->EVENT());
      out.name = Name(entity->name(0));
      out.table = Name(entity->name(1));
      if (entity->WHEN() != nullptr) out.when = TransformExpr(entity->expr(0));
      if (entity->BY() != nullptr) out.group_by = TransformExpr(entity->expr(entity->WHEN() != nullptr ? 1 : 0));
      out.fields = Properties(entity->propertyBlock());
      out.doc = DocCommentBefore(entity);
      out.range = RangeOf(entity);
      source->entities.push_back(std::move(out));
    }
  }
  return source;
}

ast::DeclPtr Transformer::TransformFunction(P::FunctionDeclContext* ctx) {
  auto function = std::make_unique<ast::FunctionDecl>();
  if (auto* defined = dynamic_cast<P::DefinedFunctionContext*>(ctx)) {
    function->name = Name(defined->name());
    function->parameters = Parameters(defined->parameterList()).value_or(std::vector<ast::Parameter>{});
    function->result = Type(defined->typeRef());
    function->body = TransformExpr(defined->expr());
  } else if (auto* native = dynamic_cast<P::NativeFunctionContext*>(ctx)) {
    function->native = true;
    function->name = Name(native->name());
    function->parameters = Parameters(native->parameterList()).value_or(std::vector<ast::Parameter>{});
    function->result = Type(native->typeRef());
  }
  return function;
}

}  // namespace relc::syntax
