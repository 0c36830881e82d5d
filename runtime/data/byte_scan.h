// Scanning text 64 bytes at a time, as the fastest CSV readers do: one compare per byte class
// over a whole block gives a bitmask of where the interesting bytes are, and a reader then jumps
// from bit to bit instead of looking at every byte. SSE2 (every x86-64) with a portable
// fallback of the same results.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace relc::data {

// Bit i is set when block[i] is one of `a`, `b`, `c`, `d`: the 64 bytes at `block` must all be
// readable.
uint64_t MatchMask64(const char* block, char a, char b, char c, char d);

// How many bytes of `text` are `byte`.
size_t CountByte(std::string_view text, char byte);

// Finds, from a position on, the next byte of a set of four in a text, caching the mask of the
// block it is in: a run of calls moving forward costs one scan per 64 bytes.
class ByteFinder {
 public:
  ByteFinder(std::string_view text, char a, char b, char c, char d) : text_(text), a_(a), b_(b), c_(c), d_(d) {}

  // The offset of the first of the four bytes at or after `from`; the text's size if none.
  size_t Next(size_t from) {
    while (from < text_.size()) {
      const size_t base = from & ~size_t{63};
      if (base != block_base_) Scan(base);
      const uint64_t ahead = mask_ & (~uint64_t{0} << (from & 63));
      if (ahead != 0) return base + static_cast<size_t>(__builtin_ctzll(ahead));
      from = base + 64;
    }
    return text_.size();
  }

 private:
  void Scan(size_t base);

  std::string_view text_;
  char a_, b_, c_, d_;
  size_t block_base_ = SIZE_MAX;
  uint64_t mask_ = 0;
};

}  // namespace relc::data
