// `relc run --html`: the report of every example, opened in headless Chromium (scripts/setup
// installs it), draws every chart with marks and no console error, and its KPI table shows the
// figures of the JSON report of the same run.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "cli_test.h"

namespace {

// The page once its scripts ran, and what the browser's console said (every message: a report
// has nothing to say there).
struct Opened {
  std::string dom, console;
};

Opened OpenInChromium(const std::string& page) {
  const std::string err = WriteTemp("chromium_console.txt", "");
  Result dom = Shell("chromium --headless --no-sandbox --disable-gpu --host-resolver-rules='MAP * ~NOTFOUND' --enable-logging=stderr "
                     "--v=0 --virtual-time-budget=20000 "
                     "--dump-dom 'file://" + page + "' 2>" + err);
  REQUIRE(dom.exit_code == 0);
  std::string console;
  std::istringstream lines(ReadFile(err));
  for (std::string line; std::getline(lines, line);) {
    if (line.find(":CONSOLE") != std::string::npos) console += line + '\n';
  }
  return {dom.out, console};
}

std::string Attribute(const std::string& tag, const std::string& name) {
  std::smatch match;
  if (!std::regex_search(tag, match, std::regex(" " + name + "=\"([^\"]*)\""))) return {};
  return match[1];
}

// Every element's opening tag that has the attribute.
std::vector<std::string> TagsWith(const std::string& dom, const std::string& attribute) {
  std::vector<std::string> tags;
  std::regex tag("<[a-z]+[^>]* " + attribute + "=\"[^\"]*\"[^>]*>");
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), tag); it != std::sregex_iterator(); ++it) tags.push_back(it->str());
  return tags;
}

}  // namespace

TEST_CASE("every example's HTML report draws every chart in Chromium, and its KPI table is the JSON report's", "[html]") {
  REQUIRE(Shell("command -v chromium").exit_code == 0);  // scripts/setup installs it
  const std::string generated = GeneratedData(5000, 3);
  for (const std::string& program : ExamplePrograms()) {
    INFO(program);
    const ExampleData data = DataFor(program, generated);
    const std::string page = WriteTemp(std::filesystem::path(program).stem().string() + "_report.html", "");
    // One example over several runs, for the KPIs' prediction intervals.
    const bool runs = program.find("vip_pareto") != std::string::npos;
    const std::string args = program + " --data " + data.dir + " --as-of " + data.as_of + " --days 60" + (runs ? " --runs 3" : "");
    Result html = Relc("run " + args + " --html " + page);
    REQUIRE(html.exit_code == 0);
    Result json = Relc("run " + args + " --format json");
    REQUIRE(json.exit_code == 0);
    const nlohmann::json reports = nlohmann::json::parse(json.out);
    const std::string file = ReadFile(page);
    CHECK(file.size() < 2'000'000);
    // Offline: nothing to fetch (and Chromium, below, resolves no host).
    CHECK(file.find("<script src") == std::string::npos);
    CHECK(file.find("<link") == std::string::npos);
    const Opened opened = OpenInChromium(page);
    CHECK(opened.console.empty());
    std::smatch body;
    REQUIRE(std::regex_search(opened.dom, body, std::regex("<body[^>]*>")));
    CHECK(Attribute(body.str(), "data-status") == "drawn");
    CHECK(Attribute(body.str(), "data-errors").empty());
    const auto charts = TagsWith(opened.dom, "data-marks");
    CHECK(std::to_string(charts.size()) == Attribute(body.str(), "data-charts"));
    CHECK(charts.size() >= 7 * reports.size());
    if (runs) CHECK(opened.dom.find("data-chart=\"kpi-") != std::string::npos);
    for (const std::string& chart : charts) {
      INFO(Attribute(chart, "data-chart"));
      CHECK(std::stoll(Attribute(chart, "data-marks")) >= 1);
    }
    // The KPI table: each value as the JSON report gives it, shown and as a number.
    size_t kpis = 0;
    for (const auto& report : reports) kpis += report["kpis"].size();
    const auto shown = TagsWith(opened.dom, "data-kpi");
    REQUIRE(shown.size() == kpis);
    size_t k = 0;
    for (const auto& report : reports) {
      for (const auto& kpi : report["kpis"]) {
        const std::string& tag = shown[k++];
        CHECK(Attribute(tag, "data-kpi") == kpi["name"].get<std::string>());
        if (kpi["value"].is_null()) {
          CHECK(Attribute(tag, "data-value") == "null");
        } else {
          CHECK(std::stod(Attribute(tag, "data-value")) == kpi["value"].get<double>());
        }
        const size_t text_at = opened.dom.find(tag) + tag.size();
        CHECK(opened.dom.substr(text_at, opened.dom.find('<', text_at) - text_at) == kpi["text"].get<std::string>());
      }
    }
  }
}

TEST_CASE("relc calibrate --validate --html draws forecast against observed per arm and segment, with the JSON's figures", "[html]") {
  REQUIRE(Shell("command -v chromium").exit_code == 0);
  const std::string campaign = WriteTemp("html_campaign", "");
  std::filesystem::remove_all(campaign);
  REQUIRE(Relc("data generate --campaign --customers 20000 --seed 3 --out " + campaign).exit_code == 0);
  const std::string page = WriteTemp("validation_report.html", "");
  const std::string args = "calibrate --history " + campaign + "/history.csv --by loyalty_member --validate 50%";
  REQUIRE(Relc(args + " --html " + page).exit_code == 0);
  Result json = Relc(args + " --format json");
  REQUIRE(json.exit_code == 0);
  const nlohmann::json validation = nlohmann::json::parse(json.out);
  const Opened opened = OpenInChromium(page);
  CHECK(opened.console.empty());
  std::smatch body;
  REQUIRE(std::regex_search(opened.dom, body, std::regex("<body[^>]*>")));
  CHECK(Attribute(body.str(), "data-status") == "drawn");
  const auto charts = TagsWith(opened.dom, "data-marks");
  CHECK(charts.size() == 4);  // conversion, spend per customer, uplift, segments
  for (const std::string& chart : charts) CHECK(std::stoll(Attribute(chart, "data-marks")) >= 3 * 4);
  size_t checked = 0;
  for (const std::string& tag : TagsWith(opened.dom, "data-observed")) {
    const std::string key = Attribute(tag, "data-observed");
    const std::string arm = key.substr(0, key.find('/')), figure = key.substr(key.find('/') + 1);
    for (const auto& entry : validation["arms"]) {
      if (entry["arm"] != arm) continue;
      CHECK(std::stod(Attribute(tag, "data-value")) == entry[figure]["observed"].get<double>());
      ++checked;
    }
  }
  CHECK(checked == 12);  // 4 arms, 3 figures
  // Without a validation there is nothing to draw: a usage error.
  CHECK(Relc("calibrate --history " + campaign + "/history.csv --out " + WriteTemp("m.rel", "") + " --html " + page).exit_code == 2);
}

TEST_CASE("an HTML report that cannot be written is a usage or I/O error, and the run's other outputs still are whole", "[html]") {
  const std::string log = WriteTemp("html_unwritable_log.csv", "");
  std::filesystem::remove(log);
  Result run = Relc("run examples/winback/winback.rel --data " + GeneratedData(2000, 3) +
                        " --as-of 2026-01-01 --log " + log + " --html /nonexistent/dir/report.html",
                    true);
  CHECK(run.exit_code == 2);
  CHECK(run.out.find("error: cannot write `/nonexistent/dir/report.html`") != std::string::npos);
  CHECK(!std::filesystem::exists("/nonexistent/dir/report.html"));
  CHECK(ReadFile(log).starts_with("customer,time,scenario,step"));  // written before the page was attempted
}
