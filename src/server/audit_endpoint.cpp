#include "server/audit_endpoint.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "access/scope.hpp"
#include "base/error.hpp"
#include "server/caller_access.hpp"
#include "server/cache_policy.hpp"
#include "server/http_error.hpp"
#include "server/public_url.hpp"
#include "server/response.hpp"

namespace minqing::server {

namespace {

using nlohmann::json;

constexpr std::size_t kDefaultLimit = 100;
constexpr std::size_t kMaxLimit = 1000;
constexpr std::size_t kMaxFilter = 64;

struct Params {
  bool newest_first = true;
  std::uint64_t offset = 0;
  std::size_t limit = kDefaultLimit;
  std::optional<std::uint64_t> as_of;
  std::optional<std::string> user;
  std::optional<std::string> action;
};

// A decimal integer in [min, max]; anything else is a 400 naming the parameter.
std::uint64_t parse_integer(std::string_view name, std::string_view text, std::uint64_t min,
                            std::uint64_t max) {
  std::uint64_t v = 0;
  const bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
  const auto [ptr, ec] = digits ? std::from_chars(text.data(), text.data() + text.size(), v)
                                : std::from_chars_result{text.data(), std::errc::invalid_argument};
  if (!digits || ec != std::errc() || v < min || v > max) {
    throw RequestError("parameter " + std::string(name) + ": '" +
                       std::string(text.substr(0, 40)) + "' is not an integer from " +
                       std::to_string(min) + " to " + std::to_string(max));
  }
  return v;
}

std::string parse_filter(std::string_view name, std::string_view text) {
  if (text.size() > kMaxFilter) {
    throw RequestError("parameter " + std::string(name) + ": longer than " +
                       std::to_string(kMaxFilter) + " bytes");
  }
  return std::string(text);
}

Params parse_params(const RequestContext& ctx) {
  Params p;
  for (const auto& [k, v] : ctx.target.query.items()) {
    if (k == "order") {
      if (v == "newest") p.newest_first = true;
      else if (v == "oldest") p.newest_first = false;
      else throw RequestError("parameter order: '" + v.substr(0, 40) + "' is not newest or oldest");
    } else if (k == "offset") {
      p.offset = parse_integer(k, v, 0, UINT64_MAX / 2);
    } else if (k == "limit") {
      p.limit = static_cast<std::size_t>(parse_integer(k, v, 1, kMaxLimit));
    } else if (k == "as_of") {
      p.as_of = parse_integer(k, v, 0, UINT64_MAX / 2);
    } else if (k == "user") {
      p.user = parse_filter(k, v);
    } else if (k == "action") {
      p.action = parse_filter(k, v);
    } else {
      throw RequestError("unknown parameter '" + k.substr(0, 40) +
                         "'; use order, offset, limit, as_of, user, action");
    }
  }
  return p;
}

// `"key":value` exactly as the log's compact JSON writes that member.
std::string member_text(const char* key, const json& value) {
  return std::string("\"") + key + "\":" + value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// user= / action= filters: top-level members that must equal the given text.
struct Filter {
  std::vector<std::pair<const char*, std::string>> members;  // key, member_text(key, value)

  bool matches(std::string_view line) const {
    for (const auto& m : members) {
      if (line.find(m.second) == std::string::npos) return false;  // cheap: most lines stop here
    }
    // The text may also occur inside `detail`; the parsed top-level member decides.
    const json j = json::parse(line, nullptr, false);
    if (!j.is_object()) return false;
    for (const auto& [key, text] : members) {
      const auto it = j.find(key);
      if (it == j.end() || member_text(key, *it) != text) return false;
    }
    return true;
  }
};

struct Listing {
  std::uint64_t as_of = 0;  // lines the listing covers
  std::uint64_t total = 0;  // entries in the listing
  std::vector<json> entries;
};

// [first, first + count) of a sequence of `total`, in the chosen order, for offset/limit.
struct Window {
  std::uint64_t first = 0;
  std::uint64_t count = 0;
};

Window window(std::uint64_t total, const Params& p) {
  if (p.offset >= total) return {};
  if (!p.newest_first) return {p.offset, std::min<std::uint64_t>(p.limit, total - p.offset)};
  const std::uint64_t end = total - p.offset;  // exclusive, in log order
  const std::uint64_t first = end > p.limit ? end - p.limit : 0;
  return {first, end - first};
}

// Unfiltered: AuditLog::page over the window of the first `as_of` entries.
Listing unfiltered(const access::AuditLog& audit, std::uint64_t as_of, const Params& p) {
  Window w = window(as_of, p);
  access::AuditPage page = audit.page(w.first, static_cast<std::size_t>(w.count));
  if (page.total < as_of) {  // fewer lines than entries (a damaged or replaced log): shrink to it
    as_of = page.total;
    w = window(as_of, p);
    page = audit.page(w.first, static_cast<std::size_t>(w.count));
  }
  Listing out;
  out.as_of = out.total = std::min(as_of, page.total);
  out.entries = std::move(page.entries);
  if (p.newest_first) std::reverse(out.entries.begin(), out.entries.end());
  return out;
}

// Filtered: one scan of the first `as_of` entries (across rotated files) remembering which match,
// then the window's entries read by index. Memory: 8 bytes per match plus the page.
Listing filtered(const access::AuditLog& audit, std::uint64_t as_of, const Params& p,
                 const Filter& filter) {
  std::vector<std::uint64_t> matches;
  std::uint64_t lines = 0;
  audit.scan(0, as_of, [&](std::uint64_t i, std::string_view line) {
    lines = i + 1;
    if (filter.matches(line)) matches.push_back(i);
  });
  Listing out;
  out.as_of = lines;
  out.total = matches.size();
  const Window w = window(matches.size(), p);
  for (std::uint64_t i = w.first; i < w.first + w.count; ++i) {
    auto page = audit.page(matches[i], 1);
    if (page.entries.empty()) throw StoreError("audit log " + audit.path().string() + ": cannot read");
    out.entries.push_back(std::move(page.entries.front()));
  }
  if (p.newest_first) std::reverse(out.entries.begin(), out.entries.end());
  return out;
}

json link(const std::string& href, const char* rel) {
  return {{"href", href}, {"rel", rel}, {"type", "application/json"}};
}

std::string page_url(const RequestContext& ctx, std::uint64_t as_of, std::size_t limit,
                     std::uint64_t offset) {
  std::string url = base_url(ctx) + "/api/audit?";
  for (const auto& [k, v] : ctx.target.query.items()) {
    if (k == "offset" || k == "limit" || k == "as_of") continue;
    url += percent_encode(k) + "=" + percent_encode(v) + "&";
  }
  return url + "as_of=" + std::to_string(as_of) + "&limit=" + std::to_string(limit) +
         "&offset=" + std::to_string(offset);
}

void record(access::AuditLog& audit, const RequestContext& ctx, const char* action, json detail) {
  access::AuditRecord rec;
  rec.user = caller_scope(ctx).user();
  rec.address = std::string(ctx.peer);
  rec.action = action;
  rec.detail = std::move(detail);
  audit.append(rec, ctx.now);
}

Response audit_page(access::AuditLog& audit, const RequestContext& ctx) {
  const access::Scope& scope = caller_scope(ctx);
  if (scope.is_public()) {
    throw HttpError(http::status::unauthorized,
                    "the audit log is for county administrators; sign in");
  }
  if (!scope.is_admin()) {
    try {
      record(audit, ctx, kAuditReadDeniedAction, {{"role", scope.role()}});
    } catch (const StoreError&) {
      // The refusal stands whether or not it could be recorded.
    }
    throw HttpError(http::status::forbidden, "the audit log is for county administrators; role " +
                                                 scope.role() + " may not read it");
  }
  const Params p = parse_params(ctx);

  json detail = {{"order", p.newest_first ? "newest" : "oldest"},
                 {"offset", p.offset},
                 {"limit", p.limit}};
  if (p.as_of) detail["as_of"] = *p.as_of;
  if (p.user) detail["user"] = *p.user;
  if (p.action) detail["action"] = *p.action;
  std::uint64_t seq = 0;
  try {
    seq = audit.append({scope.user(), std::string(ctx.peer), kAuditReadAction, detail}, ctx.now);
  } catch (const StoreError&) {
    throw HttpError(http::status::internal_server_error,
                    "the audit log cannot be written; it is not served unrecorded");
  }
  // The log's length now, this read included (seq counts entries in an intact log; a shorter
  // log is noticed below and the listing shrinks to it).
  const std::uint64_t as_of = p.as_of ? std::min(*p.as_of, seq) : seq;

  Filter filter;
  if (p.user) filter.members.emplace_back("user", member_text("user", json(*p.user)));
  if (p.action) filter.members.emplace_back("action", member_text("action", json(*p.action)));
  const Listing l = filter.members.empty() ? unfiltered(audit, as_of, p) : filtered(audit, as_of, p, filter);

  json links = json::array({link(page_url(ctx, l.as_of, p.limit, p.offset), "self")});
  if (p.offset + l.entries.size() < l.total) {
    links.push_back(link(page_url(ctx, l.as_of, p.limit, p.offset + p.limit), "next"));
  }
  if (p.offset > 0) {
    // The page before this one; from beyond the end, the last page.
    std::uint64_t prev = p.offset > p.limit ? p.offset - p.limit : 0;
    if (prev >= l.total) prev = l.total > p.limit ? l.total - p.limit : 0;
    links.push_back(link(page_url(ctx, l.as_of, p.limit, prev), "prev"));
  }
  json body = {{"order", p.newest_first ? "newest" : "oldest"},
               {"as_of", l.as_of},
               {"total", l.total},
               {"offset", p.offset},
               {"limit", p.limit},
               {"entries", l.entries},
               {"links", std::move(links)}};
  Response res = json_response(body);
  set_no_store(res);  // who did what, from where: personal
  res.set(http::field::pragma, "no-cache");
  return res;
}

}  // namespace

void add_audit_routes(Router& router, access::AuditLog& audit) {
  router.get("/api/audit", [&audit](const RequestContext& ctx) { return audit_page(audit, ctx); });
}

}  // namespace minqing::server
