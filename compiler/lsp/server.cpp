#include "lsp/server.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "diagnostics/render.h"
#include "lsp/base_protocol.h"
#include "lsp/document.h"
#include "syntax/format.h"
#include "syntax/parse.h"

namespace relc::lsp {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// JSON-RPC and LSP error codes.
enum ErrorCode : int {
  kParseError = -32700,
  kInvalidRequest = -32600,
  kMethodNotFound = -32601,
  kInvalidParams = -32602,
  kInternalError = -32603,
  kServerNotInitialized = -32002,
  kRequestFailed = -32803,
};

// Thrown by a handler to answer its request with an error.
struct RequestError {
  int code;
  std::string message;
};

std::string PathFromUri(const std::string& uri) {
  if (uri.rfind("file://", 0) != 0) return uri;
  std::string path;
  for (size_t i = 7; i < uri.size(); ++i) {
    if (uri[i] == '%' && i + 2 < uri.size() && std::isxdigit(static_cast<unsigned char>(uri[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(uri[i + 2]))) {
      path.push_back(static_cast<char>(std::stoi(uri.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      path.push_back(uri[i]);
    }
  }
  return path;
}

std::string UriFromPath(const std::string& path) {
  std::error_code ignored;
  return PathToUri(std::filesystem::absolute(path, ignored).lexically_normal().string());  // absolute: file://
}

// No LSP message nests beyond a few levels; 100,000 nested arrays overflowed the stack.
constexpr size_t kMostJsonDepth = 256;

// How deep arrays and objects nest in a JSON text (brackets inside strings aside): checked before
// parsing, so that no message can make the server recurse that deep.
size_t NestingDepth(std::string_view text) {
  size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

class Server {
 public:
  Server(int output_fd, const ServerOptions& options) : output_fd_(output_fd), options_(options) {}

  bool exited() const { return exited_; }
  int exit_code() const { return shutdown_ ? 0 : 1; }

  void Handle(const std::string& body) {
    json message;
    if (NestingDepth(body) > kMostJsonDepth) {
      RespondError(nullptr, kParseError, fmt::format("the message nests deeper than {} levels", kMostJsonDepth));
      return;
    }
    try {
      message = json::parse(body);
    } catch (const json::exception& error) {
      RespondError(nullptr, kParseError, std::string("the message is not JSON: ") + error.what());
      return;
    }
    if (!message.is_object()) {
      RespondError(nullptr, kInvalidRequest, "a message must be a JSON object");
      return;
    }
    json id = message.contains("id") ? message["id"] : json();
    bool is_request = message.contains("id");
    if (is_request && !id.is_number_integer() && !id.is_string()) {
      RespondError(nullptr, kInvalidRequest, "`id` must be an integer or a string");
      return;
    }
    if (!message.contains("method")) return;  // a response: this server sends no requests
    if (!message["method"].is_string()) {
      if (is_request) RespondError(id, kInvalidRequest, "`method` must be a string");
      return;
    }
    std::string method = message["method"];
    json params = message.contains("params") ? message["params"] : json::object();
    if (!is_request) {
      try {
        HandleNotification(method, params);
      } catch (...) {
        // A notification has no answer; a bad one changes nothing.
      }
      return;
    }
    try {
      if (shutdown_) throw RequestError{kInvalidRequest, "the server is shut down"};
      if (!initialized_ && method != "initialize") throw RequestError{kServerNotInitialized, "initialize first"};
      Respond(id, Dispatch(method, params));
    } catch (const RequestError& error) {
      RespondError(id, error.code, error.message);
    } catch (const json::exception& error) {
      RespondError(id, kInvalidParams, std::string("bad parameters: ") + error.what());
    } catch (const std::exception& error) {
      RespondError(id, kInternalError, error.what());
    }
  }

  void ReportMalformedFrame() { RespondError(nullptr, kParseError, "a message without a valid Content-Length was skipped"); }

  int NextTimeoutMs() const {
    std::optional<Clock::time_point> next;
    for (const auto& [uri, open] : documents_) {
      if (open.unpublished) return 0;
      if (open.dirty && (!next || open.due < *next)) next = open.due;
    }
    if (!next) return -1;
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*next - Clock::now()).count();
    return static_cast<int>(std::max<long long>(0, wait));
  }

  void PublishDue() {
    auto now = Clock::now();
    for (auto& [uri, open] : documents_) {
      if (open.dirty && open.due <= now) Refresh(open);
      if (open.unpublished) {
        Publish(open);
        open.unpublished = false;
      }
    }
  }

 private:
  struct OpenDocument {
    Document document;
    std::shared_ptr<const Analysis> analysis;
    std::shared_ptr<const Analysis> resolved;  // the last analysis that resolved names
    bool dirty = true;                         // changed since `analysis`
    Clock::time_point due;                     // when to analyse it, if dirty
    bool unpublished = false;                  // `analysis` has diagnostics not yet sent
    std::set<std::string> imported_uris;       // imported files it published diagnostics for
  };

  // --- Messages

  void Send(const json& message) { WriteMessage(output_fd_, message.dump(-1, ' ', false, json::error_handler_t::replace)); }

  void Respond(const json& id, json result) { Send({{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}}); }

  void RespondError(const json& id, int code, std::string message) {
    Send({{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", std::move(message)}}}});
  }

  void Notify(std::string method, json params) {
    Send({{"jsonrpc", "2.0"}, {"method", std::move(method)}, {"params", std::move(params)}});
  }

  json Dispatch(const std::string& method, const json& params) {
    if (method == "initialize") return Initialize(params);
    if (method == "shutdown") {
      shutdown_ = true;
      return nullptr;
    }
    if (method == "textDocument/hover") return Hover(params);
    if (method == "textDocument/completion") return Completion(params);
    if (method == "textDocument/definition") return Definition(params);
    if (method == "textDocument/references") return References(params);
    if (method == "textDocument/documentSymbol") return DocumentSymbols(params);
    if (method == "textDocument/prepareRename") return PrepareRename(params);
    if (method == "textDocument/rename") return Rename(params);
    if (method == "textDocument/formatting") return Formatting(params);
    if (method == "textDocument/codeAction") return CodeActions(params);
    throw RequestError{kMethodNotFound, "relc lsp does not handle `" + method + "`"};
  }

  void HandleNotification(const std::string& method, const json& params) {
    if (method == "exit") {
      exited_ = true;
      return;
    }
    if (!initialized_ || shutdown_) return;
    if (method == "textDocument/didOpen") {
      const json& item = params.at("textDocument");
      std::string uri = item.at("uri");
      Document document(uri, PathFromUri(uri), item.at("text").get<std::string>(), item.value("version", 0));
      documents_.insert_or_assign(uri, OpenDocument{std::move(document), nullptr, nullptr, true, Clock::now(), false});
    } else if (method == "textDocument/didChange") {
      OpenDocument& open = Find(params);
      for (const json& change : params.at("contentChanges")) {
        std::optional<Range> range;
        if (change.contains("range")) range = ToRange(change["range"]);
        open.document.Apply(range, change.at("text").get<std::string>(), encoding_);
      }
      open.document.SetVersion(params.at("textDocument").value("version", open.document.version()));
      open.dirty = true;
      open.due = Clock::now() + std::chrono::milliseconds(options_.debounce_ms);
    } else if (method == "textDocument/didClose") {
      std::string uri = params.at("textDocument").at("uri");
      auto closed = documents_.find(uri);
      if (closed != documents_.end()) {
        for (const std::string& imported : closed->second.imported_uris) ClearDiagnostics(imported);
        documents_.erase(closed);
        ClearDiagnostics(uri);
      }
    }
  }

  // --- Documents and positions

  OpenDocument& Find(const json& params) {
    std::string uri = params.at("textDocument").at("uri");
    auto it = documents_.find(uri);
    if (it == documents_.end()) throw RequestError{kInvalidParams, "`" + uri + "` is not open"};
    return it->second;
  }

  void Refresh(OpenDocument& open) {
    if (!open.dirty && open.analysis) return;
    auto file = std::make_shared<const SourceFile>(open.document.path(), open.document.text());
    open.analysis = Analyze(std::move(file), options_.check);
    if (open.analysis->resolved) open.resolved = open.analysis;
    open.dirty = false;
    open.unpublished = true;
  }

  // The document analysed as it is now.
  const Analysis& Current(OpenDocument& open) {
    Refresh(open);
    return *open.analysis;
  }

  static Position ToPosition(const json& position) {
    int64_t line = position.at("line").get<int64_t>(), character = position.at("character").get<int64_t>();
    if (line < 0 || character < 0) throw RequestError{kInvalidParams, "positions cannot be negative"};
    auto clamp = [](int64_t value) { return static_cast<uint32_t>(std::min<int64_t>(value, UINT32_MAX)); };
    return {clamp(line), clamp(character)};
  }

  static Range ToRange(const json& range) { return {ToPosition(range.at("start")), ToPosition(range.at("end"))}; }

  uint32_t OffsetAt(OpenDocument& open, const json& params) {
    return open.document.OffsetOf(ToPosition(params.at("position")), encoding_);
  }

  json PositionJson(const SourceFile& file, uint32_t offset) const {
    offset = std::min<uint32_t>(offset, static_cast<uint32_t>(file.text().size()));
    uint32_t line = file.Locate(offset).line;
    const uint32_t start = file.LineStart(line);
    return {{"line", line - 1},
            {"character", encoding_ == PositionEncoding::Utf8 ? offset - start : file.Utf16Units(start, offset)}};
  }

  json RangeJson(const SourceFile& file, SourceRange range) const {
    return {{"start", PositionJson(file, range.begin)}, {"end", PositionJson(file, range.end)}};
  }

  json LocationJson(const SourceFile& file, SourceRange range) const {
    return {{"uri", UriOf(file)}, {"range", RangeJson(file, range)}};
  }

  std::string UriOf(const SourceFile& file) const {
    for (const auto& [uri, open] : documents_) {
      if (open.document.path() == file.path()) return uri;
    }
    return UriFromPath(file.path());
  }

  // --- Diagnostics

  json DiagnosticJson(const Diagnostic& diagnostic) const {
    const SourceFile& file = *diagnostic.file;
    std::string message = diagnostic.message;
    if (!diagnostic.primary_label.empty()) message += "\n" + diagnostic.primary_label;
    for (const auto& note : diagnostic.notes) message += "\nnote: " + note;
    if (diagnostic.help) message += "\nhelp: " + diagnostic.help->message;
    json related = json::array();
    for (const auto& label : diagnostic.secondary_labels) {
      related.push_back({{"location", LocationJson(file, label.range)}, {"message", label.message}});
    }
    int severity = diagnostic.severity == Severity::Error ? 1 : diagnostic.severity == Severity::Warning ? 2 : 3;
    json out = {{"range", RangeJson(file, diagnostic.range)}, {"severity", severity}, {"code", CodeOf(diagnostic.kind)},
                {"source", "relc"}, {"message", message}};
    if (!related.empty()) out["relatedInformation"] = std::move(related);
    return out;
  }

  void ClearDiagnostics(const std::string& uri) {
    Notify("textDocument/publishDiagnostics", {{"uri", uri}, {"diagnostics", json::array()}});
  }

  // The document's own diagnostics; an imported file's, on its own URI (unless it is open, and
  // publishes its own) and summed up on the document's `import` line that leads to it.
  void Publish(OpenDocument& open) {
    const Analysis& analysis = *open.analysis;
    json diagnostics = json::array();
    std::map<std::string, json> imported;  // per imported file's path, its diagnostics
    for (const auto& diagnostic : analysis.diagnostics) {
      if (diagnostic.file == analysis.file) {
        diagnostics.push_back(DiagnosticJson(diagnostic));
      } else if (diagnostic.file != nullptr) {
        imported[diagnostic.file->path()].push_back(DiagnosticJson(diagnostic));
      }
    }
    for (const auto& [import, paths] : ImportsOf(analysis)) {
      if (auto line = ImportDiagnostic(*analysis.file, *import, paths, imported)) diagnostics.push_back(std::move(*line));
    }
    Notify("textDocument/publishDiagnostics",
           {{"uri", open.document.uri()}, {"version", open.document.version()}, {"diagnostics", std::move(diagnostics)}});
    std::set<std::string> published;
    for (auto& [path, list] : imported) {
      const std::string uri = UriFromPath(path);
      if (documents_.contains(uri)) continue;
      Notify("textDocument/publishDiagnostics", {{"uri", uri}, {"diagnostics", list}});
      published.insert(uri);
    }
    for (const std::string& uri : open.imported_uris) {
      if (!published.contains(uri)) ClearDiagnostics(uri);
    }
    open.imported_uris = std::move(published);
  }

  // One diagnostic on an `import` line for the problems of the files it brings in: the worst
  // severity, the first problem, and each as related information.
  std::optional<json> ImportDiagnostic(const SourceFile& file, const ast::Import& import, const std::set<std::string>& paths,
                                       const std::map<std::string, json>& imported) const {
    json related = json::array();
    int severity = 4, errors = 0;
    const json* first = nullptr;
    for (const std::string& path : paths) {
      auto found = imported.find(path);
      if (found == imported.end()) continue;
      for (const json& diagnostic : found->second) {
        const int level = diagnostic["severity"].get<int>();
        errors += level == 1;
        if (level < severity) severity = level, first = &diagnostic;
        related.push_back({{"location", {{"uri", UriFromPath(path)}, {"range", diagnostic["range"]}}},
                           {"message", diagnostic["message"]}});
      }
    }
    if (first == nullptr) return std::nullopt;
    const std::string message = (*first)["message"].get<std::string>();
    std::string text = errors > 0 ? fmt::format("the imported file has {} error{}: ", errors, errors == 1 ? "" : "s")
                                  : std::string("the imported file has warnings: ");
    text += message.substr(0, message.find('\n'));
    return json{{"range", RangeJson(file, import.range)}, {"severity", severity}, {"code", (*first)["code"]}, {"source", "relc"},
                {"message", text}, {"relatedInformation", std::move(related)}};
  }

  // --- Requests

  json Initialize(const json& params) {
    if (initialized_) throw RequestError{kInvalidRequest, "already initialized"};
    initialized_ = true;
    const json* encodings = nullptr;
    if (params.contains("capabilities") && params["capabilities"].contains("general")) {
      const json& general = params["capabilities"]["general"];
      if (general.contains("positionEncodings")) encodings = &general["positionEncodings"];
    }
    if (encodings != nullptr && encodings->is_array()) {
      for (const json& encoding : *encodings) {
        if (encoding == "utf-8") encoding_ = PositionEncoding::Utf8;
      }
    }
    json capabilities = {
        {"positionEncoding", encoding_ == PositionEncoding::Utf8 ? "utf-8" : "utf-16"},
        {"textDocumentSync", {{"openClose", true}, {"change", 2}}},
        {"hoverProvider", true},
        {"completionProvider", {{"triggerCharacters", {"."}}}},
        {"definitionProvider", true},
        {"referencesProvider", true},
        {"documentSymbolProvider", true},
        {"renameProvider", {{"prepareProvider", true}}},
        {"documentFormattingProvider", true},
        {"codeActionProvider", {{"codeActionKinds", {"quickfix"}}}},
    };
    return {{"capabilities", capabilities}, {"serverInfo", {{"name", "relc"}, {"version", options_.version}}}};
  }

  json Hover(const json& params) {
    OpenDocument& open = Find(params);
    uint32_t offset = OffsetAt(open, params);
    const Analysis& analysis = Current(open);
    auto occurrence = SymbolAt(analysis, offset);
    if (!occurrence) return nullptr;
    return {{"contents", {{"kind", "markdown"}, {"value", HoverMarkdown(*occurrence->symbol, analysis)}}},
            {"range", RangeJson(*analysis.file, occurrence->range)}};
  }

  json Completion(const json& params) {
    OpenDocument& open = Find(params);
    uint32_t offset = OffsetAt(open, params);
    Refresh(open);
    if (!stdlib_) stdlib_ = AnalyzeStandardLibrary(options_.check);
    json import_at = ImportPosition(open);
    json items = json::array();
    for (const CompletionItem& item : Complete(open.document.text(), offset, open.resolved.get(), stdlib_.get())) {
      json out = {{"label", item.label}, {"kind", item.kind}, {"detail", item.detail}};
      if (!item.documentation.empty()) out["documentation"] = {{"kind", "markdown"}, {"value", item.documentation}};
      if (!item.import.empty()) {
        out["additionalTextEdits"] = json::array({{{"range", {{"start", import_at}, {"end", import_at}}},
                                                    {"newText", "import " + item.import + "\n"}}});
      }
      items.push_back(std::move(out));
    }
    return {{"isIncomplete", false}, {"items", std::move(items)}};
  }

  // Where a new import goes: after the file's last import, else at the top.
  json ImportPosition(OpenDocument& open) const {
    const Analysis* parsed = open.analysis.get();
    uint32_t line = 0;
    if (parsed != nullptr && !parsed->checked.model.modules.empty()) {
      for (const auto& import : parsed->checked.model.modules.front().ast.imports) {
        line = std::max(line, parsed->file->Locate(import.range.end).line);
      }
    }
    return {{"line", line}, {"character", 0}};
  }

  json Definition(const json& params) {
    OpenDocument& open = Find(params);
    uint32_t offset = OffsetAt(open, params);
    auto occurrence = SymbolAt(Current(open), offset);
    if (!occurrence || occurrence->symbol->file == nullptr) return nullptr;
    return LocationJson(*occurrence->symbol->file, occurrence->symbol->range);
  }

  json References(const json& params) {
    OpenDocument& open = Find(params);
    uint32_t offset = OffsetAt(open, params);
    const Analysis& analysis = Current(open);
    auto occurrence = SymbolAt(analysis, offset);
    if (!occurrence) return json::array();
    bool with_declaration = params.contains("context") && params["context"].value("includeDeclaration", false);
    const sema::Symbol* symbol = occurrence->symbol;
    json locations = json::array();
    for (const Occurrence& found : OccurrencesOf(analysis, symbol)) {
      bool is_declaration = found.file == symbol->file.get() && found.range == symbol->range;
      if (is_declaration && !with_declaration) continue;
      locations.push_back(LocationJson(*found.file, found.range));
    }
    return locations;
  }

  json OutlineJson(const OutlineItem& item, const SourceFile& file) const {
    json children = json::array();
    for (const auto& child : item.children) children.push_back(OutlineJson(child, file));
    return {{"name", item.name},
            {"detail", item.detail},
            {"kind", item.kind},
            {"range", RangeJson(file, item.range)},
            {"selectionRange", RangeJson(file, item.selection)},
            {"children", std::move(children)}};
  }

  json DocumentSymbols(const json& params) {
    OpenDocument& open = Find(params);
    const Analysis& analysis = Current(open);
    json symbols = json::array();
    for (const OutlineItem& item : Outline(analysis)) symbols.push_back(OutlineJson(item, *analysis.file));
    return symbols;
  }

  // The symbol to rename at the cursor; an error if it is not the user's to rename.
  Occurrence RenameTarget(OpenDocument& open, const json& params) {
    uint32_t offset = OffsetAt(open, params);
    const Analysis& analysis = Current(open);
    auto occurrence = SymbolAt(analysis, offset);
    if (!occurrence) throw RequestError{kRequestFailed, "there is no name to rename here"};
    const sema::Symbol& symbol = *occurrence->symbol;
    if (symbol.file == nullptr) throw RequestError{kRequestFailed, "`" + symbol.name + "` is built into relc"};
    for (const auto& module : analysis.checked.model.modules) {
      if (module.file == symbol.file && module.is_stdlib) {
        throw RequestError{kRequestFailed, "`" + symbol.name + "` is declared in the standard library (" + module.name + ")"};
      }
    }
    return *occurrence;
  }

  json PrepareRename(const json& params) {
    OpenDocument& open = Find(params);
    Occurrence target = RenameTarget(open, params);
    return {{"range", RangeJson(*open.analysis->file, target.range)}, {"placeholder", target.symbol->name}};
  }

  json Rename(const json& params) {
    OpenDocument& open = Find(params);
    std::string new_name = params.at("newName");
    Occurrence target = RenameTarget(open, params);
    if (!syntax::IsValidName(new_name)) throw RequestError{kRequestFailed, "`" + new_name + "` is not a valid name"};
    json changes = json::object();
    for (const Occurrence& found : OccurrencesOf(*open.analysis, target.symbol)) {
      changes[UriOf(*found.file)].push_back({{"range", RangeJson(*found.file, found.range)}, {"newText", new_name}});
    }
    return {{"changes", std::move(changes)}};
  }

  json Formatting(const json& params) {
    OpenDocument& open = Find(params);
    DiagnosticCollector ignored;  // syntax errors are already published
    auto file = std::make_shared<const SourceFile>(open.document.path(), open.document.text());
    std::optional<std::string> formatted = syntax::Format(file, ignored);
    if (!formatted || *formatted == file->text()) return json::array();
    json whole = {{"start", {{"line", 0}, {"character", 0}}}, {"end", PositionJson(*file, static_cast<uint32_t>(file->text().size()))}};
    return json::array({{{"range", whole}, {"newText", *formatted}}});
  }

  json CodeActions(const json& params) {
    OpenDocument& open = Find(params);
    const Analysis& analysis = Current(open);
    Range wanted = ToRange(params.at("range"));
    uint32_t begin = open.document.OffsetOf(wanted.start, encoding_), end = open.document.OffsetOf(wanted.end, encoding_);
    json actions = json::array();
    for (const auto& diagnostic : analysis.diagnostics) {
      if (diagnostic.file != analysis.file || !diagnostic.help || diagnostic.help->edits.empty()) continue;
      if (diagnostic.range.end < begin || diagnostic.range.begin > end) continue;
      json edits = json::array();
      for (const auto& edit : diagnostic.help->edits) {
        edits.push_back({{"range", RangeJson(*analysis.file, edit.range)}, {"newText", edit.replacement}});
      }
      actions.push_back({{"title", diagnostic.help->message},
                         {"kind", "quickfix"},
                         {"diagnostics", json::array({DiagnosticJson(diagnostic)})},
                         {"isPreferred", true},
                         {"edit", {{"changes", {{open.document.uri(), std::move(edits)}}}}}});
    }
    return actions;
  }

  int output_fd_;
  const ServerOptions& options_;
  std::map<std::string, OpenDocument> documents_;
  std::unique_ptr<Analysis> stdlib_;  // made at the first completion
  PositionEncoding encoding_ = PositionEncoding::Utf16;
  bool initialized_ = false;
  bool shutdown_ = false;
  bool exited_ = false;
};

}  // namespace

int RunLanguageServer(int input_fd, int output_fd, const ServerOptions& options) {
  std::signal(SIGPIPE, SIG_IGN);  // a client that goes away ends the loop through its input
  Server server(output_fd, options);
  MessageReader reader(input_fd);
  std::string body;
  while (!server.exited()) {
    MessageReader::Status status = reader.Read(body, server.NextTimeoutMs());
    if (status == MessageReader::Status::Closed) break;
    if (status == MessageReader::Status::Message) server.Handle(body);
    if (status == MessageReader::Status::Malformed) server.ReportMalformedFrame();
    server.PublishDue();
  }
  return server.exit_code();
}

}  // namespace relc::lsp
