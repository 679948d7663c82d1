#pragma once
// Printable sheets (专题图, issue 11) over HTTP:
//   GET /api/sheets/{village_code}/{map}.pdf?paper=A3&orientation=landscape&scale=5000
//   GET /api/sheets/{village_code}/{map}.png?dpi=150          (the same page as an image, dpi ≤ 300)
//   GET /api/sheets/{village_code}.pdf?maps=terrain,disaster  (one page per map; default: every map
//                                                              the caller may see there)
// Read only through the caller's ScopedReader; a map the caller may not see answers as tiles do
// (403, key_persons 404); a map only the role sees, for a village outside the role's area, 403 as
// statistics do; an unknown village 404; bad parameters 400 naming them. Every sheet of the
// confidential map is audited before it is drawn, and its answer is "private, no-store".

#include "access/audit_log.hpp"
#include "model/layer_catalog.hpp"
#include "print/sheet.hpp"
#include "query/dataset.hpp"
#include "server/router.hpp"

namespace minqing::server {

struct SheetService {
  const model::LayerCatalog& catalog;
  const query::Dataset& data;
  const print::SheetPrinter& printer;
  access::AuditLog* audit = nullptr;
};

void add_sheet_routes(Router& router, const SheetService& service);

}  // namespace minqing::server
