#pragma once
// One-time GDAL set-up shared by everything in store/.

namespace minqing::store {

// Registers GDAL's drivers once per process, and sends GDAL's error messages to
// CPLGetLastErrorMsg() (which our errors quote) instead of stderr. Thread-safe.
void ensure_gdal_registered();

}  // namespace minqing::store
