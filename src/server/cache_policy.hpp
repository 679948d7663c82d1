#pragma once
// The one decision of an answer's Cache-Control and Vary (issue 14 "One cache policy"), so that no
// endpoint writes its own:
//   holds personal data (a personal field in full or masked, a confidential map, an account)
//                                 → "private, no-store": no cache anywhere keeps it;
//   answered for the public scope → "public, max-age=N": the same bytes for every anonymous caller;
//   answered for a signed-in scope → "private, max-age=N": a browser may keep it, a shared cache
//                                 never.
// Every answer also carries "Vary: Authorization, Cookie": what is answered depends on who asks,
// so even a public answer must not be served from a cache to a caller who signed in (they may see
// more).

#include "access/scope.hpp"
#include "query/class_view.hpp"
#include "server/http_types.hpp"

namespace minqing::server {

enum class Holds {
  map_data,       // features, tiles, listings: scoped, but no personal values
  personal_data,  // personal values (full or masked), a confidential map, or the caller's account
};

// Freshness lifetimes, seconds.
inline constexpr int kTileMaxAge = 300;      // public tiles (ETag revalidates after an edit)
inline constexpr int kPrivateTileMaxAge = 60;
inline constexpr int kDocumentMaxAge = 60;   // TileJSON, WMTS, /collections, /api/layers
inline constexpr int kAnswerMaxAge = 0;      // feature queries, identify, search, statistics

// Sets Cache-Control and Vary on `res`. `max_age_s` 0 means "no-cache" (store, but revalidate).
void set_cache_policy(Response& res, const access::Scope& scope, Holds holds, int max_age_s);

// The personal-data headers without a scope at hand (sign-in, sign-out, the caller's account, the
// audit log): "private, no-store", "Pragma: no-cache" for HTTP/1.0 caches, and the Vary.
void set_no_store(Response& res);

// Whether answers of `view`'s class hold personal data for its caller: a personal field it reads
// (in full or masked), or a class of a confidential map.
bool holds_personal_data(const query::ClassView& view) noexcept;

}  // namespace minqing::server
