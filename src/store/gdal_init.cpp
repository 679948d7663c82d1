#include "store/gdal_init.hpp"

#include <mutex>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal_priv.h>

namespace minqing::store {

void ensure_gdal_registered() {
  static std::once_flag once;
  std::call_once(once, [] {
    GDALAllRegister();
    CPLSetErrorHandler(CPLQuietErrorHandler);
  });
}

void pin_gdal_output_dates() { CPLSetConfigOption("OGR_CURRENT_DATE", "2025-01-01T00:00:00.000Z"); }

}  // namespace minqing::store
