#pragma once
// OGC API – Features: Part 1 Core (GeoJSON), Part 2 CRS by reference, Part 3 Filtering with
// CQL2 text. JSON only (no HTML).
//
//   GET /                                    landing page: links to itself, conformance, data
//                                            (a browser asking for text/html gets `html_page`
//                                            instead, when one is given: the web map)
//   GET /api                                 a minimal OpenAPI 3.0 document: these paths with the items
//                                            parameters, and the writes, history, revert, change feed
//                                            and backups (server/edit_endpoint.hpp, backup_endpoint.hpp)
//   GET /conformance                         the conformance classes implemented
//   GET /collections                         every feature class the caller may see
//   GET /collections/{class}                 one class: extent (CRS84), crs list, storageCrs
//   GET /collections/{class}/queryables      JSON Schema of the queryable fields
//   GET /collections/{class}/items           GeoJSON FeatureCollection; parameters:
//       bbox=a,b,c,d (or 6 numbers)   in bbox-crs axis order (default CRS84: lon/lat)
//       bbox-crs, crs, filter-crs      a CRS URI of query/crs.hpp (CRS84, EPSG 4326, 3857, 4490, 4549)
//       limit                          1…10000, default 100; larger values are clamped to 10000
//       offset                         0…, paging; next/prev links carry it
//       filter, filter-lang=cql2-text  a CQL2-text filter (query/cql2_parser.hpp)
//       <field>=<value>                equality on a queryable field
//       f=json|geojson                 accepted; GeoJSON is the only format
//     Any other parameter is refused with 400, naming it.
//   GET /collections/{class}/items/{fid}    one feature (404 when absent); crs as above
//
// What a caller sees is decided by the caller's scope alone, through query::ClassView
// (server/caller_access.hpp): classes of maps not granted answer 404 and are not listed; features
// outside the caller's area are neither counted nor returned (a feature id outside it answers
// 404 like a missing one); fields are written in full, masked or not at all; only fields seen in
// full are queryable. Every items or item request on a confidential class (key_persons) is
// audited with the parameters and the ids returned.

#include "server/query_service.hpp"
#include "server/router.hpp"

namespace minqing::server {

// Registers the routes above. `service` is borrowed and must outlive the router.
// `html_page`, when set, answers `/` to callers that want HTML (server/web_assets.hpp wants_html).
void add_feature_routes(Router& router, const QueryService& service, Handler html_page = {});

}  // namespace minqing::server
