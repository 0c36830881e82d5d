#include "data/byte_scan.h"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace relc::data {

uint64_t MatchMask64(const char* block, char a, char b, char c, char d) {
#if defined(__SSE2__)
  const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b), vc = _mm_set1_epi8(c), vd = _mm_set1_epi8(d);
  uint64_t mask = 0;
  for (int i = 0; i < 4; ++i) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 16 * i));
    const __m128i hits = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, va), _mm_cmpeq_epi8(bytes, vb)),
                                      _mm_or_si128(_mm_cmpeq_epi8(bytes, vc), _mm_cmpeq_epi8(bytes, vd)));
    mask |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(hits))) << (16 * i);
  }
  return mask;
#else
  uint64_t mask = 0;
  for (int i = 0; i < 64; ++i) {
    const char byte = block[i];
    mask |= static_cast<uint64_t>(byte == a || byte == b || byte == c || byte == d) << i;
  }
  return mask;
#endif
}

size_t CountByte(std::string_view text, char byte) {
  size_t count = 0, at = 0;
#if defined(__SSE2__)
  // Matches counted in byte lanes (a match compares as -1), summed before a lane can overflow.
  const __m128i wanted = _mm_set1_epi8(byte), zero = _mm_setzero_si128();
  while (at + 16 <= text.size()) {
    __m128i lanes = zero;
    for (size_t round = std::min<size_t>(255, (text.size() - at) / 16); round > 0; --round, at += 16) {
      const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + at));
      lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(bytes, wanted));
    }
    const __m128i sums = _mm_sad_epu8(lanes, zero);
    count += static_cast<size_t>(_mm_cvtsi128_si64(sums)) + static_cast<size_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)));
  }
#endif
  for (; at < text.size(); ++at) count += text[at] == byte;
  return count;
}

void ByteFinder::Scan(size_t base) {
  block_base_ = base;
  if (base + 64 <= text_.size()) {
    mask_ = MatchMask64(text_.data() + base, a_, b_, c_, d_);
    return;
  }
  // The last, short block, copied: reading past the text's end could fault.
  char tail[64] = {};
  const size_t length = text_.size() - base;
  std::memcpy(tail, text_.data() + base, length);
  mask_ = MatchMask64(tail, a_, b_, c_, d_) & ((uint64_t{1} << length) - 1);
}

}  // namespace relc::data
