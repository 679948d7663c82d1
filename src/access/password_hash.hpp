#pragma once
// Password hashing with Argon2id (libsodium crypto_pwhash_str): the stored string carries the
// algorithm, its cost and the salt, so that verification needs nothing else. Passwords are never
// logged, stored or echoed; callers should wipe their copies (sodium_memzero) when done.
//
// Cost: PasswordCost::interactive() (Argon2id, ops 2, 64 MiB) takes about 0.25–0.35 s per hash or
// verification on the reference machine; MODERATE (256 MiB) took 1.4–1.9 s and is too slow for a
// login endpoint that many cadres share. Tests that need many hashes use PasswordCost::minimum().
//
// Thread-safety: every function may be called from any thread; each call uses `mem` bytes of
// memory while it runs, so callers bound how many run at once (AuthDb does).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace minqing::access {

struct PasswordCost {
  unsigned long long ops = 0;
  std::size_t mem = 0;

  static PasswordCost interactive() noexcept;  // the default for accounts
  static PasswordCost minimum() noexcept;      // tests only: fast, not secure
};

inline constexpr std::size_t kMinPasswordChars = 10;
inline constexpr std::size_t kMaxPasswordBytes = 1024;

// Why `password` may not be used, or nullopt: fewer than 10 characters, more than 1024 bytes,
// or a NUL byte.
std::optional<std::string> password_problem(std::string_view password);

// The Argon2id hash string of `password`. @throws Error when memory runs out.
std::string hash_password(std::string_view password, PasswordCost cost);

// Whether `password` matches `hash`; false for a malformed hash.
bool verify_password(const std::string& hash, std::string_view password) noexcept;

// Whether `hash` was made with a different cost than `cost` (rehash after the next good login).
bool needs_rehash(const std::string& hash, PasswordCost cost) noexcept;

}  // namespace minqing::access
