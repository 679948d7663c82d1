#include "geo/geos_context.hpp"

#include <geos_c.h>

namespace minqing::geo {

GeosContext::GeosContext() : m_handle(GEOS_init_r()) {
  GEOSContext_setErrorMessageHandler_r(m_handle, &GeosContext::on_message, this);
  GEOSContext_setNoticeMessageHandler_r(m_handle, &GeosContext::on_message, this);
}

GeosContext::~GeosContext() { GEOS_finish_r(m_handle); }

void GeosContext::on_message(const char* message, void* self) {
  static_cast<GeosContext*>(self)->m_message = message ? message : "";
}

}  // namespace minqing::geo
