#pragma once
// Why a write was refused, with the HTTP status it answers with: the edit module decides what is
// wrong, the server only translates (server/edit_endpoint.cpp). The message names the field, the
// geometry fault or the precondition at fault, and never quotes a value the caller may not see.

#include <string>

#include "base/error.hpp"

namespace minqing::edit {

class EditError : public Error {
 public:
  enum class Kind {
    bad_request = 400,            // not a GeoJSON feature / merge patch at all
    forbidden = 403,              // map not editable, outside the area, a masked or hidden field
    not_found = 404,              // no such class or feature (or one the caller may not see)
    precondition_failed = 412,    // If-Match names a version that is no longer current
    unprocessable = 422,          // a field value or the geometry is invalid
    precondition_required = 428,  // no If-Match on a change to an existing feature
    unavailable = 503,            // the server holds no store to write to
  };
  EditError(Kind kind, const std::string& message) : Error(message), m_kind(kind) {}
  Kind kind() const noexcept { return m_kind; }
  int status() const noexcept { return static_cast<int>(m_kind); }

 private:
  Kind m_kind;
};

}  // namespace minqing::edit
