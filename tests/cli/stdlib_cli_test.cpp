// End-to-end tests of the standard library as the simulator reads it: scenario templates run
// like the scenarios they stand for, channels' and the model's figures restated figure by
// figure, and the prelude every file sees.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include <unistd.h>

#include "cli_test.h"

namespace {

std::string Data() { return GeneratedData(3000, 11); }

std::string Temp(const std::string& name, const std::string& text) {
  return WriteTemp(std::to_string(getpid()) + "_" + name, text);
}

nlohmann::json Run(const std::string& file, const std::string& options = "") {
  Result run = Relc("run " + file + " --data " + Data() + " --as-of 2026-01-01 --format json" + options);
  REQUIRE(run.exit_code == 0);
  return nlohmann::json::parse(run.out)[0];
}

// A program around one scenario (and whatever else `members` declares).
std::string Program(const std::string& members) {
  return "import std.scenarios\nprogram \"P\" {\n"
         "  objective reactivation { goal purchase within 30 days }\n"
         "  consent { email if email_optin; sms if sms_optin; postal if postal_optin }\n"
         "  panel dormant = customers where recency > 120 days and frequency >= 1\n"
         "  offer comeback = discount 15% { cost = 1 EUR }\n" +
         members + "}\n";
}

const char* kWinbackByHand = R"(
  scenario back {
    trigger enter dormant
    reentry once per 365 days
    exit on purchase
    first: send email "winback-offer" with comeback
    wait 5 days
    branch {
      when opened(first) -> send email "winback-reminder" with comeback
      otherwise -> send sms "winback-sms" with comeback
    }
    wait 5 days
  }
)";

}  // namespace

TEST_CASE("a template's instance runs exactly like the scenario written out by hand", "[cli][stdlib]") {
  nlohmann::json by_hand = Run(Temp("by_hand.rel", Program(kWinbackByHand)));
  nlohmann::json instance = Run(Temp("instance.rel", Program(
      "  scenario back = winback(audience: dormant, reward: comeback, patience: 5 days)\n")));
  CHECK(by_hand["totals"]["sent"].get<int64_t>() > 100);
  CHECK(instance["totals"] == by_hand["totals"]);
  CHECK(instance["scenarios"] == by_hand["scenarios"]);
}

TEST_CASE("a template's default arguments apply, and a different argument changes the run", "[cli][stdlib]") {
  nlohmann::json seven = Run(Temp("seven.rel", Program(
      "  scenario back = winback(audience: dormant, reward: comeback)\n")));
  nlohmann::json seven_written = Run(Temp("seven_written.rel", Program(
      "  scenario back = winback(audience: dormant, reward: comeback, patience: 7 days)\n")));
  nlohmann::json thirty = Run(Temp("thirty.rel", Program(
      "  scenario back = winback(audience: dormant, reward: comeback, patience: 30 days)\n")));
  CHECK(seven["scenarios"] == seven_written["scenarios"]);
  CHECK(seven["scenarios"] != thirty["scenarios"]);
}

TEST_CASE("a program restates one figure of a channel and keeps the others", "[cli][stdlib]") {
  std::string scenario = R"(
  scenario hello {
    trigger enter dormant
    send email "hello"
  }
)";
  nlohmann::json standard = Run(Temp("standard.rel", Program(scenario)));
  nlohmann::json dearer = Run(Temp("dearer.rel", Program(scenario + "  channel email { cost = 0.10 EUR }\n")));
  int64_t sent = standard["totals"]["sent"].get<int64_t>();
  REQUIRE(sent > 100);
  CHECK(standard["totals"]["cost_cents"].get<int64_t>() == sent * 1);   // std.channels: 0.01 EUR
  CHECK(dearer["totals"]["cost_cents"].get<int64_t>() == sent * 10);
  CHECK(dearer["totals"]["opened"] == standard["totals"]["opened"]);  // the rates kept
  nlohmann::json read_by_all = Run(Temp("read_by_all.rel", Program(scenario + "  channel email { opened = 100% }\n")));
  CHECK(read_by_all["totals"]["opened"] == read_by_all["totals"]["delivered"]);
}

TEST_CASE("the default model's figures can be restated by a program's model block", "[cli][stdlib]") {
  std::string scenario = R"(
  scenario hello {
    trigger enter dormant
    send email "hello" with comeback
    wait 1 day
    send email "again" with comeback
    wait 1 day
    send email "once more" with comeback
  }
)";
  nlohmann::json standard = Run(Temp("model_standard.rel", Program(scenario)));
  nlohmann::json no_uplift = Run(Temp("no_uplift.rel", Program(scenario + "  model default { offer_uplift = 0% }\n")));
  nlohmann::json no_fatigue = Run(Temp("no_fatigue.rel", Program(scenario + "  model default { fatigue = 0% }\n")));
  CHECK(no_uplift["totals"]["converted"].get<int64_t>() < standard["totals"]["converted"].get<int64_t>());
  CHECK(no_uplift["totals"]["opened"] == standard["totals"]["opened"]);
  // Without fatigue the second and third messages are opened more often.
  CHECK(no_fatigue["totals"]["opened"].get<int64_t>() > standard["totals"]["opened"].get<int64_t>());
}

TEST_CASE("postal mail is read only once it has arrived", "[cli][stdlib]") {
  std::string scenario = R"(
  scenario letter {
    trigger enter dormant
    mail: send postal "letter"
    wait 2 days
    branch {
      when opened(mail) -> send email "read-within-two-days"
    }
  }
)";
  nlohmann::json standard = Run(Temp("postal.rel", Program(scenario)));
  nlohmann::json instant = Run(Temp("instant_postal.rel", Program(scenario + "  channel postal { delay = 0 days }\n")));
  REQUIRE(standard["scenarios"][0]["steps"].size() > 0);
  auto early_reads = [](const nlohmann::json& report) {
    int64_t sent = 0;
    for (const auto& step : report["scenarios"][0]["steps"]) {
      if (step.value("step", "").find("read-within-two-days") != std::string::npos) sent += step["sent"].get<int64_t>();
    }
    return sent;
  };
  CHECK(standard["totals"]["sent"].get<int64_t>() > 100);
  CHECK(early_reads(standard) == 0);  // std.channels: three days to arrive
  CHECK(early_reads(instant) > 0);
}

TEST_CASE("without the standard library, check says where it looked", "[cli][stdlib]") {
  std::string file = Temp("no_stdlib.rel", Program(kWinbackByHand));
  Result check = Relc("check " + file, true, "RELC_STDLIB=/nonexistent/stdlib");
  CHECK(check.exit_code == 1);
  CHECK(check.out.find("the standard library is missing") != std::string::npos);
  CHECK(check.out.find("/nonexistent/stdlib") != std::string::npos);
}

TEST_CASE("every declaration of the standard library has a doc comment, which explain shows", "[cli][stdlib]") {
  int declarations = 0;
  for (const auto& entry : std::filesystem::directory_iterator(RELC_SOURCE_DIR "/stdlib/std")) {
    std::ifstream in(entry.path());
    std::string previous;
    for (std::string line; std::getline(in, line); previous = line) {
      static const std::regex kDeclaration(R"(^(panel|kpi|scenario|channel|model|schema|function) (\w+))");
      std::smatch match;
      if (!std::regex_search(line, match, kDeclaration)) continue;
      INFO(entry.path().filename().string() << ": " << line);
      CHECK(previous.starts_with("///"));
      ++declarations;
      if (match[1] == "schema") continue;  // a data contract: its fields are the names
      Result explain = Relc("explain " + match[2].str());
      CHECK(explain.exit_code == 0);
      CHECK(explain.out.find(match[1].str() == "kpi" ? "KPI" : match[1].str()) != std::string::npos);
    }
  }
  CHECK(declarations >= 40);
}

TEST_CASE("explain tells a built-in from a library name, and rejects an unknown one", "[cli][stdlib]") {
  Result recency = Relc("explain recency");
  CHECK(recency.exit_code == 0);
  CHECK(recency.out.find("customer measure `recency` (built in)") != std::string::npos);
  Result email = Relc("explain email");
  CHECK(email.out.find("channel `email` in std.channels") != std::string::npos);
  CHECK(email.out.find("cost = 0.01 EUR") != std::string::npos);
  Result unknown = Relc("explain no_such_thing", true);
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.out.find("neither a diagnostic code nor a name") != std::string::npos);
}
