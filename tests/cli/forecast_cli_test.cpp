// Forecasts from a model: its baskets and its baseline drive the simulation, and over several
// runs its figures are drawn from their intervals, for a prediction interval of one launch.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>

#include "cli_test.h"


namespace {

std::string Run(const std::string& extra) {
  return "run examples/winback/winback.rel --data " + GeneratedData(20000, 5) + " --as-of 2026-01-01 --format json " + extra;
}

nlohmann::json Report(const std::string& extra) {
  Result result = Relc(Run(extra));
  if (result.exit_code != 0) FAIL(Relc(Run(extra), true).out);
  return nlohmann::json::parse(result.out)[0];
}

TEST_CASE("a model's basket is what each conversion of its message spends", "[forecast]") {
  std::string model = WriteTemp("forecast_basket.rel",
                                "model measured {\n"
                                "  response email \"winback-1\" { opened = 40%; clicked = 20%; converted = 10%; basket = 123.45 EUR }\n"
                                "}\n");
  nlohmann::json report = Report("--model " + model);
  const nlohmann::json* step = nullptr;
  for (const auto& s : report["scenarios"][0]["steps"]) {
    if (s["step"].get<std::string>().starts_with("send email \"winback-1\"")) step = &s;
  }
  REQUIRE(step != nullptr);
  REQUIRE((*step)["converted"].get<int64_t>() > 20);
  CHECK((*step)["attributed_revenue_cents"].get<int64_t>() == 12345 * (*step)["converted"].get<int64_t>());
  const auto& sources = report["figure_sources"]["messages"];
  for (const auto& message : sources) {
    if (message["message"] == "winback-1") CHECK(message["figures"]["basket"]["source"] == "model measured");
    if (message["message"] == "winback-2") CHECK(message["figures"]["basket"]["source"] == "customer's average basket");
  }
  CHECK(report["figure_sources"]["basket_without_purchases"].get<double>() > 0);
}

TEST_CASE("a model's baseline is what customers buy anyway", "[forecast]") {
  // Nobody buys anyway: the holdout buys nothing; at 50 % within 30 days it buys about that.
  std::string none = WriteTemp("forecast_baseline_none.rel", "model anyway { baseline { converted = 0%; window = 30 days } }\n");
  std::string half = WriteTemp("forecast_baseline_half.rel",
                               "model anyway { baseline { converted = 50%; basket = 10 EUR; window = 30 days } }\n");
  nlohmann::json nobody = Report("--model " + none + " --days 30");
  CHECK(nobody["population"]["holdout_would_have_entered"]["purchases"] == 0);
  CHECK(nobody["figure_sources"]["purchases_made_anyway"] == "model anyway's baseline");
  nlohmann::json some = Report("--model " + half + " --days 30");
  const auto& held = some["population"]["holdout_would_have_entered"];
  const double customers = held["customers"].get<double>();
  REQUIRE(customers > 100);
  // Half buy within 30 days: a Poisson rate of ln 2 purchases per 30 days, at most that much
  // per customer since their entry (dormant customers enter at the start).
  const double per_customer = held["purchases"].get<double>() / customers;
  CHECK(per_customer == Approx(std::log(2.0)).margin(0.15));
  CHECK(held["revenue_cents"].get<int64_t>() == 1000 * held["purchases"].get<int64_t>());
  Result without = Relc(Run(""));
  CHECK(nlohmann::json::parse(without.out)[0]["figure_sources"]["purchases_made_anyway"] ==
        "each customer's rate from their history (BG/NBD)");
}

TEST_CASE("over runs, a model's figures are drawn from their intervals: a prediction interval that does not narrow",
          "[forecast]") {
  const std::string figures = "opened = 40% within 35%..45%; clicked = 20% within 15%..25%; converted = 10% within 5%..15%";
  std::string uncertain = WriteTemp("forecast_uncertain.rel", "model learned { response email \"winback-1\" { " + figures + " } }\n");
  std::string certain = WriteTemp("forecast_certain.rel",
                                  "model learned { response email \"winback-1\" { opened = 40%; clicked = 20%; converted = 10% } }\n");
  auto converted = [&](const std::string& model, int runs) {
    nlohmann::json report = Report("--model " + model + " --runs " + std::to_string(runs));
    CHECK(report["figures_drawn"] == (model == uncertain ? 3 : 0));
    return report["totals_over_runs"]["converted"];
  };
  const nlohmann::json few = converted(uncertain, 8), many = converted(uncertain, 40), fixed = converted(certain, 40);
  auto width = [](const nlohmann::json& s, const char* low, const char* high) { return s[high].get<double>() - s[low].get<double>(); };
  // The interval of the mean narrows as runs are added; where one launch falls does not.
  CHECK(width(many, "mean_low", "mean_high") < 0.7 * width(few, "mean_low", "mean_high"));
  CHECK(width(many, "predict_low", "predict_high") > 0.6 * width(few, "predict_low", "predict_high"));
  CHECK(width(many, "predict_low", "predict_high") > 3 * width(many, "mean_low", "mean_high"));
  // Rates known to within ±50 % spread a launch far more than simulation noise alone.
  CHECK(width(many, "predict_low", "predict_high") > 2 * width(fixed, "predict_low", "predict_high"));
  // The same seed, the same draws: byte for byte, whatever the threads.
  CHECK(Relc(Run("--model " + uncertain + " --runs 5 --threads 1")).out == Relc(Run("--model " + uncertain + " --runs 5 --threads 3")).out);

  Result text = Relc("run examples/winback/winback.rel --data " + GeneratedData(20000, 5) + " --as-of 2026-01-01 --runs 4 --model " + uncertain);
  CHECK_THAT(text.out, Catch::Contains("over 4 runs, the mean and where one launch would fall (95 %; each run after the first draws "
                                       "the model's 3 figures with an interval from it):"));
  CHECK_THAT(text.out, Catch::Contains("(one launch: "));
}

}  // namespace

