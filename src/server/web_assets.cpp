#include "server/web_assets.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

#include "base/error.hpp"
#include "server/http_error.hpp"
#include "server/tile_cache.hpp"

namespace minqing::server {

namespace {

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw StoreError("cannot read web asset " + p.string());
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw StoreError("cannot read web asset " + p.string());
  return body;
}

bool ends_with(std::string_view s, std::string_view suffix) noexcept {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Whether an Accept-Encoding value takes gzip (and does not refuse it with q=0).
bool accepts_gzip(std::string_view header) noexcept {
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t end = header.find(',', pos);
    if (end == std::string_view::npos) end = header.size();
    std::string_view item = header.substr(pos, end - pos);
    pos = end + 1;
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    const std::size_t semi = item.find(';');
    std::string_view coding = item.substr(0, semi);
    while (!coding.empty() && coding.back() == ' ') coding.remove_suffix(1);
    if (coding != "gzip" && coding != "*") continue;
    if (semi == std::string_view::npos) return true;
    std::string_view params = item.substr(semi + 1);
    const std::size_t q = params.find("q=");
    if (q == std::string_view::npos) return true;
    const std::string_view value = params.substr(q + 2);
    return !(value.rfind("0", 0) == 0 && value.find_first_of("123456789") == std::string_view::npos);
  }
  return false;
}

void set_page_headers(Response& res) {
  res.set("Content-Security-Policy", kPageCsp);
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "same-origin");
}

}  // namespace

WebAssets::WebAssets(std::filesystem::path dist) : m_dist(std::move(dist)) {
  std::error_code ec;
  if (!std::filesystem::is_directory(m_dist, ec)) return;
  std::map<std::string, std::string, std::less<>> gz;
  for (auto it = std::filesystem::recursive_directory_iterator(m_dist, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    const std::string rel = std::filesystem::relative(it->path(), m_dist).generic_string();
    if (ends_with(rel, ".gz")) {
      gz.emplace(rel.substr(0, rel.size() - 3), read_file(it->path()));
      continue;
    }
    File f;
    f.body = read_file(it->path());
    f.content_type = content_type_for(rel);
    f.etag = make_etag(f.body);
    f.immutable = is_hashed_name(it->path().filename().string());
    m_files.emplace(rel, std::move(f));
  }
  for (auto& [rel, body] : gz) {
    auto it = m_files.find(rel);
    if (it != m_files.end() && body.size() < it->second.body.size()) it->second.gzip = std::move(body);
  }
}

const WebAssets::File* WebAssets::find(std::string_view relative) const noexcept {
  const auto it = m_files.find(relative);
  return it == m_files.end() ? nullptr : &it->second;
}

std::optional<Response> WebAssets::answer(std::string_view relative, std::string_view accept_encoding,
                                          std::string_view if_none_match) const {
  const File* f = find(relative);
  if (!f) return std::nullopt;
  Response res;
  set_page_headers(res);
  res.set(http::field::cache_control, f->immutable ? "public, max-age=31536000, immutable" : "no-cache");
  res.set(http::field::etag, f->etag);
  if (f->gzip) res.set(http::field::vary, "Accept-Encoding");
  if (etag_matches(if_none_match, f->etag)) {
    res.result(http::status::not_modified);
    return res;
  }
  res.result(http::status::ok);
  res.set(http::field::content_type, f->content_type);
  if (f->gzip && accepts_gzip(accept_encoding)) {
    res.set(http::field::content_encoding, "gzip");
    res.body() = *f->gzip;
  } else {
    res.body() = f->body;
  }
  return res;
}

Response WebAssets::missing_build_page() const {
  Response res;
  res.result(http::status::service_unavailable);
  set_page_headers(res);
  res.set(http::field::content_type, "text/html; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  res.body() =
      "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>民情地图：网页未构建</title></head>\n"
      "<body><h1>民情地图的网页尚未构建</h1>\n"
      "<p>服务器在 <code>" + m_dist.string() + "</code> 找不到 <code>index.html</code>。请在源码目录运行：</p>\n"
      "<pre>bash scripts/run.sh</pre>\n<p>或者：</p>\n<pre>cd web &amp;&amp; npm ci &amp;&amp; npm run build</pre>\n"
      "<p>然后重新启动 <code>minqing serve</code>。</p>\n"
      "<p lang=\"en\">The web map is not built: no index.html in " + m_dist.string() +
      ". Run <code>bash scripts/run.sh</code>, or <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>, "
      "then restart <code>minqing serve</code>. The OGC API answers JSON clients at / meanwhile.</p>\n"
      "</body></html>\n";
  return res;
}

std::string WebAssets::content_type_for(std::string_view name) {
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},       {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},  {".css", "text/css; charset=utf-8"},
      {".json", "application/json; charset=utf-8"}, {".map", "application/json; charset=utf-8"},
      {".svg", "image/svg+xml"},                   {".png", "image/png"},
      {".ico", "image/x-icon"},                    {".webp", "image/webp"},
      {".woff2", "font/woff2"},                    {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
  };
  for (const auto& [ext, type] : kTypes) {
    if (ends_with(name, ext)) return std::string(type);
  }
  return "application/octet-stream";
}

bool WebAssets::is_hashed_name(std::string_view name) noexcept {
  const std::size_t dot = name.find('.');
  if (dot == std::string_view::npos) return false;
  const std::string_view stem = name.substr(0, dot);
  const std::size_t dash = stem.rfind('-');
  if (dash == std::string_view::npos) return false;
  const std::string_view hash = stem.substr(dash + 1);
  return hash.size() >= 8 && std::all_of(hash.begin(), hash.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
         });
}

bool wants_html(const RequestContext& ctx) {
  if (auto f = ctx.query("f")) return *f == "html" || *f == "text/html";
  return to_std(ctx.request[http::field::accept]).find("text/html") != std::string_view::npos;
}

Response web_page(const RequestContext& ctx, const WebAssets& assets) {
  if (!assets.available()) return assets.missing_build_page();
  auto res = assets.answer("index.html", to_std(ctx.request[http::field::accept_encoding]),
                           to_std(ctx.request[http::field::if_none_match]));
  // The page is the same for every caller (what it shows is fetched by its script), but `/`
  // answers JSON to other clients: caches must key on Accept.
  res->set(http::field::vary, "Accept, Accept-Encoding");
  return std::move(*res);
}

void add_web_routes(Router& router, const WebAssets& assets) {
  router.get("/assets/{file*}", [&assets](const RequestContext& ctx) {
    const std::string rel = "assets/" + std::string(ctx.param("file"));
    auto res = assets.answer(rel, to_std(ctx.request[http::field::accept_encoding]),
                             to_std(ctx.request[http::field::if_none_match]));
    if (!res) throw HttpError(http::status::not_found, "no web asset " + rel.substr(0, 80));
    return std::move(*res);
  }, Pace::quick);  // files read into memory at start-up; the answer shares their bytes
}

std::filesystem::path default_web_dist() {
  if (const char* env = std::getenv("MINQING_WEB_DIST"); env && *env) return env;
  return std::filesystem::path(MINQING_SOURCE_DIR) / "web" / "dist";
}

}  // namespace minqing::server
