#pragma once
// OGR date and date-time fields as the ISO text the model keeps (model/value.hpp). Include only
// inside store/ (links GDAL).

#include <string>

#include <ogr_feature.h>

namespace minqing::store {

// Field `k` of `f` (an OFTDate, OFTDateTime or OFTTime field, set and not null) as ISO text:
// "2024-08-08" for a date, "2024-08-08T14:56:00" for a date-time, with fractional seconds when
// the source has them (".5") and the zone when it has one ("Z", "+08:00"). Nothing is dropped:
// a date-time at midnight stays a date-time.
std::string ogr_datetime_text(const OGRFeature& f, int k);

}  // namespace minqing::store
