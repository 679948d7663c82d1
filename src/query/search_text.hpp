#pragma once
// Text as search (GET /api/search) matches it: the query text a caller may send, the folded form
// that both the index and a query are compared in, and UTF-8 decoding into code points (the unit
// of the index's n-grams).
//
// Matching is a substring test on the folded UTF-8 bytes: with both sides valid UTF-8, a byte
// match is a code-point match. Folding lower-cases ASCII letters only ("DX" finds "dx"); Chinese
// has no case, and no other normalisation (full-width forms, traditional/simplified) is applied.
//
// Free functions without state; thread-safe.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace minqing::query {

// The longest search text accepted, in code points (after trimming).
inline constexpr std::size_t kMaxSearchChars = 64;

// The search text of a request: `raw` without leading and trailing white space (ASCII white space
// and the ideographic space U+3000 that Chinese input methods type).
// @throws RequestError naming `param` when `raw` is not valid UTF-8 (overlong forms, surrogates
// and truncated sequences included), holds a control character (C0, DEL, C1), or is empty or
// longer than kMaxSearchChars code points once trimmed.
std::string parse_search_text(std::string_view raw, std::string_view param = "q");

// `text` with the ASCII letters A–Z lower-cased; every other byte is kept.
std::string fold_search_text(std::string_view text);

// The code points of `text`. Decoding is lenient, for stored data: each byte of an invalid
// sequence becomes U+FFFD (a query is valid UTF-8, so such a byte can never be matched by the
// substring test that follows the index).
std::vector<char32_t> code_points(std::string_view text);

// Number of code points of valid UTF-8 `text` (bytes that are not continuation bytes).
std::size_t code_point_count(std::string_view text) noexcept;

}  // namespace minqing::query
