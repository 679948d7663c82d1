#include "access/session_token.hpp"

#include <algorithm>

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

bool looks_like_session_token(std::string_view text) noexcept {
  return text.size() == kSessionTokenChars && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
         });
}

std::string session_token_hash(std::string_view token) { return sha256_hex(token); }

}  // namespace minqing::access
