#include "server/json_error.hpp"

#include <cctype>

#include <nlohmann/json.hpp>

namespace minqing::server {

std::string error_code(http::status status) {
  const auto reason = http::obsolete_reason(status);
  std::string code;
  code.reserve(reason.size());
  for (const char c : reason) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      code += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!code.empty() && code.back() != '_') {
      code += '_';
    }
  }
  while (!code.empty() && code.back() == '_') code.pop_back();
  return code.empty() ? "error" : code;
}

std::string error_body(http::status status, std::string_view detail) {
  const nlohmann::json body = {{"error", error_code(status)}, {"detail", std::string(detail)}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Response json_error(http::status status, std::string_view detail) {
  Response res{status, 11};
  res.set(http::field::content_type, kJsonContentType);
  res.body() = error_body(status, detail);
  return res;
}

}  // namespace minqing::server
