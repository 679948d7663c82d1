#pragma once
// The libsodium primitives the access module uses, behind one narrow interface: library start-up,
// SHA-256, random bytes, constant-time comparison. Include this rather than <sodium.h> elsewhere
// in access/ when only these are needed.
//
// Thread-safety: every function may be called from any thread.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace minqing::access {

// Initialises libsodium once per process (later calls are cheap no-ops).
// @throws Error when the library cannot start (no entropy source).
void ensure_sodium();

// SHA-256 of `data` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);

// SHA-256 over data given in pieces (a file read block by block). Not thread-safe: one per thread.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view data);
  // The digest of everything given so far as 64 lowercase hex digits; the object is spent after.
  std::string hex();

 private:
  alignas(64) unsigned char m_state[128];  // crypto_hash_sha256_state (104 bytes), kept opaque
};

// A keyed 128-bit hash (SipHash-2-4 with 128-bit output) for in-memory lookup tables keyed by a
// secret: with a random key per table, nobody without the key can predict or collide its values,
// and the table holds no secret. ~30× cheaper than SHA-256 on a session token. Not a digest to
// store or compare across processes.
class KeyedShortHash {
 public:
  static constexpr std::size_t kBytes = 16;
  // Raw bytes in a value, not a std::string: 16 bytes are past the small-string buffer, so a string
  // cost a malloc per signed-in request (issue 12).
  using Value = std::array<unsigned char, kBytes>;
  KeyedShortHash();  // a fresh random key
  // The hash of `data`.
  Value operator()(std::string_view data) const noexcept;

 private:
  unsigned char m_key[16];
};

// `n` bytes from the operating system's CSPRNG.
std::string random_bytes(std::size_t n);

// True when a and b are equal, in time that depends only on their lengths.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace minqing::access
