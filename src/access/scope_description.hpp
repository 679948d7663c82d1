#pragma once
// What a scope allows, as JSON, for `GET /api/me` and for `minqing user list`-style tools:
//   {"user":"cadre","role":"village_cadre","title":"村干部","public":false,"admin":false,
//    "area":{"kind":"village","village_code":"331124207201"},
//    "maps":["terrain",…],"edit":["terrain",…],
//    "fields":{"key_persons":{"id_number":"masked"},…}}   ← only fields not shown in full
// Holds no secret. Thread-safety: a pure function.

#include <nlohmann/json.hpp>

#include "access/scope.hpp"
#include "model/layer_catalog.hpp"

namespace minqing::access {

nlohmann::json describe(const Scope& scope, const model::LayerCatalog& catalog);

}  // namespace minqing::access
