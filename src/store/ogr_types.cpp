#include "store/ogr_types.hpp"

namespace minqing::store {

OGRFieldType ogr_field_type(model::FieldType t) noexcept {
  switch (t) {
    case model::FieldType::integer: return OFTInteger64;
    case model::FieldType::real: return OFTReal;
    case model::FieldType::text: return OFTString;
    case model::FieldType::date: return OFTDate;
    case model::FieldType::datetime: return OFTDateTime;
  }
  return OFTString;
}

OGRwkbGeometryType ogr_geometry_type(geo::GeometryKind k) noexcept {
  switch (k) {
    case geo::GeometryKind::point: return wkbPoint;
    case geo::GeometryKind::line: return wkbMultiLineString;
    case geo::GeometryKind::polygon: return wkbMultiPolygon;
  }
  return wkbUnknown;
}

}  // namespace minqing::store
