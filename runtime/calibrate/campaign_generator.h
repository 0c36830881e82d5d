// A past campaign's results generated from known true rates, so that calibration can be
// tested against the truth: several arms (e-mail, SMS, phone) and a control, customers in
// segments (loyalty membership, country) that change how they respond, purchases made anyway
// (the control's conversion) and those a message adds. The same seed gives the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace relc::calibrate {

struct CampaignOptions {
  uint64_t customers = 100000;
  uint64_t seed = 1;
  double control_share = 0.2;
  // Multiplies how customers respond to the messages (their clicks, and the purchases a message
  // adds): below 1, a campaign that drifted from the usual rates, for a backtest to catch.
  double response = 1.0;
  // Multiplies the purchases customers make anyway (the control's conversion): a season when
  // they buy more whatever they are sent, which a lift must not take for the message's.
  double organic = 1.0;
  std::vector<std::string> arms;  // the arms sent (winback-1, winback-2, winback-sms, call-vip); empty: all
  // Each arm's message changes what the purchases it adds spend (winback-2 +30 %, winback-sms
  // -20 %, call-vip +50 %), as offers do; otherwise every purchase spends alike (60.00 on average).
  bool arm_baskets = false;
  // Customers buy regularly, at rates of their own (most little, a few a lot), and the history has
  // what each spent over the year before (`spend_before`), which predicts what they spend in the
  // campaign: for CUPED.
  bool spend_before = false;
};

// The arms a generated campaign can send, by name.
std::vector<std::string> CampaignArmNames();

struct GeneratedCampaign {
  std::string history_csv;  // the columns LoadHistory reads, plus loyalty_member and country
  // The same customers as a CRM (customers.csv with their attributes and consents; events.csv,
  // empty: they have no history) and the campaign as a program (campaign.rel: each customer sent
  // one arm at random, or held out as the control), to forecast it with `relc run --model`.
  std::string customers_csv, events_csv, program_rel;
  // The true expected rates: per arm over the whole population (segment `all`), per segment
  // value (`country=CH`) and per combination (`loyalty_member=true&country=CH`):
  // arm,channel,message,segment,opened,clicked,converted,lift,spend_per_customer,unsubscribed
  std::string truth_csv;
};

GeneratedCampaign GenerateCampaign(const CampaignOptions& options);

}  // namespace relc::calibrate
