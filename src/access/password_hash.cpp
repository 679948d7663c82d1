#include "access/password_hash.hpp"

#include <sodium.h>

#include "access/crypto.hpp"
#include "base/error.hpp"

namespace minqing::access {

PasswordCost PasswordCost::interactive() noexcept {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

PasswordCost PasswordCost::minimum() noexcept {
  return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

std::optional<std::string> password_problem(std::string_view password) {
  if (password.size() > kMaxPasswordBytes) return "the password is longer than 1024 bytes";
  if (password.find('\0') != std::string_view::npos) return "the password holds a NUL byte";
  std::size_t chars = 0;
  for (char c : password) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  if (chars < kMinPasswordChars) return "the password is shorter than 10 characters";
  return std::nullopt;
}

std::string hash_password(std::string_view password, PasswordCost cost) {
  ensure_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost.ops, cost.mem,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw Error("password hashing failed: out of memory");
  }
  return out;
}

bool verify_password(const std::string& hash, std::string_view password) noexcept {
  if (sodium_init() < 0) return false;
  if (hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool needs_rehash(const std::string& hash, PasswordCost cost) noexcept {
  if (sodium_init() < 0) return false;
  return crypto_pwhash_str_needs_rehash(hash.c_str(), cost.ops, cost.mem) != 0;
}

}  // namespace minqing::access
