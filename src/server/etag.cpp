#include "server/etag.hpp"

#include <charconv>

namespace minqing::server {

std::string strong_etag(std::uint64_t version) { return "\"" + std::to_string(version) + "\""; }

edit::IfMatch parse_if_match(std::string_view header) {
  edit::IfMatch out;
  std::size_t pos = 0;
  while (pos <= header.size()) {
    std::size_t comma = header.find(',', pos);
    if (comma == std::string_view::npos) comma = header.size();
    std::string_view tag = header.substr(pos, comma - pos);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag == "*") {
      out.any = true;
    } else if (tag.size() >= 3 && tag.front() == '"' && tag.back() == '"') {
      std::uint64_t v = 0;
      const char* first = tag.data() + 1;
      const char* last = tag.data() + tag.size() - 1;
      const auto [ptr, ec] = std::from_chars(first, last, v);
      if (ec == std::errc() && ptr == last) out.versions.push_back(v);
    }
    pos = comma + 1;
  }
  return out;
}

}  // namespace minqing::server
