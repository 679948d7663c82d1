// Argon2id password hashing at the production cost: the hash is not the password, verifies the
// right password and refuses a wrong one. Prints the measured time per hash.

#include <chrono>
#include <cstdio>

#include <catch2/catch.hpp>

#include "access/password_hash.hpp"
#include "access/session_token.hpp"

using namespace minqing::access;

TEST_CASE("passwords are hashed with Argon2id and verified", "[access][password]") {
  const auto start = std::chrono::steady_clock::now();
  const std::string hash = hash_password("minqing-demo", PasswordCost::interactive());
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  std::printf("Argon2id (ops %llu, %zu MiB): %lld ms per hash\n", PasswordCost::interactive().ops,
              PasswordCost::interactive().mem >> 20, static_cast<long long>(ms));
  CHECK(hash.rfind("$argon2id$", 0) == 0);
  CHECK(hash.find("minqing-demo") == std::string::npos);
  CHECK(verify_password(hash, "minqing-demo"));
  CHECK_FALSE(verify_password(hash, "minqing-demO"));
  CHECK_FALSE(verify_password(hash, ""));
  CHECK_FALSE(verify_password("not a hash", "minqing-demo"));
  CHECK(hash != hash_password("minqing-demo", PasswordCost::interactive()));  // salted
  CHECK_FALSE(needs_rehash(hash, PasswordCost::interactive()));
  CHECK(needs_rehash(hash_password("minqing-demo", PasswordCost::minimum()),
                     PasswordCost::interactive()));
}

TEST_CASE("short, NUL-holding and huge passwords are refused", "[access][password]") {
  CHECK(password_problem("123456789").has_value());
  CHECK_FALSE(password_problem("1234567890").has_value());
  CHECK(password_problem("密码密码密码密码密").has_value());  // 9 characters, 27 bytes
  CHECK_FALSE(password_problem("密码密码密码密码密码").has_value());
  CHECK(password_problem(std::string("abcdefghij\0k", 12)).has_value());
  CHECK(password_problem(std::string(2000, 'a')).has_value());
}

TEST_CASE("session tokens are 256 random bits in base64url, stored as SHA-256",
          "[access][session]") {
  const std::string a = new_session_token();
  const std::string b = new_session_token();
  CHECK(a.size() == 43);
  CHECK(a != b);
  CHECK(looks_like_session_token(a));
  CHECK_FALSE(looks_like_session_token(a.substr(1)));
  CHECK_FALSE(looks_like_session_token(std::string(42, 'A') + "'"));
  CHECK(session_token_hash(a).size() == 64);
  CHECK(session_token_hash(a) != session_token_hash(b));
}
