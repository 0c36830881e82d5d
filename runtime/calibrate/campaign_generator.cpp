#include "calibrate/campaign_generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <array>
#include <vector>

#include "data/random.h"

namespace relc::calibrate {
namespace {

// The truth. Arms follow the win-back example's messages, so a calibrated model applies to it.
struct TrueArm {
  const char* name;
  const char* channel;
  const char* message;
  double opened;               // share of those sent
  double clicked_given_open;   // before the segment's effect
  double converts_given_click; // purchases the message adds, before the segment's effect
  double unsubscribed;         // share of those sent, before the segment's effect
  double basket;               // with arm_baskets: multiplies what a purchase the message adds spends
};
constexpr std::array<TrueArm, 4> kArms = {{
    {"winback-1", "email", "winback-1", 0.24, 0.22, 0.50, 0.003, 1.0},
    {"winback-2", "email", "winback-2", 0.20, 0.18, 0.45, 0.004, 1.3},
    {"winback-sms", "sms", "winback-sms", 0.90, 0.09, 0.40, 0.010, 0.8},
    {"call-vip", "phone", "call-vip", 0.55, 0.35, 0.30, 0.005, 1.5},
}};
constexpr double kOrganic = 0.03;  // the control's conversion, for a non-member in France

struct Country {
  const char* code;
  double share;
  double response;  // multiplies clicks and the purchases a message adds
};
constexpr std::array<Country, 4> kCountries = {{{"FR", 0.5, 1.0}, {"BE", 0.2, 0.9}, {"CH", 0.15, 1.25}, {"DE", 0.15, 0.8}}};
constexpr double kMemberShare = 0.3;
constexpr double kMemberResponse = 1.5;  // members respond more...
constexpr double kMemberOrganic = 1.6;   // ...and buy more anyway...
constexpr double kMemberUnsubscribe = 0.5;  // ...and unsubscribe half as often
constexpr double kBasketShape = 4, kBasketScale = 15;  // EUR: mean 60

struct Rates {
  double opened = 0, clicked = 0, converted = 0, unsubscribed = 0;
  double spend = 0;  // per customer sent
};

// How strongly a customer responds to a message, before the arm's rates.
double ResponseOf(bool member, const Country& country, double drift) {
  return country.response * (member ? kMemberResponse : 1) * drift;
}

double OrganicOf(bool member, double season) { return kOrganic * (member ? kMemberOrganic : 1) * season; }

// With `spend_before`, customers buy regularly, each at a rate of their own: their value v (Gamma,
// mean 1, variance 4: a few buy a lot, most little) times the segment's rate per 30-day window;
// they spend over the window what their purchases add up to, and did the same over the year
// before, so that what they spent then predicts what they spend now.
constexpr double kRegularRate = 0.5;  // purchases per 30 days, for a non-member of average value
constexpr double kValueShape = 0.25, kValueScale = 4;
constexpr int kWindowsBefore = 12;  // the year before the campaign, in 30-day windows

double RegularRateOf(bool member, double season) { return kRegularRate * (member ? kMemberOrganic : 1) * season; }

// A Poisson count with mean `mean`, by exponential gaps (means of a few hundred at most).
int PoissonOf(double mean, data::Random& random) {
  int count = 0;
  for (double t = -std::log(1 - random.Uniform()); t < mean; t += -std::log(1 - random.Uniform())) ++count;
  return count;
}

// The share of a segment who buy anyway within the window, and what they spend each on average.
std::pair<double, double> AnywayOf(bool member, const CampaignOptions& options) {
  const double mean = kBasketShape * kBasketScale;
  if (!options.spend_before) {
    const double organic = OrganicOf(member, options.organic);
    return {organic, organic * mean};
  }
  // P(no purchase) = E[exp(-rate v)] = (1 + rate scale)^(-shape) for v ~ Gamma(shape, scale).
  const double rate = RegularRateOf(member, options.organic);
  return {1 - std::pow(1 + rate * kValueScale, -kValueShape), rate * mean};
}

// `basket`: what a purchase the message adds spends, against one made anyway (1: the same).
Rates RatesOf(const TrueArm* arm, bool member, const Country& country, const CampaignOptions& options, double basket) {
  const double mean = kBasketShape * kBasketScale;
  const auto [organic, organic_spend] = AnywayOf(member, options);
  if (arm == nullptr) return {0, 0, organic, 0, organic_spend};
  const double drift = options.response;
  double response = ResponseOf(member, country, drift);
  double clicked = arm->opened * std::min(1.0, arm->clicked_given_open * response);
  double added = clicked * std::min(1.0, arm->converts_given_click * response);
  double converted = 1 - (1 - organic) * (1 - added);
  // A customer the message converts spends its basket, whether they would have bought anyway or
  // not; a regular buyer's purchases anyway add to it, another's stand in for it.
  const double spend = options.spend_before ? organic_spend + added * mean * basket : (converted - added) * mean + added * mean * basket;
  return {arm->opened, clicked, converted, arm->unsubscribed * (member ? kMemberUnsubscribe : 1), spend};
}

// The population's expectation of each rate, over segments (all, one attribute's value, or a
// combination of both attributes' values).
template <typename Keep>
Rates Expected(const TrueArm* arm, const CampaignOptions& options, double basket, Keep keep) {
  Rates sum;
  double weight = 0;
  for (bool member : {true, false}) {
    for (const Country& country : kCountries) {
      double w = country.share * (member ? kMemberShare : 1 - kMemberShare);
      if (!keep(member, country)) continue;
      Rates r = RatesOf(arm, member, country, options, basket);
      sum.opened += w * r.opened, sum.clicked += w * r.clicked, sum.converted += w * r.converted;
      sum.unsubscribed += w * r.unsubscribed, sum.spend += w * r.spend;
      weight += w;
    }
  }
  return {sum.opened / weight, sum.clicked / weight, sum.converted / weight, sum.unsubscribed / weight, sum.spend / weight};
}

std::string TruthRows(const TrueArm* arm, const char* name, const char* channel, const char* message,
                      const CampaignOptions& options, double basket) {
  std::string out;
  auto row = [&](const std::string& segment, auto keep) {
    Rates r = Expected(arm, options, basket, keep);
    Rates control = Expected(nullptr, options, 1, keep);
    out += fmt::format("{},{},{},{},{:.6f},{:.6f},{:.6f},{:.6f},{:.4f},{:.6f},{:.4f}\n", name, channel, message, segment, r.opened,
                       r.clicked, r.converted, r.converted - control.converted, r.spend, r.unsubscribed, r.spend - control.spend);
  };
  row("all", [](bool, const Country&) { return true; });
  for (bool member : {true, false}) {
    row(fmt::format("loyalty_member={}", member), [member](bool m, const Country&) { return m == member; });
  }
  for (const Country& country : kCountries) {
    row(fmt::format("country={}", country.code), [&country](bool, const Country& c) { return c.code == country.code; });
  }
  for (bool member : {true, false}) {
    for (const Country& country : kCountries) {
      row(fmt::format("loyalty_member={}&country={}", member, country.code),
          [member, &country](bool m, const Country& c) { return m == member && c.code == country.code; });
    }
  }
  return out;
}

// The campaign as a program: everyone enters at once, a share is held out (the control), and the
// others are sent one arm each at random, in equal shares (weights in hundredths of a percent,
// so that they add up to 100 % exactly).
std::string ProgramOf(const std::vector<const TrueArm*>& sent, double control_share) {
  std::string arms;
  const auto count = static_cast<int>(sent.size());
  for (int a = 0; a < count; ++a) {
    const int hundredths = 10000 / count + (a < 10000 % count ? 1 : 0);
    arms += fmt::format("      {}.{:02}% -> send {} \"{}\"\n", hundredths / 100, hundredths % 100, sent[static_cast<size_t>(a)]->channel,
                        sent[static_cast<size_t>(a)]->message);
  }
  return fmt::format(
      "/// The generated campaign as a program: every customer enters at once; {:g} % are held out as the\n"
      "/// control, and the others are sent one of its messages at random, as the campaign did. Forecast it\n"
      "/// with a model calibrated on another campaign: relc run campaign.rel --data DIR --as-of DATE --days 30 --model M\n"
      "program \"Generated campaign\" {{\n"
      "  objective reactivation {{ goal purchase within 30 days }}\n"
      "  consent {{ email if email_optin; sms if sms_optin; phone if phone_optin }}\n"
      "  panel everyone = customers\n"
      "  holdout {:g}%\n"
      "  scenario campaign {{\n"
      "    trigger enter everyone\n"
      "    reentry once\n"
      "    split {{\n{}    }}\n"
      "  }}\n"
      "}}\n",
      control_share * 100, control_share * 100, arms);
}

}  // namespace

std::vector<std::string> CampaignArmNames() {
  std::vector<std::string> names;
  for (const TrueArm& arm : kArms) names.emplace_back(arm.name);
  return names;
}

GeneratedCampaign GenerateCampaign(const CampaignOptions& options) {
  GeneratedCampaign out;
  std::vector<const TrueArm*> sent;
  for (const TrueArm& arm : kArms) {
    if (options.arms.empty() || std::find(options.arms.begin(), options.arms.end(), arm.name) != options.arms.end()) {
      sent.push_back(&arm);
    }
  }
  out.history_csv = "customer_id,arm,channel,message,opened,clicked,converted,amount,unsubscribed,loyalty_member,country";
  out.history_csv += options.spend_before ? ",spend_before\n" : "\n";
  out.customers_csv = "id,country,loyalty_member,email_optin,sms_optin,phone_optin,postal_optin\n";
  for (uint64_t c = 0; c < options.customers; ++c) {
    data::Random random(options.seed, c);
    bool member = random.Chance(kMemberShare);
    double pick = random.Uniform();
    const Country* country = &kCountries.back();
    for (const Country& candidate : kCountries) {
      if (pick < candidate.share) {
        country = &candidate;
        break;
      }
      pick -= candidate.share;
    }
    bool control = random.Chance(options.control_share);
    const TrueArm* arm = control ? nullptr : sent[static_cast<size_t>(random.Below(static_cast<int>(sent.size())))];
    double response = ResponseOf(member, *country, options.response);
    bool organic = random.Chance(OrganicOf(member, options.organic));  // drawn in either case: the draws after keep theirs
    bool opened = arm != nullptr && random.Chance(arm->opened);
    bool clicked = opened && random.Chance(std::min(1.0, arm->clicked_given_open * response));
    bool added = clicked && random.Chance(std::min(1.0, arm->converts_given_click * response));
    const double basket = added && options.arm_baskets ? arm->basket : 1;
    double amount = 0, spend_before = 0;
    if (options.spend_before) {
      // A stream of its own, so that the other columns keep their draws.
      data::Random regular(options.seed ^ 0x5EED5EEDull, c);
      const double rate = RegularRateOf(member, options.organic) * regular.Gamma(kValueShape, kValueScale);
      const int purchases = PoissonOf(rate, regular), before = PoissonOf(rate * kWindowsBefore, regular);
      for (int p = 0; p < purchases; ++p) amount += regular.Gamma(kBasketShape, kBasketScale);
      for (int p = 0; p < before; ++p) spend_before += regular.Gamma(kBasketShape, kBasketScale);
      organic = purchases > 0;
      if (added) amount += regular.Gamma(kBasketShape, kBasketScale * basket);
    }
    bool converted = organic || added;
    if (!options.spend_before && converted) amount = random.Gamma(kBasketShape, kBasketScale * basket);
    amount = std::round(amount * 100) / 100;
    // Drawn last, so that every other column keeps its draws.
    bool unsubscribed = arm != nullptr && random.Chance(arm->unsubscribed * (member ? kMemberUnsubscribe : 1));
    auto flag = [&](bool value) { return arm ? (value ? "1" : "0") : ""; };  // empty for the control
    out.history_csv += fmt::format("C{:07},{},{},{},{},{},{:d},{:.2f},{},{},{}", c + 1, arm ? arm->name : "control",
                                   arm ? arm->channel : "", arm ? arm->message : "", flag(opened), flag(clicked), converted,
                                   amount, flag(unsubscribed), member ? "true" : "false", country->code);
    out.history_csv += options.spend_before ? fmt::format(",{:.2f}\n", spend_before) : "\n";
    out.customers_csv += fmt::format("C{:07},{},{},true,true,true,true\n", c + 1, country->code, member ? "true" : "false");
  }
  out.truth_csv = "arm,channel,message,segment,opened,clicked,converted,lift,spend_per_customer,unsubscribed,spend_uplift\n";
  for (const TrueArm* arm : sent) {
    out.truth_csv += TruthRows(arm, arm->name, arm->channel, arm->message, options, options.arm_baskets ? arm->basket : 1);
  }
  out.truth_csv += TruthRows(nullptr, "control", "", "", options, 1);
  out.events_csv = "customer_id,event,time,amount\n";
  out.program_rel = ProgramOf(sent, options.control_share);
  return out;
}

}  // namespace relc::calibrate
