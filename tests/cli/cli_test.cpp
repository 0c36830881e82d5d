#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

#include "cli_test.h"

Result Relc(const std::string& args, bool merge_stderr, const std::string& env) {
  return Shell(env + " " RELC_BINARY " " + args + (merge_stderr ? " 2>&1" : " 2>/dev/null"));
}

Result Shell(const std::string& shell_command) {
  std::string command = "cd " RELC_SOURCE_DIR " && " + shell_command;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  std::array<char, 4096> buffer;
  while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) out.append(buffer.data(), n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("relc_cli_test_" + name);
  std::ofstream(path) << text;
  return path.string();
}

namespace {

const char* const kThreeErrors =
    "program \"P\" {\n"
    "  panel a = customers where recency >\n"
    "  offer o = discount 10%\n"
    "  kpi k = sent / / delivered\n"
    "  scenario s {\n"
    "    send email \"x\" with\n"
    "  }\n"
    "}\n";

}  // namespace

TEST_CASE("relc check examples/ is clean", "[cli]") {
  Result result = Relc("check examples/", true);
  INFO(result.out);
  CHECK(result.exit_code == 0);
  CHECK(std::regex_search(result.out, std::regex("checked [0-9]+ files: no problems found")));
}

TEST_CASE("three independent syntax errors give three located diagnostics and exit 1", "[cli]") {
  std::string path = WriteTemp("three.rel", kThreeErrors);
  Result result = Relc("check " + path, true);
  INFO(result.out);
  CHECK(result.exit_code == 1);
  std::regex located("error\\[REL[0-9]{4}\\]: .*\\n +--> " + path + ":[0-9]+:[0-9]+\\n");
  auto begin = std::sregex_iterator(result.out.begin(), result.out.end(), located);
  CHECK(std::distance(begin, std::sregex_iterator()) == 3);
  CHECK(std::regex_search(result.out, std::regex("\\| +\\^+")));  // a caret line
  CHECK(result.out.find("checked 1 file: 3 errors") != std::string::npos);
}

TEST_CASE("json and sarif formats print valid JSON on stdout", "[cli]") {
  std::string path = WriteTemp("json.rel", kThreeErrors);
  Result json = Relc("check --format json " + path);
  CHECK(json.exit_code == 1);
  auto parsed = nlohmann::json::parse(json.out);
  CHECK(parsed["error_count"] == 3);
  CHECK(parsed["diagnostics"].size() == 3);

  Result sarif = Relc("check --format=sarif " + path);
  CHECK(sarif.exit_code == 1);
  auto log = nlohmann::json::parse(sarif.out);
  CHECK(log["version"] == "2.1.0");
  CHECK(log["runs"][0]["tool"]["driver"]["name"] == "relc");
  CHECK(log["runs"][0]["results"].size() == 3);
  for (const auto& result : log["runs"][0]["results"]) CHECK(result["locations"].size() == 1);
}

TEST_CASE("a file that is not UTF-8 is reported in JSON and SARIF too, never an abort", "[cli]") {
  std::string path = WriteTemp("not_utf8.rel", "panel p = customers where city == \"\xff\xfe\"\n");
  for (const char* format : {"json", "sarif"}) {
    INFO(format);
    Result run = Relc(std::string("check --format ") + format + " " + path);
    CHECK(run.exit_code == 1);  // was 134, nothing on stdout
    CHECK(run.out.find("REL0005") != std::string::npos);
    CHECK_NOTHROW(nlohmann::json::parse(run.out));
  }
}

TEST_CASE("importing a pipe, a device or a folder is an error at once", "[cli]") {
  // A pipe blocked `relc check` forever, /dev/zero grew until bad_alloc, a folder was an empty module.
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("relc_special_imports_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "folder");
  REQUIRE(mkfifo((dir / "pipe.rel").c_str(), 0600) == 0);
  const std::map<std::string, std::string> imports = {{"./pipe.rel", "not a regular file"},
                                                      {"/dev/zero", "not a regular file"},
                                                      {"./folder", "it is a folder, not a file"}};
  for (const auto& [target, reason] : imports) {
    INFO(target);
    std::ofstream(dir / "main.rel") << "import \"" << target << "\"\n";
    Result check = Relc("check " + (dir / "main.rel").string(), true);
    CHECK(check.exit_code == 1);
    CHECK(check.out.find("REL0102") != std::string::npos);
    CHECK(check.out.find(reason) != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("a report that cannot be written is an I/O error", "[cli]") {
  // /dev/full fails every write with ENOSPC, as a full disk does.
  for (const char* command : {"check --format json examples/winback/winback.rel", "help"}) {
    INFO(command);
    Result run = Shell(std::string("\"") + RELC_BINARY + "\" " + command + " 2>&1 >/dev/full; echo \"exit $?\"");
    CHECK(run.out.find("error: cannot write the output: No space left on device") != std::string::npos);
    CHECK(run.out.find("exit 2") != std::string::npos);  // was 0 with an empty file
  }
}

TEST_CASE("github format prints one workflow command per diagnostic", "[cli]") {
  std::string path = WriteTemp("github.rel", kThreeErrors);
  Result result = Relc("check --format github " + path);
  CHECK(result.exit_code == 1);
  std::regex annotation("::error file=[^,]+,line=[0-9]+,col=[0-9]+,endLine=[0-9]+,endColumn=[0-9]+,title=REL[0-9]{4}::");
  auto begin = std::sregex_iterator(result.out.begin(), result.out.end(), annotation);
  CHECK(std::distance(begin, std::sregex_iterator()) == 3);
}

TEST_CASE("exit code 2 for usage and I/O errors", "[cli]") {
  CHECK(Relc("").exit_code == 2);
  CHECK(Relc("frobnicate").exit_code == 2);
  CHECK(Relc("check").exit_code == 2);
  CHECK(Relc("check --format xml examples/").exit_code == 2);
  CHECK(Relc("check --no-such-option examples/").exit_code == 2);
  Result missing = Relc("check /nonexistent/x.rel", true);
  CHECK(missing.exit_code == 2);
  CHECK(missing.out.find("REL0900") != std::string::npos);
}

TEST_CASE("numbers of options are whole, in range, and never read by prefix", "[cli]") {
  // `--seed 1e3` was seed 1, `--days 10x` 10 days, `--seed -1` a wrapped 2^64 - 1.
  for (const char* bad : {"--seed 1e3", "--days 10x", "--seed -1", "--days 0", "--runs 2000", "--threads 1.5"}) {
    INFO(bad);
    Result run = Relc(std::string("run examples/winback/winback.rel --data /nonexistent ") + bad, true);
    CHECK(run.exit_code == 2);
    CHECK(run.out.find("takes a whole number from") != std::string::npos);
  }
  Result huge = Relc("data generate --customers 999999999999 --out /nonexistent", true);  // aborted on bad_alloc
  CHECK(huge.exit_code == 2);
  CHECK(huge.out.find("`--customers` takes a whole number from 1 to 100000000") != std::string::npos);
  Result seed = Relc("calibrate --history /nonexistent --out /nonexistent/m.rel --seed -1", true);
  CHECK(seed.exit_code == 2);
  CHECK(seed.out.find("`--seed` takes a whole number, not `-1`") != std::string::npos);
}

TEST_CASE("a misspelt command or option gets a suggestion", "[cli]") {
  CHECK(Relc("chek examples/", true).out.find("did you mean `relc check`?") != std::string::npos);
  CHECK(Relc("check --werorr examples/", true).out.find("did you mean `--werror`?") != std::string::npos);
}

TEST_CASE("colour follows --color and NO_COLOR", "[cli]") {
  std::string path = WriteTemp("color.rel", "panel = x\n");
  CHECK(Relc("check --color always " + path, true).out.find('\x1b') != std::string::npos);
  CHECK(Relc("check --color never " + path, true).out.find('\x1b') == std::string::npos);
  // Not a terminal: no colour by default.
  CHECK(Relc("check " + path, true).out.find('\x1b') == std::string::npos);
}

TEST_CASE("help and explain", "[cli]") {
  Result help = Relc("help");
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("check") != std::string::npos);
  Result check_help = Relc("help check");
  CHECK(check_help.out.find("--werror") != std::string::npos);
  Result explain = Relc("explain REL0011");
  CHECK(explain.exit_code == 0);
  CHECK(explain.out.find("UnclosedBlock") != std::string::npos);
  CHECK(Relc("explain REL9999").exit_code == 2);
}

TEST_CASE("relc data is a group of commands with help of its own", "[cli]") {
  for (const char* args : {"help data", "data --help"}) {
    Result help = Relc(args);
    CHECK(help.exit_code == 0);  // answered "unknown command `data`"
    CHECK(help.out.find("data generate") != std::string::npos);
    CHECK(help.out.find("data inspect") != std::string::npos);
  }
  Result bare = Relc("data", true);
  CHECK(bare.exit_code == 2);
  CHECK(bare.out.find("data inspect") != std::string::npos);
  Result misspelt = Relc("data genrate", true);
  CHECK(misspelt.exit_code == 2);
  CHECK(misspelt.out.find("did you mean `relc data generate`?") != std::string::npos);
}

TEST_CASE("every example scenario renders to SVG through dot", "[cli][graph]") {
  int rendered = 0;
  for (const std::string& program : ExamplePrograms()) {
    Result json = Relc("graph --format json " + program);
    REQUIRE(json.exit_code == 0);
    nlohmann::json graphs = nlohmann::json::parse(json.out);
    for (const auto& scenario : graphs["scenarios"]) {
      std::string name = scenario["name"];
      INFO(program << " scenario " << name);
      Result svg = Relc("graph --format svg --scenario " + name + " " + program);
      CHECK(svg.exit_code == 0);
      CHECK(svg.out.rfind("<?xml", 0) == 0);
      CHECK(svg.out.find("<svg") != std::string::npos);
      CHECK(svg.out.find("</svg>") != std::string::npos);
      ++rendered;
    }
  }
  CHECK(rendered >= 4);
}

TEST_CASE("graph output files are written whole", "[cli][graph]") {
  auto path = std::filesystem::temp_directory_path() / "relc_cli_test_graph.png";
  std::filesystem::remove(path);
  Result result = Relc("graph --format png -o " + path.string() + " examples/birthday/birthday.rel");
  CHECK(result.exit_code == 0);
  std::ifstream png(path, std::ios::binary);
  std::string magic(8, '\0');
  png.read(magic.data(), 8);
  CHECK(magic == "\x89PNG\r\n\x1a\n");
  // An unwritable target fails with exit 2 and leaves nothing behind.
  CHECK(Relc("graph --format dot -o /nonexistent/dir/x.dot examples/birthday/birthday.rel").exit_code == 2);
}

namespace {

struct GeneratedFolder {
  std::filesystem::path dir;
  GeneratedFolder(int customers, int seed) {
    dir = std::filesystem::temp_directory_path() /
          ("relc_cli_data_" + std::to_string(getpid()) + "_" + std::to_string(customers) + "_" + std::to_string(seed));
    std::filesystem::remove_all(dir);
    Result generated = Relc("data generate --customers " + std::to_string(customers) + " --seed " + std::to_string(seed) +
                                " --out " + dir.string(),
                            true);
    if (generated.exit_code != 0) throw std::runtime_error("cannot generate test data: " + generated.out);
  }
  ~GeneratedFolder() { std::filesystem::remove_all(dir); }
};

}  // namespace

std::string GeneratedData(int customers, int seed) {
  static std::map<std::pair<int, int>, std::unique_ptr<GeneratedFolder>> folders;
  auto& folder = folders[{customers, seed}];
  if (!folder) folder = std::make_unique<GeneratedFolder>(customers, seed);
  return folder->dir.string();
}

namespace {

// A shop's line-level export, generated once per process, for examples/online_retail.
struct GeneratedLines {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("relc_cli_lines_" + std::to_string(getpid()));
  GeneratedLines() {
    Result generated = Relc("data generate --format lines --customers 2000 --out " + dir.string(), true);
    if (generated.exit_code != 0) throw std::runtime_error("cannot generate a line-level export: " + generated.out);
  }
  ~GeneratedLines() { std::filesystem::remove_all(dir); }
};

}  // namespace

ExampleData DataFor(const std::string& program, const std::string& generated) {
  if (program.find("/examples/cdnow/") != std::string::npos) return {RELC_SOURCE_DIR "/examples/cdnow/data", "1998-07-01"};
  if (program.find("/examples/online_retail/") != std::string::npos) {
    static GeneratedLines lines;
    return {lines.dir.string(), "2026-01-01"};
  }
  return {generated, "2026-01-01"};
}

std::vector<std::string> ExamplePrograms() {
  std::vector<std::string> programs;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(RELC_SOURCE_DIR "/examples")) {
    if (entry.path().extension() == ".rel") programs.push_back(entry.path().string());
  }
  std::sort(programs.begin(), programs.end());
  return programs;
}

std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> fields;
    std::string field;
    bool quoted = false;
    for (char c : line) {
      if (c == '"') quoted = !quoted;
      else if (c == ',' && !quoted) fields.push_back(std::exchange(field, ""));
      else field += c;
    }
    fields.push_back(field);
    rows.push_back(std::move(fields));
  }
  return rows;
}

int64_t Seconds(const std::string& datetime) {
  std::tm tm{};
  std::istringstream(datetime) >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  return static_cast<int64_t>(timegm(&tm));
}

TEST_CASE("output files are written through links, keep their mode, and devices and pipes stay what they are", "[cli][files]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("relc_cli_files_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  // `relc fmt` on a link formats the file it names; the link stays a link, the file keeps 0600.
  const fs::path target = dir / "program.rel", link = dir / "link.rel";
  std::ofstream(target) << "program \"P\" {\n      consent email if email_optin\n}\n";
  fs::permissions(target, fs::perms::owner_read | fs::perms::owner_write);
  fs::create_symlink(target, link);
  REQUIRE(Relc("fmt -q " + link.string()).exit_code == 0);
  CHECK(fs::is_symlink(link));
  std::ifstream formatted(target);
  std::string text((std::istreambuf_iterator<char>(formatted)), std::istreambuf_iterator<char>());
  CHECK(text == "program \"P\" {\n  consent email if email_optin\n}\n");
  CHECK((fs::status(target).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
  // A log written to a pipe goes through it, and the pipe is still a pipe.
  const fs::path fifo = dir / "log.fifo", received = dir / "received.csv";
  REQUIRE(Shell("mkfifo " + fifo.string()).exit_code == 0);
  const std::string data = GeneratedData(300, 1);
  // The reader gives up after 30 s, so that a relc that never writes cannot hang the test.
  Result run = Shell("timeout 30 cat " + fifo.string() + " > " + received.string() + " & " RELC_BINARY
                     " run " RELC_SOURCE_DIR "/examples/winback/winback.rel --data " + data + " --as-of 2026-01-01 --log " + fifo.string() +
                     " 2>&1 >/dev/null; echo \"relc exit $?\"; wait");
  INFO(run.out);
  CHECK(run.out.find("relc exit 0") != std::string::npos);
  CHECK(fs::is_fifo(fifo));
  std::ifstream log(received);
  std::string header;
  std::getline(log, header);
  CHECK(header.starts_with("customer,time,scenario"));
  fs::remove_all(dir);
}

TEST_CASE("relc version names the version, the commit it was built from and LLVM's version", "[cli]") {
  Result version = Relc("version");
  REQUIRE(version.exit_code == 0);
  CHECK(Relc("--version").out == version.out);
  std::smatch parts;
  REQUIRE(std::regex_match(version.out, parts, std::regex(R"(relc (\d+\.\d+\.\d+) \(commit ([0-9a-f]{12}|unknown)(, modified)?, LLVM 19\.\d+\.\d+\)\n)")));
  CHECK(parts[1] == RELC_PROJECT_VERSION);
  // Built from a git checkout (as CI and developers build), the commit is that checkout's.
  Result head = Shell("git -C " RELC_SOURCE_DIR " rev-parse --short=12 HEAD 2>/dev/null");
  if (head.exit_code == 0) CHECK(parts[2] == head.out.substr(0, 12));
}
