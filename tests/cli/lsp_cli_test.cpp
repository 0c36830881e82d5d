// `relc lsp` end to end: a JSON-RPC client drives the real server process.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "cli_test.h"
#include "lsp_client.h"

using nlohmann::json;

namespace {

std::string ReadSource(const std::string& relative) {
  std::ifstream in(std::string(RELC_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The LSP position of the `nth` occurrence of `needle` (plus `shift` characters); the texts
// used here are ASCII where it matters, so UTF-16 units are bytes.
json PositionOf(const std::string& text, const std::string& needle, int nth = 0, int shift = 0) {
  size_t at = text.find(needle);
  for (int i = 0; i < nth && at != std::string::npos; ++i) at = text.find(needle, at + 1);
  REQUIRE(at != std::string::npos);
  at += static_cast<size_t>(shift);
  size_t line_start = text.rfind('\n', at == 0 ? 0 : at - 1);
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  int line = static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
  return {{"line", line}, {"character", at - line_start}};
}

json Where(const std::string& uri, const json& position) { return {{"textDocument", {{"uri", uri}}}, {"position", position}}; }

const std::string kUri = "file://" + std::string(RELC_SOURCE_DIR) + "/examples/winback/winback.rel";

// A server past `initialize`, with win-back open (as on disk, or as given).
struct Session {
  LspClient client{RELC_BINARY};
  std::string text;

  explicit Session(std::string opened = ReadSource("examples/winback/winback.rel")) : text(std::move(opened)) {
    json init = client.Call("initialize", {{"processId", nullptr}, {"rootUri", nullptr}, {"capabilities", json::object()}});
    REQUIRE(init.contains("result"));
    client.Notify("initialized", json::object());
    client.Notify("textDocument/didOpen",
                  {{"textDocument", {{"uri", kUri}, {"languageId", "rel"}, {"version", 1}, {"text", text}}}});
  }

  json Diagnostics() {
    auto published = client.WaitForNotification("textDocument/publishDiagnostics");
    REQUIRE(published);
    return (*published)["params"];
  }

  int Shutdown() {
    json answer = client.Call("shutdown", nullptr);
    CHECK(answer.contains("result"));
    client.Notify("exit", nullptr);
    return client.WaitForExit(5000);
  }
};

std::vector<std::string> Labels(const json& completion) {
  std::vector<std::string> labels;
  for (const json& item : completion["result"]["items"]) labels.push_back(item["label"]);
  return labels;
}

bool Has(const std::vector<std::string>& labels, const std::string& label) {
  return std::find(labels.begin(), labels.end(), label) != labels.end();
}

}  // namespace

TEST_CASE("relc lsp: initialize announces the features, shutdown then exit ends with 0", "[lsp]") {
  LspClient client(RELC_BINARY);
  json answer = client.Call("initialize", {{"capabilities", {{"general", {{"positionEncodings", {"utf-8", "utf-16"}}}}}}});
  const json& capabilities = answer["result"]["capabilities"];
  CHECK(capabilities["positionEncoding"] == "utf-8");
  CHECK(capabilities["textDocumentSync"]["change"] == 2);
  for (const char* feature : {"hoverProvider", "completionProvider", "definitionProvider", "referencesProvider",
                              "documentSymbolProvider", "renameProvider", "documentFormattingProvider", "codeActionProvider"}) {
    CHECK(capabilities.contains(feature));
  }
  CHECK(answer["result"]["serverInfo"]["name"] == "relc");
  CHECK(client.Call("shutdown", nullptr).contains("result"));
  client.Notify("exit", nullptr);
  CHECK(client.WaitForExit(5000) == 0);
}

TEST_CASE("relc lsp: an open file with an error gets relc check's diagnostic, cleared once fixed", "[lsp]") {
  std::string text = ReadSource("examples/winback/winback.rel");
  size_t typo = text.find("frequency >= 2");
  text.replace(typo, 9, "frequncy");
  Session session(text);

  json published = session.Diagnostics();
  CHECK(published["uri"] == kUri);
  REQUIRE(published["diagnostics"].size() == 1);
  const json& diagnostic = published["diagnostics"][0];
  CHECK(diagnostic["code"] == "REL0100");
  CHECK(diagnostic["severity"] == 1);
  CHECK(diagnostic["source"] == "relc");
  CHECK(diagnostic["range"]["start"] == PositionOf(text, "frequncy"));
  CHECK(diagnostic["range"]["end"] == PositionOf(text, "frequncy", 0, 8));
  CHECK(diagnostic["message"].get<std::string>().find("did you mean `frequency`?") != std::string::npos);

  // The quick fix is the diagnostic's suggestion.
  json actions = session.client.Call("textDocument/codeAction",
                                     {{"textDocument", {{"uri", kUri}}},
                                      {"range", {{"start", PositionOf(text, "frequncy")}, {"end", PositionOf(text, "frequncy")}}},
                                      {"context", {{"diagnostics", json::array()}}}});
  REQUIRE(actions["result"].size() == 1);
  CHECK(actions["result"][0]["edit"]["changes"][kUri][0]["newText"] == "frequency");

  // An incremental change: insert the missing `e`.
  session.client.Notify("textDocument/didChange",
                        {{"textDocument", {{"uri", kUri}, {"version", 2}}},
                         {"contentChanges", {{{"range", {{"start", PositionOf(text, "frequncy", 0, 5)},
                                                         {"end", PositionOf(text, "frequncy", 0, 5)}}},
                                              {"text", "e"}}}}});
  json fixed = session.Diagnostics();
  CHECK(fixed["version"] == 2);
  CHECK(fixed["diagnostics"].empty());
  CHECK(session.Shutdown() == 0);
}

TEST_CASE("relc lsp: hover shows the kind, type with its unit and the doc comment", "[lsp]") {
  Session session;
  const std::string& text = session.text;
  json email = session.client.Call("textDocument/hover", Where(kUri, PositionOf(text, "send email", 0, 6)));
  std::string shown = email["result"]["contents"]["value"];
  CHECK(shown.find("**channel** `email`") != std::string::npos);
  CHECK(shown.find("from `std.channels`") != std::string::npos);
  CHECK(shown.find("E-mail:") != std::string::npos);  // its doc comment in stdlib/std/channels.rel
  CHECK(email["result"]["range"]["start"] == PositionOf(text, "send email", 0, 5));

  json recency = session.client.Call("textDocument/hover", Where(kUri, PositionOf(text, "recency > 180", 0, 2)));
  CHECK(recency["result"]["contents"]["value"].get<std::string>().find("`recency` : `duration`") != std::string::npos);

  json conversion = session.client.Call("textDocument/hover", Where(kUri, PositionOf(text, "expect conversion", 0, 8)));
  CHECK(conversion["result"]["contents"]["value"].get<std::string>().find("**KPI** `conversion` : `decimal`") != std::string::npos);
  json revenue = session.client.Call("textDocument/hover", Where(kUri, PositionOf(text, "(attributed_revenue", 0, 2)));
  CHECK(revenue["result"]["contents"]["value"].get<std::string>().find("**metric** `attributed_revenue` : `money (EUR)`") !=
        std::string::npos);

  json nothing = session.client.Call("textDocument/hover", Where(kUri, PositionOf(text, "objective", 0, 2)));
  CHECK(nothing["result"].is_null());
  CHECK(session.Shutdown() == 0);
}

TEST_CASE("relc lsp: completion offers keywords, names in scope, attributes, channels and stdlib items", "[lsp]") {
  Session session;
  const std::string& text = session.text;
  std::vector<std::string> anywhere = Labels(session.client.Call("textDocument/completion", Where(kUri, PositionOf(text, "  holdout"))));
  for (const char* expected : {"scenario", "panel", "wait", "dormant", "vip", "comeback", "recency", "email_optin", "sms",
                               "winback", "conversion", "cart_abandonment", "uplift"}) {
    INFO(expected);
    CHECK(Has(anywhere, expected));
  }
  // A template of std.scenarios, which win-back does not import: completing it adds the import.
  json all = session.client.Call("textDocument/completion", Where(kUri, PositionOf(text, "  holdout")));
  for (const json& item : all["result"]["items"]) {
    if (item["label"] != "cart_abandonment") continue;
    CHECK(item["additionalTextEdits"][0]["newText"] == "import std.scenarios\n");
    CHECK(item["additionalTextEdits"][0]["range"]["start"] == json{{"line", 0}, {"character", 0}});
  }
  std::vector<std::string> channels =
      Labels(session.client.Call("textDocument/completion", Where(kUri, PositionOf(text, "send email", 0, 5))));
  CHECK(Has(channels, "email"));
  CHECK(Has(channels, "postal"));
  CHECK_FALSE(Has(channels, "dormant"));
  std::vector<std::string> offers =
      Labels(session.client.Call("textDocument/completion", Where(kUri, PositionOf(text, "with comeback", 0, 5))));
  CHECK(offers == std::vector<std::string>{"comeback"});
  CHECK(session.Shutdown() == 0);
}

TEST_CASE("relc lsp: definition, references, symbols and rename follow the names", "[lsp]") {
  Session session;
  const std::string& text = session.text;
  json declaration = PositionOf(text, "dormant =");
  json definition = session.client.Call("textDocument/definition", Where(kUri, PositionOf(text, "enter dormant", 0, 8)));
  CHECK(definition["result"]["uri"] == kUri);
  CHECK(definition["result"]["range"]["start"] == declaration);
  CHECK(definition["result"]["range"]["end"] == PositionOf(text, "dormant =", 0, 7));

  json channel = session.client.Call("textDocument/definition", Where(kUri, PositionOf(text, "send sms", 0, 6)));
  CHECK(channel["result"]["uri"].get<std::string>().ends_with("/stdlib/std/channels.rel"));

  json params = Where(kUri, declaration);
  params["context"] = {{"includeDeclaration", true}};
  json references = session.client.Call("textDocument/references", params);
  CHECK(references["result"].size() == 3);  // declared, `vip = dormant where`, `enter dormant`

  json symbols = session.client.Call("textDocument/documentSymbol", {{"textDocument", {{"uri", kUri}}}});
  REQUIRE(symbols["result"].size() == 1);
  std::vector<std::string> members;
  for (const json& child : symbols["result"][0]["children"]) members.push_back(child["name"]);
  for (const char* expected : {"reactivation", "dormant", "vip", "comeback", "winback", "conversion", "roi"}) CHECK(Has(members, expected));

  json rename = session.client.Call("textDocument/rename", {{"textDocument", {{"uri", kUri}}}, {"position", declaration}, {"newName", "sleeping"}});
  CHECK(rename["result"]["changes"][kUri].size() == 3);
  json keyword = session.client.Call("textDocument/rename", {{"textDocument", {{"uri", kUri}}}, {"position", declaration}, {"newName", "scenario"}});
  CHECK(keyword["error"]["message"].get<std::string>().find("not a valid name") != std::string::npos);
  json stdlib = session.client.Call("textDocument/rename",
                                    {{"textDocument", {{"uri", kUri}}}, {"position", PositionOf(text, "send sms", 0, 6)}, {"newName", "texto"}});
  CHECK(stdlib["error"]["message"].get<std::string>().find("standard library") != std::string::npos);
  CHECK(session.Shutdown() == 0);
}

TEST_CASE("relc lsp: formatting returns relc fmt's layout", "[lsp]") {
  Session session("panel  p=customers where frequency>=2\n");
  json edits = session.client.Call("textDocument/formatting", {{"textDocument", {{"uri", kUri}}}, {"options", {{"tabSize", 2}, {"insertSpaces", true}}}});
  REQUIRE(edits["result"].size() == 1);
  CHECK(edits["result"][0]["newText"] == "panel p = customers where frequency >= 2\n");
  CHECK(session.Shutdown() == 0);
}

TEST_CASE("relc lsp: a program typed character by character keeps answering", "[lsp]") {
  std::string full = ReadSource("examples/winback/winback.rel");
  Session session("");
  std::string typed;
  int version = 1;
  for (size_t i = 0; i < full.size();) {
    json at = PositionOf(typed + "\x01", "\x01");
    size_t length = 1;  // a whole UTF-8 sequence: `é` is typed as one character
    while (i + length < full.size() && (static_cast<unsigned char>(full[i + length]) & 0xC0) == 0x80) ++length;
    std::string character = full.substr(i, length);
    session.client.Notify("textDocument/didChange", {{"textDocument", {{"uri", kUri}, {"version", ++version}}},
                                                     {"contentChanges", {{{"range", {{"start", at}, {"end", at}}}, {"text", character}}}}});
    typed += character;
    i += length;
    if (i % 40 < length) {
      json answer = session.client.Call("textDocument/completion", Where(kUri, at));
      CHECK(answer.contains("result"));
      answer = session.client.Call("textDocument/hover", Where(kUri, at));
      CHECK(answer.contains("result"));
    }
  }
  json formatted = session.client.Call("textDocument/formatting", {{"textDocument", {{"uri", kUri}}}});
  CHECK(formatted["result"].empty());  // the example is in canonical layout: the edits arrived whole
  CHECK(session.Shutdown() == 0);
}

TEST_CASE("relc lsp: 1,000 random malformed messages do not stop the server", "[lsp]") {
  Session session;
  std::mt19937 random(20261123);
  auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
  auto garbage = [&](size_t length) {
    std::string bytes;
    for (size_t i = 0; i < length; ++i) bytes.push_back(static_cast<char>(random() % 256));
    return bytes;
  };
  auto frame = [](const std::string& body) { return "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body; };
  const std::string valid = R"({"jsonrpc":"2.0","id":7,"method":"textDocument/hover","params":{"textDocument":{"uri":")" + kUri +
                            R"("},"position":{"line":14,"character":10}}})";
  for (int i = 0; i < 1000; ++i) {
    std::string message;
    switch (pick(10)) {
      case 0: message = garbage(1 + pick(200)) + "\r\n\r\n"; break;                      // no header at all
      case 1: message = "Content-Length: nonsense\r\n\r\n"; break;                       // a bad length
      case 2: message = "Content-Type: text/plain\r\n\r\n"; break;                       // no length
      case 3: message = frame(garbage(static_cast<size_t>(pick(300)))); break;           // not JSON
      case 4: message = frame(valid.substr(0, static_cast<size_t>(pick(static_cast<int>(valid.size()))))); break;  // cut short
      case 5: message = frame(std::vector<std::string>{"[]", "42", "\"x\"", "null", "{}", "[1,2]"}[static_cast<size_t>(pick(6))]); break;
      case 6: message = frame(R"({"jsonrpc":"2.0","id":)" + std::vector<std::string>{"[1]", "{}", "1.5", "true"}[static_cast<size_t>(pick(4))] +
                              R"(,"method":"textDocument/hover"})"); break;                // a bad id
      case 7: message = frame(R"({"jsonrpc":"2.0","id":)" + std::to_string(1000 + i) + R"(,"method":")" +
                              std::vector<std::string>{"nope", "textDocument/unknown", "$/secret", "workspace/symbol"}[static_cast<size_t>(pick(4))] +
                              R"(","params":{}})"); break;                                   // unknown methods
      case 8: {                                                                              // known methods, bad params
        std::vector<std::string> params = {
            R"({"textDocument":{"uri":")" + kUri + R"("},"position":{"line":"x","character":[]}})",
            R"({"textDocument":{"uri":")" + kUri + R"("},"position":{"line":-4,"character":-1}})",
            R"({"textDocument":{"uri":")" + kUri + R"("},"position":{"line":99999999999,"character":4294967296}})",
            R"({"textDocument":{"uri":"file:///not/open.rel"},"position":{"line":0,"character":0}})",
            R"({"textDocument":7})", R"(null)", R"("text")"};
        std::vector<std::string> methods = {"textDocument/hover", "textDocument/completion", "textDocument/definition",
                                            "textDocument/references", "textDocument/rename", "textDocument/formatting",
                                            "textDocument/documentSymbol", "textDocument/codeAction", "textDocument/prepareRename"};
        message = frame(R"({"jsonrpc":"2.0","id":)" + std::to_string(5000 + i) + R"(,"method":")" +
                        methods[static_cast<size_t>(pick(static_cast<int>(methods.size())))] + R"(","params":)" +
                        params[static_cast<size_t>(pick(static_cast<int>(params.size())))] + "}");
        break;
      }
      default: {                                                                             // bad notifications
        std::vector<std::string> bodies = {
            R"({"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///nowhere"},"contentChanges":[{"text":"x"}]}})",
            R"({"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":")" + kUri +
                R"("},"contentChanges":[{"range":{"start":{"line":3},"end":7},"text":"x"}]}})",
            R"({"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":5}}})",
            R"({"jsonrpc":"2.0","method":7})", R"({"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"?"}})"};
        message = frame(bodies[static_cast<size_t>(pick(static_cast<int>(bodies.size())))]);
      }
    }
    session.client.SendRaw(message);
    if (i % 100 == 99) {
      REQUIRE(session.client.Running());
      json answer = session.client.Call("textDocument/hover", Where(kUri, PositionOf(session.text, "dormant =", 0, 2)));
      CHECK(answer["result"]["contents"]["value"].get<std::string>().find("`dormant`") != std::string::npos);
    }
  }
  // The document was never changed by the bad notifications: win-back still checks clean.
  json final_hover = session.client.Call("textDocument/hover", Where(kUri, PositionOf(session.text, "send email", 0, 6)));
  CHECK(final_hover["result"]["contents"]["value"].get<std::string>().find("`email`") != std::string::npos);
  CHECK(session.Shutdown() == 0);
}

TEST_CASE("relc lsp: an error in an imported file shows on its own file and on the import line", "[lsp]") {
  // main.rel imports lib.rel, which imports deep.rel, which misspells a measure.
  const std::string dir = std::filesystem::path(WriteTemp("lsp-imports/.keep", "")).parent_path().string();
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/deep.rel") << "panel dormant = customers where frequncy >= 2\n";
  std::ofstream(dir + "/lib.rel") << "import \"./deep.rel\"\npanel fine = customers where frequency >= 1\n";
  const std::string main_text =
      "import \"./lib.rel\"\nprogram \"P\" {\n  consent email if email_optin\n  panel all = customers where consent(email)\n"
      "  scenario s { trigger enter all; send email \"x\" }\n}\n";
  std::ofstream(dir + "/main.rel") << main_text;
  const std::string main_uri = "file://" + dir + "/main.rel", deep_uri = "file://" + dir + "/deep.rel";
  LspClient client(RELC_BINARY);
  REQUIRE(client.Call("initialize", {{"capabilities", json::object()}}).contains("result"));
  client.Notify("initialized", json::object());
  client.Notify("textDocument/didOpen", {{"textDocument", {{"uri", main_uri}, {"languageId", "rel"}, {"version", 1}, {"text", main_text}}}});
  std::map<std::string, json> published;
  for (int i = 0; i < 2; ++i) {
    auto notification = client.WaitForNotification("textDocument/publishDiagnostics");
    REQUIRE(notification);
    published[(*notification)["params"]["uri"]] = (*notification)["params"]["diagnostics"];
  }
  REQUIRE(published.contains(main_uri));
  REQUIRE(published.contains(deep_uri));
  // The imported file's own error, where relc check puts it.
  REQUIRE(published[deep_uri].size() == 1);
  CHECK(published[deep_uri][0]["code"] == "REL0100");
  CHECK(published[deep_uri][0]["range"]["start"] == json({{"line", 0}, {"character", 32}}));
  // On the import line of main.rel, the one that brings it in (through lib.rel).
  REQUIRE(published[main_uri].size() == 1);
  const json& on_import = published[main_uri][0];
  CHECK(on_import["range"]["start"]["line"] == 0);
  CHECK(on_import["severity"] == 1);
  CHECK(on_import["code"] == "REL0100");
  CHECK(on_import["message"].get<std::string>().starts_with("the imported file has 1 error: "));
  CHECK(on_import["relatedInformation"][0]["location"]["uri"] == deep_uri);
  CHECK(client.Call("shutdown", nullptr).contains("result"));
  client.Notify("exit", nullptr);
  CHECK(client.WaitForExit(5000) == 0);
}

TEST_CASE("relc lsp: a message nesting 100,000 arrays is refused, and the server goes on", "[lsp]") {
  Session session;
  const std::string body = R"({"jsonrpc":"2.0","id":5,"method":"textDocument/hover","params":)" + std::string(100000, '[') +
                           std::string(100000, ']') + "}";
  session.client.SendRaw("Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  bool refused = false;
  for (const json& message : session.client.Drain(500)) {
    refused = refused || (message.contains("error") && message["error"]["code"] == -32700 &&
                          message["error"]["message"] == "the message nests deeper than 256 levels");
  }
  CHECK(refused);
  CHECK(session.client.Running());
  json answer = session.client.Call("textDocument/hover", Where(kUri, PositionOf(session.text, "dormant")));
  CHECK(answer.contains("result"));
  CHECK(session.Shutdown() == 0);
}

TEST_CASE("100,000 nesting levels, a 50,000-term chain and a 100,000-token line get their diagnostics from relc check and from the language server, without a crash", "[lsp]") {
  struct Case {
    std::string name, text, code, message;
  };
  std::string chain = "program \"P\" {\n  kpi k = revenue", line;
  for (int i = 1; i < 50000; ++i) chain += " + revenue";
  for (int i = 0; i < 25000; ++i) line += "panel p = customers ";  // 100,000 tokens
  const std::vector<Case> cases = {
      {"deep_nesting.rel", "program \"P\" {\n  kpi k = " + std::string(100000, '(') + "revenue" + std::string(100000, ')') + "\n}\n",
       "REL0022", "error[REL0022]: this nests more than 256 levels deep"},
      {"long_chain.rel", chain + "\n}\n", "REL0023", "error[REL0023]: this expression nests more than 512 operators deep"},
      {"long_line.rel", line + "\n", "REL0101", "error[REL0101]: `p` is defined more than once"},
  };
  for (const Case& each : cases) {
    INFO(each.name);
    const std::string file = WriteTemp(each.name, each.text);
    Result checked = Relc("check " + file, true);
    CHECK(checked.exit_code == 1);
    CHECK(checked.out.find(each.message) != std::string::npos);
    CHECK(checked.out.size() < 30'000'000);  // a window of the line per diagnostic, not the whole line
    LspClient client(RELC_BINARY);
    REQUIRE(client.Call("initialize", {{"capabilities", json::object()}}).contains("result"));
    client.Notify("initialized", json::object());
    const std::string uri = "file://" + file;
    client.Notify("textDocument/didOpen", {{"textDocument", {{"uri", uri}, {"languageId", "rel"}, {"version", 1}, {"text", each.text}}}});
    auto published = client.WaitForNotification("textDocument/publishDiagnostics", 60000);
    REQUIRE(published);
    REQUIRE(!(*published)["params"]["diagnostics"].empty());
    CHECK((*published)["params"]["diagnostics"][0]["code"] == each.code);
    CHECK(client.Call("shutdown", nullptr).contains("result"));
    client.Notify("exit", nullptr);
    CHECK(client.WaitForExit(5000) == 0);
  }
}
