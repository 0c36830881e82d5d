// relc's random numbers for generated data: SplitMix64 to seed, xoshiro256** to draw, and
// samplers written here, so that a seed gives the same data on every platform.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <string_view>

namespace relc::data {

inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Keys of counter-based draws: a name's hash (FNV-1a), and two keys made one. The simulator keys
// its draws by stable names (program, scenario, customer id, entry number, step), never by
// positions, so that a program's draws do not depend on what else runs or on the rows' order.
inline uint64_t HashName(std::string_view name) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : name) h = (h ^ static_cast<uint8_t>(c)) * 0x100000001b3ull;
  return h;
}
inline uint64_t Combine(uint64_t key, uint64_t value) {
  uint64_t state = key ^ (value + 0x632BE59BD9B4E019ull + (key << 6) + (key >> 2));
  return SplitMix64(state);
}

class Random {
 public:
  Random(uint64_t seed, uint64_t stream) {
    uint64_t state = seed * 0x9E3779B97F4A7C15ull ^ (stream + 0x632BE59BD9B4E019ull);
    for (auto& word : s_) word = SplitMix64(state);
  }
  uint64_t Next() {
    uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0, 1)
  bool Chance(double p) { return Uniform() < p; }
  int Below(int n) { return static_cast<int>(Uniform() * n); }
  double Normal() {
    double u = 1 - Uniform(), v = Uniform();
    return std::sqrt(-2 * std::log(u)) * std::cos(2 * M_PI * v);
  }
  // Marsaglia & Tsang (2000); shape < 1 boosted by U^(1/shape).
  double Gamma(double shape, double scale) {
    if (shape < 1) return Gamma(shape + 1, scale) * std::pow(1 - Uniform(), 1 / shape);
    double d = shape - 1.0 / 3, c = 1 / std::sqrt(9 * d);
    while (true) {
      double x = Normal(), v = 1 + c * x;
      if (v <= 0) continue;
      v = v * v * v;
      double u = 1 - Uniform();
      if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v * scale;
    }
  }
  double Beta(double a, double b) {
    double x = Gamma(a, 1);
    return x / (x + Gamma(b, 1));
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<uint64_t, 4> s_;
};

}  // namespace relc::data
