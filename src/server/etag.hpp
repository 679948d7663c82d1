#pragma once
// Strong ETags of features: the feature's version (edit/change_log.hpp), never a hash of its
// content — a hash over masked or hidden values would let a caller confirm a guessed name.
//   strong_etag(3)          "\"3\""
//   parse_if_match(header)  the versions an If-Match header names ("*" for any; a weak or foreign
//                           tag names none, so it never matches: If-Match compares strongly)

#include <cstdint>
#include <string>
#include <string_view>

#include "edit/editor.hpp"

namespace minqing::server {

std::string strong_etag(std::uint64_t version);
edit::IfMatch parse_if_match(std::string_view header);

}  // namespace minqing::server
