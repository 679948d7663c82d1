#pragma once
// Session tokens: 32 random bytes (libsodium randombytes_buf) written as 43 characters of
// unpadded base64url. The token itself is given to the client once and never stored; the auth
// database keeps only its SHA-256, so a copy of the database opens no session.
//
// Thread-safety: every function may be called from any thread.

#include <string>
#include <string_view>

namespace minqing::access {

inline constexpr std::size_t kSessionTokenChars = 43;

// A new token.
std::string new_session_token();

// Whether `text` has a token's shape (43 characters of [A-Za-z0-9_-]); checked before any lookup.
bool looks_like_session_token(std::string_view text) noexcept;

// What the database stores for a token: SHA-256 of its text, 64 hex digits.
std::string session_token_hash(std::string_view token);

}  // namespace minqing::access
