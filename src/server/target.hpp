#pragma once
// The request target ("/path/segments?query") taken apart: validated, split into percent-decoded
// path segments and query parameters. Routing and handlers only ever see the decoded form.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace minqing::server {

// Decoded query parameters in their order of appearance ("a=1&b=&c" → a:"1", b:"", c:"").
// '+' means a space. Immutable once built; safe to share between threads.
class Query {
 public:
  Query() = default;
  // @throws RequestError on a malformed percent escape or a decoded NUL.
  explicit Query(std::string_view raw);

  // The first value of `name`, or nullopt when absent.
  std::optional<std::string_view> get(std::string_view name) const noexcept;
  bool has(std::string_view name) const noexcept { return get(name).has_value(); }
  const std::vector<std::pair<std::string, std::string>>& items() const noexcept { return m_items; }

 private:
  std::vector<std::pair<std::string, std::string>> m_items;
};

struct Target {
  // As sent, without the query: "/tiles/a%2Cb/1/2/3.png". A view into the text given to
  // parse_target, which must outlive the Target (the request does): a copy was a malloc a request.
  std::string_view path;
  std::vector<std::string> segments;  // decoded: {"tiles", "a,b", "1", "2", "3.png"}; "/" → {}
  Query query;
};

// Takes apart an origin-form target. The result's `path` views `target`.
// @throws RequestError when the target does not start with '/', contains a NUL (raw or %00),
// a malformed percent escape, or a "." or ".." segment (raw or percent-encoded).
Target parse_target(std::string_view target);

// The same, into `out`, whose segment vector keeps its room: a caller that takes apart a target
// per request reuses one Target, saving a malloc a request (issue 12). `out.path` views `target`.
// @throws as parse_target; `out` then holds an unspecified part of the target.
void parse_target_into(std::string_view target, Target& out);

// Decodes %XX escapes (and '+' as a space when `plus_is_space`).
// @throws RequestError naming `what` on a malformed escape or a decoded NUL.
std::string percent_decode(std::string_view text, bool plus_is_space, std::string_view what);

}  // namespace minqing::server
