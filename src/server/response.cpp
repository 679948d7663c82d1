#include "server/response.hpp"

#include <nlohmann/json.hpp>

namespace minqing::server {

const std::string& server_header() {
  static const std::string value = std::string("minqing/") + MINQING_VERSION;
  return value;
}

Response json_response(const nlohmann::json& body, http::status status) {
  Response res{status, 11};
  res.set(http::field::content_type, kJsonContentType);
  res.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return res;
}

Response json_text_response(std::string body, http::status status) {
  Response res{status, 11};
  res.set(http::field::content_type, kJsonContentType);
  res.body() = std::move(body);
  return res;
}

void finalize_response(Response& res, unsigned version, bool keep_alive, bool head) {
  // A cached tile's whole answer is final: its head was made by this function once, for exactly
  // such a request (server/tile_answer.hpp), and lies in front of its bytes.
  if (res.body().whole()) return;
  res.version(version);
  res.keep_alive(keep_alive);
  res.set(http::field::server, server_header());
  res.set("X-Content-Type-Options", "nosniff");
  const auto code = res.result_int();
  if (code < 200 || code == 204 || code == 304) {  // these never carry a body (RFC 9110 §8.6)
    res.body().clear();
    res.erase(http::field::content_length);
    return;
  }
  const auto size = res.body().byte_size();
  if (head) res.body().clear();
  res.content_length(size);
}

}  // namespace minqing::server
