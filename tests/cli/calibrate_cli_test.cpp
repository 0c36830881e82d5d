// `relc calibrate` end to end: a generated past campaign, its model, and a simulation with it.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <set>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_test.h"

namespace {

// A campaign of `customers`, generated once per seed in this process (never taken from an
// earlier run, whose generator may have differed); `options`: more of `data generate`'s, such
// as `--organic 200%`, for a campaign of another kind (`kind` names its folder).
std::string Campaign(int customers, int seed, const std::string& kind = "", const std::string& options = "") {
  static std::set<std::string> made;
  std::string dir = WriteTemp("campaign-" + kind + std::to_string(customers) + "-" + std::to_string(seed) + "/.keep", "");
  dir = std::filesystem::path(dir).parent_path().string();
  if (made.insert(dir).second) {
    Result generated = Relc("data generate --campaign --customers " + std::to_string(customers) + " --seed " +
                            std::to_string(seed) + " " + options + " --out " + dir, true);
    REQUIRE(generated.exit_code == 0);
  }
  return dir;
}

}  // namespace

TEST_CASE("relc calibrate writes a model that checks, and relc run --model simulates with it", "[calibrate]") {
  std::string campaign = Campaign(60000, 2);
  std::string model = campaign + "/model.rel";
  Result calibrated = Relc("calibrate --history " + campaign + "/history.csv --by loyalty_member --out " + model, true);
  INFO(calibrated.out);
  REQUIRE(calibrated.exit_code == 0);
  CHECK_THAT(calibrated.out, Catch::Contains("calibrated 4 arms on"));
  std::string text = ReadFile(model);
  CHECK_THAT(text, Catch::Contains("model calibrated {"));
  CHECK_THAT(text, Catch::Contains("response email \"winback-1\" {\n    delivered = 100%\n    opened = "));
  // Every figure with the interval runs draw it from; the basket, and what customers buy anyway.
  CHECK_THAT(text, Catch::Matches(R"([\s\S]*\n    clicked = \d+\.\d\d% within \d+\.\d\d%\.\.\d+\.\d\d%\n[\s\S]*)"));
  CHECK_THAT(text, Catch::Matches(R"([\s\S]*\n    basket = \d+\.\d\d EUR within \d+\.\d\d EUR\.\.\d+\.\d\d EUR\n[\s\S]*)"));
  CHECK_THAT(text, Catch::Contains("  baseline {\n    converted = "));
  CHECK_THAT(text, Catch::Contains("  baseline for customers where loyalty_member == true {\n"));
  CHECK_THAT(text, Catch::Contains("response sms \"winback-sms\" for customers where loyalty_member == true {"));
  CHECK_THAT(text, Catch::Contains("`converted` is the lift over the control"));
  CHECK_THAT(text, Catch::Contains("// arm `call-vip`: "));  // counts and intervals, in comments
  CHECK(Relc("check --werror " + model).exit_code == 0);
  CHECK(Relc("fmt --check " + model).exit_code == 0);  // written as relc fmt would
  std::string named = campaign + "/named.rel";
  REQUIRE(Relc("calibrate --history " + campaign + "/history.csv --name spring_2025 --window 14 --out " + named).exit_code == 0);
  CHECK_THAT(ReadFile(named), Catch::Contains("model spring_2025 {"));
  CHECK_THAT(ReadFile(named), Catch::Contains("over a 14-day window"));

  std::string data = GeneratedData(20000, 5);
  std::string run = "run examples/winback/winback.rel --data " + data + " --as-of 2026-01-01";
  Result with_model = Relc(run + " --model " + model);
  Result without = Relc(run);
  REQUIRE(with_model.exit_code == 0);
  REQUIRE(without.exit_code == 0);
  CHECK_THAT(with_model.out, Catch::Contains("response model: calibrated (" + model + ")"));
  CHECK_THAT(without.out, !Catch::Contains("response model:"));
  CHECK(with_model.out != without.out);
  // The calibrated funnel replaces the channel's: every message counts as delivered.
  CHECK_THAT(with_model.out, Catch::Contains("send email \"winback-1\" wi…               "));
  CHECK_THAT(with_model.out, Catch::Contains("100.0 %"));
  Result json = Relc(run + " --model " + model + " --format json");
  CHECK(nlohmann::json::parse(json.out)[0]["models"] == nlohmann::json::array({"calibrated (" + model + ")"}));

  // Unsubscribes are learned per arm and segment (the generator's SMS loses 1 % of the
  // non-members sent it, half that of members: 0.85 % in all; its e-mails 0.3-0.4 % as much),
  // and the simulation revokes consent at the learned rates, not the channel's.
  CHECK_THAT(text, Catch::Contains("// Unsubscribes are shrunk per segment like the other rates"));
  auto block = [&](const std::string& head) {
    const size_t at = text.find(head);
    return at == std::string::npos ? std::string() : text.substr(at, text.find("\n  }", at) - at);
  };
  const std::string sms_block = block("  response sms \"winback-sms\" {");
  REQUIRE(sms_block.find("\n    unsubscribed = ") != std::string::npos);
  CHECK(std::stod(sms_block.substr(sms_block.find("\n    unsubscribed = ") + 20)) == Approx(0.85).margin(0.3));
  CHECK(block("  response sms \"winback-sms\" for customers where loyalty_member == true {").find("\n    unsubscribed = ") !=
        std::string::npos);
  std::string without_unsubscribes = text;
  for (size_t at; (at = without_unsubscribes.find("\n    unsubscribed = ")) != std::string::npos;) {
    without_unsubscribes.erase(at, without_unsubscribes.find('\n', at + 1) - at);
  }
  std::string channel_unsubscribes = WriteTemp("calibrated-no-unsubscribes.rel", without_unsubscribes);
  auto unsubscribed = [&](const std::string& with) {
    Result report = Relc(run + " --model " + with + " --format json");
    REQUIRE(report.exit_code == 0);
    return nlohmann::json::parse(report.out)[0]["totals"]["unsubscribed"].get<int64_t>();
  };
  CHECK(unsubscribed(model) != unsubscribed(channel_unsubscribes));

  // Two attributes: a segment per combination, written last, so a member in Switzerland takes
  // both effects, and the simulation evaluates them over the customer data.
  std::string combined = campaign + "/combined.rel";
  Result by_two = Relc("calibrate --history " + campaign + "/history.csv --by loyalty_member,country --out " + combined, true);
  INFO(by_two.out);
  REQUIRE(by_two.exit_code == 0);
  std::string combined_text = ReadFile(combined);
  CHECK_THAT(combined_text, Catch::Contains("// Per combination of loyalty_member, country"));
  CHECK_THAT(combined_text, Catch::Contains("// loyalty_member = true, country = CH: "));
  CHECK_THAT(combined_text,
             Catch::Contains("response phone \"call-vip\" for customers where loyalty_member == true and country == \"CH\" {"));
  CHECK(combined_text.rfind("country == \"DE\" {") > combined_text.rfind("for customers where country =="));
  CHECK(Relc("check --werror " + combined).exit_code == 0);
  Result with_combined = Relc(run + " --model " + combined);
  REQUIRE(with_combined.exit_code == 0);
  CHECK(with_combined.out != with_model.out);
}

TEST_CASE("a message's own conversion figure includes its offer, and a channel's gets the offer's uplift", "[calibrate]") {
  // Win-back as it is (its offer adds the default uplift), and with an offer that adds nothing.
  std::string program = ReadFile(std::string(RELC_SOURCE_DIR) + "/examples/winback/winback.rel");
  const std::string offer = "offer comeback = discount 15% { cost = 3 EUR }";
  REQUIRE(program.find(offer) != std::string::npos);
  std::string no_uplift = program;
  no_uplift.replace(no_uplift.find(offer), offer.size(), "offer comeback = discount 15% { cost = 3 EUR; uplift = 0% }");
  std::string with_uplift_file = WriteTemp("offer_rule_winback.rel", program);
  std::string no_uplift_file = WriteTemp("offer_rule_winback_no_uplift.rel", no_uplift);
  std::string message_model = WriteTemp("offer_rule_message.rel",
                                        "model measured { response email \"winback-1\" { opened = 40%; clicked = 20%; converted = 10% } }\n");
  std::string channel_model = WriteTemp("offer_rule_channel.rel",
                                        "model measured { response email { opened = 40%; clicked = 20%; converted = 10% } }\n");
  auto converted = [&](const std::string& file, const std::string& model) {
    Result run = Relc("run " + file + " --data " + GeneratedData(20000, 5) + " --as-of 2026-01-01 --format json --model " + model);
    INFO(run.out);
    REQUIRE(run.exit_code == 0);
    return nlohmann::json::parse(run.out)[0]["scenarios"][0]["steps"][0]["converted"].get<int64_t>();
  };
  const int64_t message_offered = converted(with_uplift_file, message_model);
  CHECK(message_offered > 50);
  CHECK(message_offered == converted(no_uplift_file, message_model));
  CHECK(converted(with_uplift_file, channel_model) > converted(no_uplift_file, channel_model));
}

TEST_CASE("relc calibrate --validate forecasts the held-out customers, arm by arm", "[calibrate]") {
  std::string campaign = Campaign(200000, 4);
  Result validated = Relc("calibrate --history " + campaign + "/history.csv --validate 50% --seed 3");
  INFO(validated.out);
  REQUIRE(validated.exit_code == 0);
  CHECK_THAT(validated.out, Catch::Contains("validation: fitted on"));
  for (const char* table : {"| conversion | test customers |", "| spend per customer |", "| uplift over the control |"}) {
    CHECK_THAT(validated.out, Catch::Contains(table));
  }
  for (const char* arm : {"| winback-1 |", "| winback-2 |", "| winback-sms |", "| call-vip |"}) {
    CHECK_THAT(validated.out, Catch::Contains(arm));
  }
  CHECK(Relc("calibrate --history " + campaign + "/history.csv --validate 50% --seed 3").out == validated.out);
}

TEST_CASE("relc calibrate --validate --by shows each segment's forecasts, and what the segmentation gains", "[calibrate]") {
  std::string campaign = Campaign(200000, 4);
  Result validated = Relc("calibrate --history " + campaign + "/history.csv --by loyalty_member --validate 50% --seed 3 --format json");
  INFO(validated.out);
  REQUIRE(validated.exit_code == 0);
  const nlohmann::json json = nlohmann::json::parse(validated.out);
  REQUIRE(json["segments"].size() == 8);  // two values, four arms
  // Members respond half as much again as others: forecast with the arm's rate alone, each value
  // misses; with its segment's, far less.
  double with_by = 0, without_by = 0;
  for (const auto& segment : json["segments"]) {
    CHECK(segment["attribute"] == "loyalty_member");
    with_by += segment["conversion"]["error_percent"].get<double>();
    without_by += segment["conversion"]["error_percent_without_by"].get<double>();
  }
  CHECK(with_by < 0.5 * without_by);
  for (const auto& arm : json["arms"]) {
    const auto& conversion = arm["conversion"];
    CHECK(conversion["within_noise"] == (conversion["error_percent"].get<double>() <= conversion["noise_percent"].get<double>()));
  }
  Result text = Relc("calibrate --history " + campaign + "/history.csv --by loyalty_member --validate 50% --seed 3");
  CHECK_THAT(text.out, Catch::Contains("| conversion by segment | arm | test customers |"));
  CHECK_THAT(text.out, Catch::Contains("| loyalty_member = true | winback-1 | "));
  CHECK_THAT(text.out, Catch::Contains("within: as good as this sample allows"));
}

TEST_CASE("relc calibrate --validate-on: fitted on one campaign, forecast for another", "[calibrate]") {
  const std::string spring = Campaign(60000, 2) + "/history.csv", autumn = Campaign(60000, 7) + "/history.csv";
  Result backtest = Relc("calibrate --history " + spring + " --by loyalty_member --validate-on " + autumn);
  INFO(backtest.out);
  REQUIRE(backtest.exit_code == 0);
  CHECK_THAT(backtest.out, Catch::StartsWith("backtest: fitted on " + spring + " (60000 customers), forecast for " + autumn +
                                             " (60000 customers)\n"));
  for (const char* arm : {"| winback-1 | ", "| winback-2 | ", "| winback-sms | ", "| call-vip | "}) {
    CHECK_THAT(backtest.out, Catch::Contains(arm));
  }
  CHECK_THAT(backtest.out, Catch::Contains("| uplift over the control | test customers |"));
  CHECK_THAT(backtest.out, Catch::Contains("an error\nbeyond the held-out noise there is drift"));
  // The model written is the one fitted on the whole of --history, validated or not.
  const std::string validated = WriteTemp("backtest-model.rel", ""), plain = WriteTemp("plain-model.rel", "");
  REQUIRE(Relc("calibrate --history " + spring + " --by loyalty_member --validate-on " + autumn + " --out " + validated).exit_code == 0);
  REQUIRE(Relc("calibrate --history " + spring + " --by loyalty_member --out " + plain).exit_code == 0);
  CHECK(ReadFile(validated) == ReadFile(plain));

  // An arm the fitted campaign did not send is named, not forecast.
  std::string later = ReadFile(autumn);
  for (size_t at = 0; (at = later.find(",call-vip,phone,call-vip,", at)) != std::string::npos; at += 25) later.replace(at, 25, ",call-new,phone,call-new,");
  Result partial = Relc("calibrate --history " + spring + " --validate-on " + WriteTemp("autumn-new-arm.csv", later));
  REQUIRE(partial.exit_code == 0);
  CHECK_THAT(partial.out, Catch::Contains("arm `call-new` sent phone \"call-new\", which " + spring + " did not: it cannot be forecast"));
  CHECK_THAT(partial.out, !Catch::Contains("| call-new |"));
  // An arm renamed from one campaign to the next is the message it sent: it is forecast.
  std::string renamed = ReadFile(autumn);
  for (size_t at = 0; (at = renamed.find(",winback-2,email,", at)) != std::string::npos; at += 16) renamed.replace(at, 17, ",autumn-2,email,");
  Result matched = Relc("calibrate --history " + spring + " --validate-on " + WriteTemp("autumn-renamed.csv", renamed));
  REQUIRE(matched.exit_code == 0);
  CHECK_THAT(matched.out, Catch::Contains("| autumn-2 | "));
  CHECK_THAT(matched.out, !Catch::Contains("cannot be forecast"));

  // As JSON, for a CI job that gates on the errors: the same figures as the tables.
  Result json = Relc("calibrate --history " + spring + " --by loyalty_member --validate-on " + autumn + " --format json");
  REQUIRE(json.exit_code == 0);
  const nlohmann::json parsed = nlohmann::json::parse(json.out);
  CHECK(parsed["kind"] == "backtest");
  CHECK(parsed["fitted_on"] == spring);
  CHECK(parsed["forecast_for"] == autumn);
  CHECK(parsed["test_customers"] == 60000);
  REQUIRE(parsed["arms"].size() == 4);
  for (const auto& arm : parsed["arms"]) {
    const std::string row = fmt::format("| {} | {} | ", arm["arm"].get<std::string>(), arm["test_customers"].get<int64_t>());
    const size_t at = backtest.out.find(row);  // in the conversion table, which comes first
    REQUIRE(at != std::string::npos);
    const std::string line = backtest.out.substr(at, backtest.out.find('\n', at) - at);
    CHECK_THAT(line, Catch::Contains(fmt::format("| {:.1f} % |", arm["conversion"]["error_percent"].get<double>())));
    for (const char* metric : {"conversion", "spend_per_customer", "uplift"}) {
      CHECK(arm[metric]["low"].get<double>() <= arm[metric]["forecast"].get<double>());
      CHECK(arm[metric]["inside"].is_boolean());
    }
  }
  // A campaign whose customers respond at 70 % of the usual rates: every conversion forecast
  // misses, by more than the held-out noise, and outside its interval.
  const std::string drifted = WriteTemp("campaign-drifted/.keep", "");
  const std::string drifted_dir = std::filesystem::path(drifted).parent_path().string();
  REQUIRE(Relc("data generate --campaign --customers 60000 --seed 8 --response 70% --out " + drifted_dir).exit_code == 0);
  CHECK(Relc("data generate --customers 10 --response 70% --out " + drifted_dir).exit_code == 2);  // customers: no campaign
  CHECK(Relc("data generate --campaign --customers 10 --response 0.7 --out " + drifted_dir).exit_code == 2);
  CHECK(Relc("data generate --customers 10 --organic 200% --out " + drifted_dir).exit_code == 2);
  CHECK(Relc("data generate --campaign --customers 10 --organic 0% --out " + drifted_dir).exit_code == 2);
  Result unknown_arm = Relc("data generate --campaign --customers 10 --arms winback-1,fax --out " + drifted_dir, true);
  CHECK(unknown_arm.exit_code == 2);
  CHECK_THAT(unknown_arm.out, Catch::Contains("`--arms`: no arm `fax` in a generated campaign"));
  Result drift = Relc("calibrate --history " + spring + " --by loyalty_member --validate-on " + drifted_dir +
                      "/history.csv --format json");
  REQUIRE(drift.exit_code == 0);
  const nlohmann::json drift_arms = nlohmann::json::parse(drift.out)["arms"];
  REQUIRE(drift_arms.size() == 4);
  for (const auto& arm : drift_arms) {
    INFO(arm.dump());
    CHECK(arm["conversion"]["error_percent"].get<double>() > 2 * arm["conversion"]["noise_percent"].get<double>());
    CHECK_FALSE(arm["conversion"]["inside"].get<bool>());
    CHECK(arm["conversion"]["observed"].get<double>() < arm["conversion"]["low"].get<double>());
  }

  Result split = Relc("calibrate --history " + spring + " --validate 50% --format json");
  REQUIRE(split.exit_code == 0);
  CHECK(nlohmann::json::parse(split.out)["kind"] == "validation");
  CHECK(Relc("calibrate --history " + spring + " --validate 50% --format xml").exit_code == 2);

  CHECK(Relc("calibrate --history " + spring + " --validate 50% --validate-on " + autumn).exit_code == 2);
  CHECK(Relc("calibrate --history " + spring + " --validate-on " + autumn + " --out -").exit_code == 2);  // both on stdout
  CHECK(Relc("calibrate --history " + spring + " --validate-on " + autumn + " --validate-on-table t").exit_code == 2);
  CHECK(Relc("calibrate --history " + spring + " --validate-on " + autumn + ".missing").exit_code == 2);
}

TEST_CASE("relc calibrate --validate: with 50,000 held-out customers per arm, forecasts within 10 %", "[calibrate]") {
  // One fixed draw (scripts/calibration-accuracy runs many): at this size, every conversion and
  // spend forecast of 40 draws was within 5.4 %, and the uplift's 95th percentile 10.8 %.
  std::string campaign = Campaign(500000, 5);
  Result validated = Relc("calibrate --history " + campaign + "/history.csv --by loyalty_member --validate 50% --seed 5");
  INFO(validated.out);
  REQUIRE(validated.exit_code == 0);
  std::istringstream lines(validated.out);
  std::string line, metric;
  int rows = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("| ", 0) != 0) continue;
    std::vector<std::string> cells;
    for (size_t start = 2, bar; (bar = line.find(" |", start)) != std::string::npos; start = bar + 3) {
      cells.push_back(line.substr(start, bar - start));
    }
    if (cells.size() != 8) continue;
    if (cells[1] == "test customers") {
      metric = cells[0];
      continue;
    }
    INFO(metric << ": " << line);
    ++rows;
    CHECK(std::stod(cells[1]) > 49000);
    const double error = std::stod(cells[4]);
    CHECK(error < (metric == "uplift over the control" ? 15 : 10));
    if (metric == "uplift over the control") CHECK(cells[5] == "yes");
    // The held-out half's own noise at 50,000 customers: a few percent for rates, more for uplift.
    REQUIRE(cells[6].rfind("±", 0) == 0);
    const double noise = std::stod(cells[6].substr(std::string("±").size()));
    CHECK(noise > 0.5);
    CHECK(noise < (metric == "uplift over the control" ? 15 : 6));
    // Within the noise exactly when the error is.
    CHECK((cells[7] == "within: as good as this sample allows") == (error <= noise));
  }
  CHECK(rows == 12);  // four arms, three figures each
}

TEST_CASE("relc calibrate PROGRAM --data --as-of: segments by the program's panels, as of the campaign", "[calibrate]") {
  const std::string data = GeneratedData(20000, 5), program = "examples/winback/winback.rel", as_of = "2025-10-01";
  // Every customer of the data in one arm: a segment's count is then the panel's.
  std::string csv = "customer_id,arm,channel,message,opened,clicked,converted,amount\n";
  for (int c = 1; c <= 20000; ++c) {
    csv += fmt::format("C{:07d},winback-1,email,winback-1,{},0,{},0\n", c, c % 3 == 0 ? 1 : 0, c % 17 == 0 ? 1 : 0);
  }
  std::string history = WriteTemp("panel-history.csv", csv), model = WriteTemp("panel-model.rel", "");
  Result calibrated = Relc("calibrate " + program + " --data " + data + " --as-of " + as_of + " --history " + history +
                               " --by dormant,vip --out " + model,
                           true);
  INFO(calibrated.out);
  REQUIRE(calibrated.exit_code == 0);
  Result counted = Relc("panels " + program + " --data " + data + " --as-of " + as_of + " --format json");
  INFO(counted.out);
  REQUIRE(counted.exit_code == 0);
  std::map<std::string, int64_t> members;
  const nlohmann::json counts = nlohmann::json::parse(counted.out);
  for (const auto& panel : counts[0]["panels"]) {
    members[panel["panel"].get<std::string>()] = panel["customers"].get<int64_t>();
  }
  REQUIRE(members.at("dormant") > 0);
  const std::string written = ReadFile(model);
  INFO(written);
  CHECK_THAT(written, Catch::Contains("\npanel dormant = customers where recency > 180 days and frequency >= 2 and consent(email)\n"
                                      "panel vip = dormant where monetary in top 20%\n"));
  CHECK_THAT(written, Catch::Contains(fmt::format("// dormant = true: {} customers", members.at("dormant"))));
  CHECK_THAT(written, Catch::Contains(fmt::format("// vip = true: {} customers", members.at("vip"))));
  CHECK_THAT(written, Catch::Contains("response email \"winback-1\" for dormant {"));
  CHECK_THAT(written, Catch::Contains("response email \"winback-1\" for customers where not (customer in vip) {"));
  CHECK(Relc("run " + program + " --data " + data + " --as-of 2026-01-01 --model " + model).exit_code == 0);

  // A customer the data does not have: their membership is unknown, said at their line.
  std::string stranger = WriteTemp("panel-stranger.csv", csv + "X0000001,winback-1,email,winback-1,0,0,0,0\n");
  Result refused = Relc("calibrate " + program + " --data " + data + " --as-of " + as_of + " --history " + stranger +
                            " --by dormant --out " + model,
                        true);
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.out, Catch::Contains(stranger + ":20002:1: customer `X0000001` is not in the customer data, so whether "
                                                     "they were in panel `dormant` is unknown"));
  CHECK(ReadFile(model) == written);
  // A name that is neither a column nor a panel; panels without their data.
  CHECK_THAT(Relc("calibrate " + program + " --data " + data + " --as-of " + as_of + " --history " + history + " --by nosuch --out " + model,
                  true).out,
             Catch::Contains("nor has the program such a panel: it has dormant, vip"));
  CHECK(Relc("calibrate " + program + " --history " + history + " --by dormant --out " + model).exit_code == 2);
  CHECK(Relc("calibrate " + program + " --data " + data + " --history " + history + " --by dormant --out " + model).exit_code == 2);

  // Several campaigns: each customer's membership as of their own campaign's date, one --as-of
  // per campaign (each --history, then each --validate-on). Six months earlier, fewer customers
  // had been away long enough to be dormant.
  const std::string spring = "2025-04-01";
  Result earlier = Relc("panels " + program + " --data " + data + " --as-of " + spring + " --format json");
  REQUIRE(earlier.exit_code == 0);
  int64_t dormant_in_spring = 0;
  const nlohmann::json spring_counts = nlohmann::json::parse(earlier.out);
  for (const auto& panel : spring_counts[0]["panels"]) {
    if (panel["panel"].get<std::string>() == "dormant") dormant_in_spring = panel["customers"].get<int64_t>();
  }
  REQUIRE(dormant_in_spring != members.at("dormant"));
  std::string pooled_model = WriteTemp("panel-pooled.rel", "");
  Result pooled = Relc("calibrate " + program + " --data " + data + " --history " + history + " --as-of " + as_of + " --history " +
                           history + " --as-of " + spring + " --by dormant --out " + pooled_model,
                       true);
  INFO(pooled.out);
  REQUIRE(pooled.exit_code == 0);
  CHECK_THAT(ReadFile(pooled_model),
             Catch::Contains(fmt::format("// dormant = true: {} customers", members.at("dormant") + dormant_in_spring)));
  Result backtest = Relc("calibrate " + program + " --data " + data + " --as-of " + spring + " --as-of " + as_of + " --history " +
                         history + " --by dormant --validate-on " + history + " --format json");
  REQUIRE(backtest.exit_code == 0);
  CHECK(nlohmann::json::parse(backtest.out)["kind"] == "backtest");
  // One date for several campaigns, or a date count that matches none.
  Result one_date = Relc("calibrate " + program + " --data " + data + " --as-of " + as_of + " --history " + history +
                             " --by dormant --validate-on " + history, true);
  CHECK(one_date.exit_code == 2);
  CHECK_THAT(one_date.out, Catch::Contains("with several campaigns, a panel's membership is taken as of each one's date"));
  CHECK_THAT(one_date.out, Catch::Contains("give `--as-of` once per campaign: each --history, then each --validate-on"));
  Result three = Relc("calibrate " + program + " --data " + data + " --as-of " + as_of + " --as-of " + spring + " --as-of " + spring +
                          " --history " + history + " --by dormant --out " + model, true);
  CHECK(three.exit_code == 2);
  CHECK_THAT(three.out, Catch::Contains("`--as-of` is given 3 times for 1 campaign"));
}

TEST_CASE("relc calibrate --history sqlite:PATH reads a table of a database as the same history in CSV", "[calibrate]") {
  std::string campaign = Campaign(20000, 6);
  const std::string db = campaign + "/past.db";
  std::filesystem::remove(db);
  // As a CRM team would load an export: the sqlite3 shell's import, every field as text.
  Result imported = Shell("sqlite3 " + db + " '.import --csv " + campaign + "/history.csv spring_winback'");
  INFO(imported.out);
  REQUIRE(imported.exit_code == 0);
  const std::string from_csv = campaign + "/from-csv.rel", from_db = campaign + "/from-db.rel";
  const std::string by = " --by loyalty_member,country --validate 50% --seed 2 --out ";
  Result csv = Relc("calibrate --history " + campaign + "/history.csv" + by + from_csv);
  Result sqlite = Relc("calibrate --history sqlite:" + db + " --history-table spring_winback" + by + from_db);
  INFO(sqlite.out);
  REQUIRE(csv.exit_code == 0);
  REQUIRE(sqlite.exit_code == 0);
  CHECK(sqlite.out == csv.out);  // the validation tables
  // The models differ only where they name their source.
  std::string a = ReadFile(from_csv), b = ReadFile(from_db);
  CHECK_THAT(b, Catch::Contains("/// Response rates calibrated on sqlite:" + db + ", table spring_winback."));
  for (auto [text, source] : {std::pair{&a, campaign + "/history.csv"}, std::pair{&b, "sqlite:" + db + ", table spring_winback"}}) {
    for (size_t at; (at = text->find(source)) != std::string::npos;) text->replace(at, source.size(), "SOURCE");
  }
  CHECK(a == b);
  CHECK(Relc("check --werror " + from_db).exit_code == 0);

  // The default table is `history`; a database without it lists what it has (exit 1). A
  // database that is not there, or a table named for a CSV file, is exit 2.
  Result no_table = Relc("calibrate --history sqlite:" + db + " --out " + from_db, true);
  CHECK(no_table.exit_code == 1);
  CHECK_THAT(no_table.out, Catch::Contains("error: `" + db + "` has no table `history`; its tables and views are: `spring_winback`"));
  CHECK(Relc("calibrate --history sqlite:" + campaign + "/nothing.db --out " + from_db).exit_code == 2);
  Result misplaced = Relc("calibrate --history " + campaign + "/history.csv --history-table past --out " + from_db, true);
  CHECK(misplaced.exit_code == 2);
  CHECK_THAT(misplaced.out, Catch::Contains("`--history-table` names a table of a database"));
  CHECK(Relc("calibrate --history " + campaign + "/nothing.csv --out " + from_db).exit_code == 2);
}

TEST_CASE("relc calibrate: a history without control, a bad row, bad options", "[calibrate]") {
  std::string no_control = WriteTemp("no-control.csv",
                                     "customer_id,arm,channel,message,opened,clicked,converted,amount\n"
                                     "C1,a,email,m,1,1,1,30\nC2,a,email,m,1,0,0,0\nC3,a,email,m,0,0,0,0\n");
  std::string out = WriteTemp("no-control.rel", "");
  Result fitted = Relc("calibrate --history " + no_control + " --out " + out, true);
  CHECK(fitted.exit_code == 0);
  CHECK_THAT(fitted.out, Catch::Contains("warning: " + no_control + " has no control arm `control`: the uplift over doing "
                                         "nothing cannot be learned"));
  CHECK_THAT(ReadFile(out), Catch::Contains("No control group: uplift could not be learned."));

  std::string bad = WriteTemp("bad-history.csv",
                              "customer_id,arm,channel,message,opened,clicked,converted,amount\n"
                              "C1,a,email,m,1,1,1,30\nC2,b,carrier_pigeon,m,1,0,0,0\nC3,a,email,m,0,0,maybe,0\n");
  std::string untouched = WriteTemp("untouched.rel", "// before\n");
  Result refused = Relc("calibrate --history " + bad + " --out " + untouched, true);
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.out, Catch::Contains("error: " + bad + ":3:3: unknown channel `carrier_pigeon` for arm `b`"));
  CHECK_THAT(refused.out, Catch::Contains("error: " + bad + ":4:7: `converted` must be 0 or 1"));
  CHECK(ReadFile(untouched) == "// before\n");

  CHECK(Relc("calibrate --history " + no_control + " --validate 150%").exit_code == 2);
  CHECK(Relc("calibrate --history " + no_control).exit_code == 2);
  CHECK(Relc("calibrate --out x.rel").exit_code == 2);
}

TEST_CASE("relc calibrate pools several campaigns, each arm measured against its own campaign's control", "[calibrate]") {
  // The usual campaign sends every arm; the season's, when customers bought twice as much anyway,
  // only winback-1.
  std::string usual = Campaign(40000, 8), season = Campaign(40000, 9, "season-", "--organic 200% --arms winback-1");
  CHECK(ReadFile(season + "/history.csv").find(",winback-2,") == std::string::npos);
  const std::string histories = " --history " + usual + "/history.csv --history " + season + "/history.csv";
  std::string model = usual + "/pooled.rel";
  Result pooled = Relc("calibrate" + histories + " --by loyalty_member --out " + model, true);
  INFO(pooled.out);
  REQUIRE(pooled.exit_code == 0);
  std::string text = ReadFile(model);
  CHECK_THAT(text, Catch::Contains("// Pooled from 2 campaigns, each arm's lift measured against its own campaign's control:"));
  CHECK_THAT(text, Catch::Contains("//   " + season + "/history.csv: "));
  CHECK_THAT(text, Catch::Contains(" in " + usual + "/history.csv, "));
  CHECK(Relc("check --werror " + model).exit_code == 0);
  // winback-1 responded alike in both campaigns; one that responded at half the rates is told.
  CHECK_THAT(text, Catch::Contains("// lift per campaign: "));
  CHECK_THAT(pooled.out, !Catch::Contains("differs between the campaigns"));
  std::string drifted = Campaign(40000, 10, "drifted-", "--response 50% --arms winback-1");
  Result apart = Relc("calibrate --history " + usual + "/history.csv --history " + drifted + "/history.csv --out " +
                      WriteTemp("pooled-drifted.rel", ""), true);
  REQUIRE(apart.exit_code == 0);
  CHECK_THAT(apart.out, Catch::Contains("warning: arm `winback-1`: its lift differs between the campaigns beyond chance ("));
  // Each lift is read back against the truth of its campaigns: call-vip was sent only in the
  // usual campaign, so its lift is over that campaign's control alone.
  auto lift_of = [&](const std::string& arm) {
    size_t at = text.find("response " + arm + " {");
    REQUIRE(at != std::string::npos);
    return std::stod(text.substr(text.find("converted = ", at) + 12));
  };
  CHECK(lift_of("phone \"call-vip\"") == Approx(7.57).margin(1.2));
  CHECK(lift_of("email \"winback-1\"") == Approx(3.35).margin(0.8));
  std::string data = GeneratedData(20000, 5);
  Result run = Relc("run examples/winback/winback.rel --data " + data + " --as-of 2026-01-01 --model " + model);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("response model: calibrated (" + model + ")"));

  // Validated, pooled, and backtested against two campaigns at once.
  Result validated = Relc("calibrate" + histories + " --validate 50%");
  REQUIRE(validated.exit_code == 0);
  CHECK_THAT(validated.out, Catch::Contains("| uplift over the control |"));
  Result backtest = Relc("calibrate --history " + usual + "/history.csv --validate-on " + usual + "/history.csv --validate-on " +
                         season + "/history.csv");
  REQUIRE(backtest.exit_code == 0);
  CHECK_THAT(backtest.out, Catch::Contains("forecast for " + usual + "/history.csv + " + season + "/history.csv"));

  // From a database: one table per campaign, named in the order of the sources.
  const std::string db = usual + "/campaigns.db";
  std::filesystem::remove(db);
  REQUIRE(Shell("sqlite3 " + db + " '.import --csv " + usual + "/history.csv usual'").exit_code == 0);
  REQUIRE(Shell("sqlite3 " + db + " '.import --csv " + season + "/history.csv season'").exit_code == 0);
  Result from_db = Relc("calibrate --history sqlite:" + db + " --history sqlite:" + db +
                        " --history-table usual --history-table season --validate 50%");
  REQUIRE(from_db.exit_code == 0);
  CHECK(from_db.out.substr(from_db.out.find('\n')) == validated.out.substr(validated.out.find('\n')));
  Result tables = Relc("calibrate --history sqlite:" + db + " --history " + season + "/history.csv --history sqlite:" + db +
                       " --history-table usual --history-table season --history-table more --out " + model, true);
  CHECK(tables.exit_code == 2);
  CHECK_THAT(tables.out, Catch::Contains("`--history-table` is given 3 times for 2 database sources of `--history`"));

  // A campaign without a control cannot be pooled with those that have one.
  std::string no_control = WriteTemp("pooled-no-control.csv", "customer_id,arm,channel,message,converted\nC1,winback-1,email,winback-1,1\n");
  Result mixed = Relc("calibrate --history " + usual + "/history.csv --history " + no_control + " --out " + model, true);
  CHECK(mixed.exit_code == 1);
  CHECK_THAT(mixed.out, Catch::Contains("error: " + no_control + " has no control arm `control`, and " + usual +
                                        "/history.csv has one"));
  // A single-valued option given twice is refused, not silently overridden.
  Result twice = Relc("calibrate --history " + usual + "/history.csv --by country --by loyalty_member --out " + model, true);
  CHECK(twice.exit_code == 2);
  CHECK_THAT(twice.out, Catch::Contains("error: option `--by` is given twice"));
}

TEST_CASE("relc calibrate writes its model in the program's currency, not a fixed one", "[calibrate]") {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("relc_calibrate_gbp_" + std::to_string(getpid()));
  REQUIRE(Relc("data generate --format lines --customers 500 --out " + dir.string(), true).exit_code == 0);
  std::ifstream example(RELC_SOURCE_DIR "/examples/online_retail/online_retail.rel");
  std::string text((std::istreambuf_iterator<char>(example)), std::istreambuf_iterator<char>());
  const std::string opening = "program \"Online retail : relance des clients dormants\" {\n";
  REQUIRE(text.find(opening) != std::string::npos);
  text.replace(text.find(opening), opening.size(), opening + "  panel regulars = customers where frequency >= 3\n");
  const std::string program = WriteTemp("gbp-program.rel", text);
  std::string csv = "customer_id,arm,channel,message,opened,clicked,converted,amount\n";
  for (int c = 0; c < 500; ++c) {
    csv += fmt::format("{},winback-1,email,winback-1,{},0,{},{}\n", 12346 + c, c % 3 == 0, c % 7 == 0, c % 7 == 0 ? "42.50" : "0");
  }
  const std::string history = WriteTemp("gbp-history.csv", csv), model = WriteTemp("gbp-model.rel", "");
  Result calibrated = Relc("calibrate " + program + " --data " + dir.string() + " --as-of 2026-01-01 --history " + history +
                               " --by regulars --out " + model,
                           true);
  INFO(calibrated.out);
  REQUIRE(calibrated.exit_code == 0);
  const std::string written = ReadFile(model);
  INFO(written);
  CHECK_THAT(written, Catch::Contains("GBP"));
  CHECK_THAT(written, !Catch::Contains("EUR"));
  std::filesystem::remove_all(dir);
}
