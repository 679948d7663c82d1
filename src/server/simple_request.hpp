#pragma once
// The head of a simple request, read without Beast's parser: what a browser, a tile client or
// wrk sends for a map tile — "GET /tiles/…png HTTP/1.1", a few ordinary fields, no body.
//
// Why: Beast's parser, its composed read operations and the parser object made and destroyed for
// each request were ~4,000 of the ~14,700 user-space instructions a cached tile cost (callgrind,
// issue 12, session 13), the largest share left against nginx serving the same tile.
//
// The rule that keeps it safe: it takes a strict subset of what Beast takes, and builds the same
// message. Anything else — another method, HTTP/1.0, a body (Content-Length, Transfer-Encoding),
// a folded or non-ASCII field, a control character, a bare LF, a head not yet complete or longer
// than the limit — it declines, and Beast's parser reads the request from the same bytes as
// before. tests/server/simple_request_test.cpp checks, on hand-made and on randomly mutated
// requests, that every request it takes Beast parses to the identical message.

#include <cstddef>
#include <string_view>

#include "server/http_types.hpp"

namespace minqing::server {

// When `bytes` begin with a complete simple request head of at most `header_limit` bytes: writes
// the request into `out` and returns the head's length (request line, fields, blank line).
// Otherwise returns 0 and leaves `out` as it was.
std::size_t parse_simple_request(std::string_view bytes, std::size_t header_limit, Request& out);

}  // namespace minqing::server
