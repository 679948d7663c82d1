#pragma once
// Process-wide GDAL set-up shared by everything in store/ (and the generator's pinned dates).

namespace minqing::store {

// Registers GDAL's drivers once per process, and sends GDAL's error messages to
// CPLGetLastErrorMsg() (which our errors quote) instead of stderr. Thread-safe.
void ensure_gdal_registered();

// Pins the dates GDAL writes into new files (GeoPackage gpkg_contents.last_change) so that the
// same input gives the same bytes: sets OGR_CURRENT_DATE process-wide. Call before any thread
// writes a file.
void pin_gdal_output_dates();

}  // namespace minqing::store
