// Customer-base models: how many purchases a customer will make, whether they are still
// active, and how much they will spend.
//
//   BG/NBD: Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative
//   to the Pareto/NBD model", Marketing Science 24(2). Purchases follow a Poisson process with
//   rate lambda ~ Gamma(r, alpha) while active; after each purchase the customer drops out with
//   probability p ~ Beta(a, b).
//   Gamma-Gamma: Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for customer
//   base analysis", J. of Marketing Research 42(4). Mean spend per purchase, independent of the
//   purchase process, with shape p and a Gamma(q, v) scale.
//
// Time is in any unit chosen by the caller (the CDNOW literature uses weeks); x counts repeat
// purchases, t_x is the time of the last one and T the time observed, both from the first.
#pragma once

#include <span>

namespace relc::measures {

struct RepeatSummary {
  double x = 0;       // repeat purchases
  double t_x = 0;     // time of the last purchase, since the first
  double T = 0;       // time observed, since the first purchase
  double weight = 1;  // how many customers share this history (fits only)
};

struct BgNbdParams {
  double r = 0, alpha = 0, a = 0, b = 0;
};

struct GammaGammaParams {
  double p = 0, q = 0, v = 0;
};

struct SpendSummary {
  double x = 0;           // repeat purchases, at least 1
  double mean_value = 0;  // mean value of those repeat purchases
  double weight = 1;      // how many customers share it (fits only)
};

// Log-likelihood of one customer's history (eq. 6 of the BG/NBD paper).
double BgNbdLogLikelihood(const BgNbdParams& params, const RepeatSummary& customer);

// Maximum-likelihood fit over a customer base.
BgNbdParams FitBgNbd(std::span<const RepeatSummary> customers);

// P(X(t) = x): probability of exactly x purchases in (0, t] for a new customer (eq. 8).
double BgNbdProbabilityOfPurchases(const BgNbdParams& params, int x, double t);

// E[X(t)]: expected purchases in (0, t] for a new customer (eq. 9).
double BgNbdExpectedPurchases(const BgNbdParams& params, double t);

// E[Y(t) | x, t_x, T]: expected purchases in the next t for a customer with that history (eq. 10).
double BgNbdConditionalExpectedPurchases(const BgNbdParams& params, const RepeatSummary& customer, double t);

// P(active | x, t_x, T).
double BgNbdProbabilityAlive(const BgNbdParams& params, const RepeatSummary& customer);

double GammaGammaLogLikelihood(const GammaGammaParams& params, const SpendSummary& customer);
GammaGammaParams FitGammaGamma(std::span<const SpendSummary> customers);

// E[mean spend | x, mean_value]: the customer's expected spend per purchase (needs q > 1).
double GammaGammaExpectedSpend(const GammaGammaParams& params, const SpendSummary& customer);

// Gauss's hypergeometric function 2F1(a, b; c; z) for |z| < 1, by its series.
double Hypergeometric2F1(double a, double b, double c, double z);

}  // namespace relc::measures
