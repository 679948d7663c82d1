#include "query/search_text.hpp"

#include "base/error.hpp"

namespace minqing::query {

namespace {

// Decodes one well-formed UTF-8 sequence (Unicode 15, table 3-7) at `text[pos]`. Returns its
// length and sets `cp`, or 0 when the bytes there are not a well-formed sequence.
std::size_t decode_one(std::string_view text, std::size_t pos, char32_t& cp) noexcept {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[pos + i]); };
  const std::size_t left = text.size() - pos;
  const unsigned char b0 = byte(0);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;  // no overlong forms
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;  // a continuation byte, C0/C1 (overlong) or F5..FF
  }
  if (left < len) return 0;
  if (byte(1) < lo || byte(1) > hi) return 0;
  char32_t v = b0 & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
  v = (v << 6) | (byte(1) & 0x3F);
  for (std::size_t i = 2; i < len; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    v = (v << 6) | (byte(i) & 0x3F);
  }
  cp = v;
  return len;
}

bool is_space(char32_t c) noexcept {
  return c == U' ' || c == U'\t' || c == U'\n' || c == U'\r' || c == U'\v' || c == U'\f' ||
         c == U'\u3000';
}

bool is_control(char32_t c) noexcept { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

}  // namespace

std::string parse_search_text(std::string_view raw, std::string_view param) {
  const std::string name(param);
  // Decode everything first: the whole parameter must be valid, trimmed part or not.
  struct Char {
    char32_t cp;
    std::size_t pos;
    std::size_t len;
  };
  std::vector<Char> chars;
  for (std::size_t pos = 0; pos < raw.size();) {
    char32_t cp = 0;
    const std::size_t len = decode_one(raw, pos, cp);
    if (len == 0) {
      throw RequestError("parameter " + name + ": not valid UTF-8 (byte " + std::to_string(pos) +
                         ")");
    }
    chars.push_back({cp, pos, len});
    pos += len;
  }
  std::size_t first = 0, last = chars.size();
  while (first < last && is_space(chars[first].cp)) ++first;
  while (last > first && is_space(chars[last - 1].cp)) --last;
  if (first == last)
    throw RequestError("parameter " + name + ": empty; give 1 to " +
                       std::to_string(kMaxSearchChars) + " characters");
  for (std::size_t i = first; i < last; ++i) {
    if (is_control(chars[i].cp)) {
      throw RequestError("parameter " + name + ": control characters are not allowed");
    }
  }
  if (last - first > kMaxSearchChars) {
    throw RequestError("parameter " + name + ": longer than " + std::to_string(kMaxSearchChars) +
                       " characters");
  }
  const std::size_t begin = chars[first].pos;
  const std::size_t end = chars[last - 1].pos + chars[last - 1].len;
  return std::string(raw.substr(begin, end - begin));
}

std::string fold_search_text(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::vector<char32_t> code_points(std::string_view text) {
  std::vector<char32_t> out;
  out.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    char32_t cp = 0;
    const std::size_t len = decode_one(text, pos, cp);
    if (len == 0) {
      out.push_back(U'\uFFFD');
      ++pos;
    } else {
      out.push_back(cp);
      pos += len;
    }
  }
  return out;
}

std::size_t code_point_count(std::string_view text) noexcept {
  std::size_t n = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace minqing::query
