#include "query/cql2_lexer.hpp"

#include <cstdint>

#include "base/error.hpp"

namespace minqing::query::cql2 {

namespace {

bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

[[noreturn]] void fail(std::string_view text, std::size_t offset, const std::string& what) {
  throw RequestError("filter: " + what + " at " + std::to_string(char_position(text, offset)));
}

// Length of the valid UTF-8 sequence starting at text[i], or 0 when it is not one.
std::size_t utf8_length(std::string_view text, std::size_t i) noexcept {
  const auto b0 = static_cast<unsigned char>(text[i]);
  std::size_t len = 0;
  std::uint32_t cp = 0;
  if (b0 < 0x80) return 1;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return len;
}

// Reads a quoted run starting at text[i] == quote; a doubled quote stands for one.
std::string read_quoted(std::string_view text, std::size_t& i, char quote, const char* what) {
  const std::size_t start = i;
  std::string out;
  ++i;
  while (true) {
    if (i >= text.size()) fail(text, start, std::string("unterminated ") + what);
    const char c = text[i];
    if (c == quote) {
      if (i + 1 < text.size() && text[i + 1] == quote) {
        out += quote;
        i += 2;
        continue;
      }
      ++i;
      return out;
    }
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) fail(text, i, "control character in " + std::string(what));
    const std::size_t len = utf8_length(text, i);
    if (len == 0) fail(text, i, "invalid UTF-8 in " + std::string(what));
    out.append(text.substr(i, len));
    i += len;
  }
}

}  // namespace

std::string_view to_string(Token::Kind kind) noexcept {
  switch (kind) {
    case Token::Kind::end: return "end of filter";
    case Token::Kind::identifier: return "name";
    case Token::Kind::quoted_identifier: return "quoted name";
    case Token::Kind::string: return "string";
    case Token::Kind::number: return "number";
    case Token::Kind::lparen: return "'('";
    case Token::Kind::rparen: return "')'";
    case Token::Kind::comma: return "','";
    case Token::Kind::eq: return "'='";
    case Token::Kind::ne: return "'<>'";
    case Token::Kind::lt: return "'<'";
    case Token::Kind::le: return "'<='";
    case Token::Kind::gt: return "'>'";
    case Token::Kind::ge: return "'>='";
    case Token::Kind::minus: return "'-'";
    case Token::Kind::plus: return "'+'";
  }
  return "token";
}

std::size_t char_position(std::string_view text, std::size_t offset) noexcept {
  std::size_t n = 0;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++n;
  }
  return n + 1;
}

std::vector<Token> tokenize(std::string_view text) {
  if (text.size() > kMaxFilterBytes) {
    throw RequestError("filter: longer than " + std::to_string(kMaxFilterBytes) + " bytes (" +
                       std::to_string(text.size()) + ")");
  }
  std::vector<Token> out;
  std::size_t i = 0;
  auto simple = [&](Token::Kind k, std::size_t len) {
    out.push_back({k, std::string(text.substr(i, len)), i});
    i += len;
  };
  while (i < text.size()) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    if (u < 0x20 || u == 0x7F) fail(text, i, u == 0 ? "NUL byte" : "control character");
    if (is_alpha(c)) {
      const std::size_t start = i;
      while (i < text.size() && (is_alpha(text[i]) || is_digit(text[i]))) ++i;
      out.push_back({Token::Kind::identifier, std::string(text.substr(start, i - start)), start});
      continue;
    }
    if (is_digit(c) || (c == '.' && i + 1 < text.size() && is_digit(text[i + 1]))) {
      const std::size_t start = i;
      while (i < text.size() && is_digit(text[i])) ++i;
      if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && is_digit(text[i])) ++i;
      }
      if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        std::size_t j = i + 1;
        if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
        if (j >= text.size() || !is_digit(text[j])) fail(text, i, "malformed number exponent");
        while (j < text.size() && is_digit(text[j])) ++j;
        i = j;
      }
      if (i < text.size() && (is_alpha(text[i]) || text[i] == '.')) fail(text, i, "malformed number");
      out.push_back({Token::Kind::number, std::string(text.substr(start, i - start)), start});
      continue;
    }
    switch (c) {
      case '\'': {
        const std::size_t start = i;
        std::string value = read_quoted(text, i, '\'', "string");
        out.push_back({Token::Kind::string, std::move(value), start});
        continue;
      }
      case '"': {
        const std::size_t start = i;
        std::string value = read_quoted(text, i, '"', "quoted property name");
        if (value.empty()) fail(text, start, "empty quoted property name");
        out.push_back({Token::Kind::quoted_identifier, std::move(value), start});
        continue;
      }
      case '(': simple(Token::Kind::lparen, 1); continue;
      case ')': simple(Token::Kind::rparen, 1); continue;
      case ',': simple(Token::Kind::comma, 1); continue;
      case '=': simple(Token::Kind::eq, 1); continue;
      case '-': simple(Token::Kind::minus, 1); continue;
      case '+': simple(Token::Kind::plus, 1); continue;
      case '<':
        if (i + 1 < text.size() && text[i + 1] == '=') simple(Token::Kind::le, 2);
        else if (i + 1 < text.size() && text[i + 1] == '>') simple(Token::Kind::ne, 2);
        else simple(Token::Kind::lt, 1);
        continue;
      case '>':
        if (i + 1 < text.size() && text[i + 1] == '=') simple(Token::Kind::ge, 2);
        else simple(Token::Kind::gt, 1);
        continue;
      default: break;
    }
    const std::size_t len = utf8_length(text, i);
    if (len == 0) fail(text, i, "invalid UTF-8");
    fail(text, i, "unexpected character '" + std::string(text.substr(i, len)) + "'");
  }
  out.push_back({Token::Kind::end, {}, text.size()});
  return out;
}

}  // namespace minqing::query::cql2
