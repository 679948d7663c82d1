#pragma once
// The browser application (web/, issue 9) as the server answers it: the files of its build
// directory (web/dist by default), read once at start-up into memory.
//
//   GET /               the page (index.html) to a browser (Accept: text/html); JSON clients get
//                       the OGC API landing page there (server/features_endpoint.hpp)
//   GET /assets/{file}  the page's scripts, styles and images
//
// Only files that were in the build directory at start-up can be answered: a request names a
// key of an in-memory table, never a path that is opened, so `..`, absolute paths and symlinks
// out of the directory cannot reach anything (parse_target refuses `..` before routing, too).
// A file whose name carries a content hash (app-3F2KQ7ZB.js) is cached for a year
// ("immutable"); index.html and unhashed files answer "no-cache" with an ETag. A precompressed
// sibling (app.js.gz, written by the build only where it is smaller) is answered to clients that
// accept gzip. Every answer carries the page's Content-Security-Policy: no inline script.
// When the build directory has no index.html, the page is a short HTML message saying how to
// build it (503), not a blank page. Rebuilding web/ takes effect at the server's next start.
//
// Immutable after construction; safe to share between threads.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "server/http_types.hpp"
#include "server/router.hpp"

namespace minqing::server {

// The Content-Security-Policy of the page and its assets.
inline constexpr const char* kPageCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'";

class WebAssets {
 public:
  struct File {
    std::string body;
    std::optional<std::string> gzip;  // the precompressed body, when the build wrote one
    std::string content_type;
    std::string etag;
    bool immutable = false;  // a content-hashed name
  };

  // Reads every regular file under `dist` (recursively, symlinks not followed) into memory.
  // A missing or empty directory is not an error: then available() is false.
  // @throws StoreError when a file exists but cannot be read.
  explicit WebAssets(std::filesystem::path dist);

  // Whether the build is there (dist/index.html was read).
  bool available() const noexcept { return m_files.contains("index.html"); }
  const std::filesystem::path& directory() const noexcept { return m_dist; }

  // The file at `relative` ("index.html", "assets/app-3F2KQ7ZB.js"), or null.
  const File* find(std::string_view relative) const noexcept;

  // The answer for `relative`: 200 with the file (gzip-encoded when `accept_encoding` takes gzip),
  // 304 when `if_none_match` names its ETag, null when there is no such file.
  std::optional<Response> answer(std::string_view relative, std::string_view accept_encoding,
                                 std::string_view if_none_match) const;

  // The page a browser gets when there is no build: how to build it, in Chinese and English.
  Response missing_build_page() const;

  // The media type for a file name's extension; application/octet-stream when unknown.
  static std::string content_type_for(std::string_view file_name);
  // Whether a file name carries a content hash: "name-HASH.ext" with HASH 8+ of [A-Z0-9].
  static bool is_hashed_name(std::string_view file_name) noexcept;

 private:
  std::filesystem::path m_dist;
  std::map<std::string, File, std::less<>> m_files;
};

// Whether the request prefers an HTML page to JSON: its Accept names text/html (a browser), and
// no `f=json` query parameter asks otherwise.
bool wants_html(const RequestContext& ctx);

// Registers GET /assets/{file*}. `assets` is borrowed and must outlive the router.
void add_web_routes(Router& router, const WebAssets& assets);

// The answer to a browser at `/`: the page, or missing_build_page().
Response web_page(const RequestContext& ctx, const WebAssets& assets);

// The default build directory: <source>/web/dist, or $MINQING_WEB_DIST when set.
std::filesystem::path default_web_dist();

}  // namespace minqing::server
