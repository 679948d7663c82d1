#pragma once
// The tokens of CQL2 text: what the parser reads. Strict: any byte that cannot start a token
// (';', '#', a control character, a NUL, invalid UTF-8 outside a string) is an error, so that
// nothing a caller writes is ever passed through unexamined.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace minqing::query::cql2 {

// The longest filter text accepted, in bytes.
inline constexpr std::size_t kMaxFilterBytes = 4096;

struct Token {
  enum class Kind {
    end,
    identifier,         // bare: letter or '_' then letters, digits, '_' (keywords too)
    quoted_identifier,  // "double quoted" property name ("" inside escapes a quote)
    string,             // 'single quoted', '' escapes a quote; text holds the unescaped value
    number,             // 12, 1.5, .5, 1e3 (no sign: signs are tokens)
    lparen,
    rparen,
    comma,
    eq,
    ne,
    lt,
    le,
    gt,
    ge,
    minus,
    plus,
  };
  Kind kind = Kind::end;
  std::string text;        // identifier / string value / number spelling
  std::size_t offset = 0;  // byte offset of the token's first byte in the input
};

std::string_view to_string(Token::Kind kind) noexcept;

// 1-based character (UTF-8 code point) position of byte `offset` of `text`, for messages.
std::size_t char_position(std::string_view text, std::size_t offset) noexcept;

// Splits `text` into tokens, ending with one Token::Kind::end.
// @throws RequestError "filter: <problem> at <position>" on an over-long text, an unterminated
// string or quoted name, a control character or NUL, invalid UTF-8, or an unexpected character.
std::vector<Token> tokenize(std::string_view text);

}  // namespace minqing::query::cql2
