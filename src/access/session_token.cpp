#include "access/session_token.hpp"

#include <algorithm>
#include <array>

#include <sodium.h>

#include "access/crypto.hpp"

namespace minqing::access {

std::string new_session_token() {
  const std::string raw = random_bytes(32);
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(raw.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                    raw.size(), variant);
  out.resize(kSessionTokenChars);
  return out;
}

namespace {

// The URL-safe base64 alphabet as a table: five comparisons a character were ~8 instructions a
// character on every signed-in request (issue 12).
constexpr std::array<bool, 256> kTokenChars = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) {
    t[static_cast<std::size_t>(c)] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                                     c == '-' || c == '_';
  }
  return t;
}();

}  // namespace

bool looks_like_session_token(std::string_view text) noexcept {
  if (text.size() != kSessionTokenChars) return false;
  bool ok = true;
  for (const char c : text) ok &= kTokenChars[static_cast<unsigned char>(c)];  // no early exit: no branch a character
  return ok;
}

std::string session_token_hash(std::string_view token) { return sha256_hex(token); }

}  // namespace minqing::access
