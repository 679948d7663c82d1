#pragma once
// A response's head — status line and header fields — as the bytes sent on the wire, exactly as
// Beast's serializer writes them ("HTTP/1.1 200 OK\r\n", each field "Name: value\r\n" in the order
// set, then an empty line).
//
// The server writes every answer as this head plus the body's bytes in one gathered write
// (server/http_server.cpp), instead of through Beast's serializer: for a cached tile the
// serializer's buffer-sequence machinery cost more CPU than formatting the ~300 bytes of header,
// and the body (server/response_body.hpp) is then sent from wherever it lives, uncopied.

#include <string>

#include "server/http_types.hpp"

namespace minqing::server {

// Appends the head of `res` to `out`. Never throws except std::bad_alloc; `out` keeps its
// capacity, so a connection that reuses one buffer allocates nothing once it is large enough.
void append_response_head(std::string& out, const Response& res);

}  // namespace minqing::server
