#include "access/crypto.hpp"

#include <mutex>

#include <sodium.h>

#include "base/error.hpp"

namespace minqing::access {

void ensure_sodium() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = sodium_init() >= 0; });
  if (!ok) throw Error("libsodium failed to initialise");
}

std::string sha256_hex(std::string_view data) {
  ensure_sodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex, crypto_hash_sha256_BYTES * 2);
}

Sha256::Sha256() {
  static_assert(sizeof(crypto_hash_sha256_state) <= sizeof(m_state));
  ensure_sodium();
  crypto_hash_sha256_init(reinterpret_cast<crypto_hash_sha256_state*>(m_state));
}

Sha256::~Sha256() { sodium_memzero(m_state, sizeof m_state); }

void Sha256::update(std::string_view data) {
  crypto_hash_sha256_update(reinterpret_cast<crypto_hash_sha256_state*>(m_state),
                            reinterpret_cast<const unsigned char*>(data.data()), data.size());
}

std::string Sha256::hex() {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(reinterpret_cast<crypto_hash_sha256_state*>(m_state), digest);
  char out[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(out, sizeof out, digest, sizeof digest);
  return std::string(out, crypto_hash_sha256_BYTES * 2);
}

KeyedShortHash::KeyedShortHash() {
  static_assert(sizeof m_key == crypto_shorthash_siphashx24_KEYBYTES);
  static_assert(kBytes == crypto_shorthash_siphashx24_BYTES);
  ensure_sodium();
  randombytes_buf(m_key, sizeof m_key);
}

KeyedShortHash::Value KeyedShortHash::operator()(std::string_view data) const noexcept {
  Value out;
  crypto_shorthash_siphashx24(out.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size(), m_key);
  return out;
}

std::string random_bytes(std::size_t n) {
  ensure_sodium();
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace minqing::access
