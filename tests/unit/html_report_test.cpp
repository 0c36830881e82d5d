#include <catch2/catch.hpp>

#include "report/html_report.h"

namespace {

// A scenario as the JSON report gives it: a send, a wait, and where journeys went.
nlohmann::ordered_json Scenario() {
  return nlohmann::ordered_json::parse(R"({
    "scenario": "welcome", "entered": 100,
    "journey": {
      "steps": [
        {"index": 1, "kind": "send", "text": "send email \"hello\"", "channel": "email",
         "counts": {"sent": 90, "delivered": 88, "opened": 40, "clicked": 8, "converted": 2, "suppressed": 10}},
        {"index": 2, "kind": "wait", "text": "wait 3 days"},
        {"index": 4, "kind": "set", "text": "set vip = true"}],
      "flows": [
        {"from": "trigger", "to": 1, "journeys": 100},
        {"from": 1, "to": 2, "journeys": 90},
        {"from": 1, "to": "exit", "journeys": 10},
        {"from": 2, "to": "exit", "journeys": 85}]}})");
}

}  // namespace

TEST_CASE("a journey's picture has every step with its counts and an edge per flow with its journeys", "[report]") {
  const std::string dot = relc::report::JourneyDot(Scenario());
  CHECK(dot.find("trigger [shape=invhouse") != std::string::npos);
  CHECK(dot.find("label=\"trigger\\n100 journeys\"") != std::string::npos);
  CHECK(dot.find("send email \\\"hello\\\"\\n90 sent, 40 opened, 8 clicked, 2 converted\\n10 suppressed") != std::string::npos);
  CHECK(dot.find("wait 3 days\\n90 journeys") != std::string::npos);
  CHECK(dot.find("set vip = true\\n0 journeys") != std::string::npos);  // never reached: drawn greyed
  CHECK(dot.find("label=\"exit\\n95\"") != std::string::npos);
  CHECK(dot.find("trigger -> s1 [label=\" 100\"") != std::string::npos);
  CHECK(dot.find("s1 -> exit [label=\" 10\"") != std::string::npos);
  CHECK(dot.find("s2 -> exit [label=\" 85\"") != std::string::npos);
  // The tooltip is the step's funnel.
  CHECK(dot.find("delivered 88 (97.8 %), opened 40 (45.5 %), clicked 8 (20.0 %), converted 2 (25.0 %)") != std::string::npos);
}

TEST_CASE("the page embeds the JSON report and the journeys, and nothing in them can close its scripts", "[report]") {
  nlohmann::ordered_json reports = nlohmann::ordered_json::array();
  reports.push_back({{"program", "A </script><script>alert(1)</script> & <b>"}});
  const std::string page = relc::report::HtmlReport(reports, {{"<svg></svg>"}});
  CHECK(page.starts_with("<!doctype html>"));
  CHECK(page.find("<title>relc report: A &lt;/script>&lt;script>alert(1)&lt;/script> &amp; &lt;b></title>") != std::string::npos);
  // The program's name appears escaped in the JSON: one </script> per script element, no more.
  size_t closes = 0;
  for (size_t at = page.find("</script>"); at != std::string::npos; at = page.find("</script>", at + 1)) ++closes;
  CHECK(closes == 3);  // the JSON, the journeys, the bundled script
  CHECK(page.find(R"("program":"A <\/script><script>alert(1)<\/script> & <b>")") != std::string::npos);
  CHECK(page.find(R"(window.relcJourneys = [["<svg><\/svg>"]];)") == std::string::npos);  // only </script is escaped
  CHECK(page.find(R"(window.relcJourneys = [["<svg></svg>"]];)") != std::string::npos);
  CHECK(page.find("vega") != std::string::npos);  // the bundled script is in
  // with the licences of what it bundles, in a comment at the end
  CHECK(page.find("vega-lite 6.5.0 (BSD-3-Clause)") != std::string::npos);
  CHECK(page.find("University of Washington Interactive Data Lab") != std::string::npos);
  CHECK(page.ends_with("-->\n"));
}
