#pragma once
// The read side of editing (server/edit_endpoint.hpp): a feature's history and the change feed.
//   GET /collections/{class}/items/{id}/history   versions oldest first: version, op, user, time,
//       request_id, before, after (features in the caller's form, in `crs`; a state the caller
//       may not see is withheld: null with "before_withheld"/"after_withheld": true). A feature
//       the caller may not see now answers 404, as a read does; a deleted one answers when the
//       caller saw one of its states.
//   GET /api/changes?village=CODE&since=SEQ|ISO-time&limit=N&crs=…   changes with seq > since
//       (or made at or after the time), oldest first, each {seq, collection, id, version, op,
//       time, user (signed-in callers), village_code, before, after}; `latest_seq` is the newest
//       change of the whole store (a sync client's next `since` when nothing visible came), and
//       a "next" link is given while more may follow.

#include "server/edit_endpoint.hpp"
#include "server/router.hpp"

namespace minqing::server {

void add_history_routes(Router& router, const EditService& service);

}  // namespace minqing::server
