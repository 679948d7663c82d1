#include "server/response_head.hpp"

namespace minqing::server {

void append_response_head(std::string& out, const Response& res) {
  const unsigned version = res.version();
  const unsigned code = res.result_int();
  // As basic_fields<>::writer: "HTTP/X.Y ### " then the reason (the one set, or the standard one).
  const char line[13] = {'H', 'T', 'T', 'P', '/',
                         static_cast<char>('0' + version / 10), '.', static_cast<char>('0' + version % 10), ' ',
                         static_cast<char>('0' + code / 100), static_cast<char>('0' + code / 10 % 10),
                         static_cast<char>('0' + code % 10), ' '};
  out.append(line, sizeof line);
  const auto reason = res.reason();
  out.append(reason.data(), reason.size());
  out.append("\r\n", 2);
  for (const auto& field : res.base()) {
    const auto name = field.name_string();
    const auto value = field.value();
    out.append(name.data(), name.size());
    out.append(": ", 2);
    out.append(value.data(), value.size());
    out.append("\r\n", 2);
  }
  out.append("\r\n", 2);
}

}  // namespace minqing::server
