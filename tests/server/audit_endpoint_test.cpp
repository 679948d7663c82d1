// GET /api/audit (issue 4): county administrators only, newest first, stable paging while the log
// grows, filters, parameter validation, and every read of the log recorded in it.

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "access/demo_accounts.hpp"
#include "server/app.hpp"
#include "support/demo_client.hpp"

using namespace minqing;
using namespace minqing::server;
using nlohmann::json;

namespace {

const App& app() {
  static const App a(test::demo_app_options("audit_endpoint"));
  return a;
}

using test::status;

constexpr const char* kBase = "http://127.0.0.1:8080";

Response get(const std::string& target, const std::string& token = {}, const std::string& peer = "192.0.2.5") {
  return test::get(app(), target, token, peer);
}

Response login(const std::string& user, const std::string& password, const std::string& peer = "192.0.2.6") {
  return test::login(app(), user, password, peer);
}

std::string token_of(const std::string& user) { return test::sign_in(app(), user, "192.0.2.6"); }

const std::string& admin_token() {
  static const std::string t = token_of("admin");
  return t;
}

json audit_page(const std::string& query) {
  const Response r = get("/api/audit" + query, admin_token());
  INFO(query << " → " << r.body());
  REQUIRE(status(r) == 200);
  return json::parse(r.body());
}

std::string link_of(const json& page, const std::string& rel) {
  for (const auto& l : page.at("links")) {
    if (l.at("rel") == rel) return l.at("href").get<std::string>();
  }
  return {};
}

std::string local(const std::string& href) {
  REQUIRE(href.rfind(kBase, 0) == 0);
  return href.substr(std::string(kBase).size());
}

std::vector<std::uint64_t> seqs(const json& page) {
  std::vector<std::uint64_t> out;
  for (const auto& e : page.at("entries")) out.push_back(e.at("seq").get<std::uint64_t>());
  return out;
}

}  // namespace

TEST_CASE("only county administrators read the audit log", "[server][audit][auth]") {
  const Response anon = get("/api/audit");
  CHECK(status(anon) == 401);
  CHECK(anon[http::field::www_authenticate].find("Bearer") != std::string::npos);
  CHECK(json::parse(anon.body()).at("detail").get<std::string>().find("county administrators") != std::string::npos);

  for (const char* user : {"township", "cadre", "cadre2", "grid", "planner"}) {
    INFO(user);
    const std::string token = token_of(user);
    const Response r = get("/api/audit?limit=1000", token, "192.0.2.44");
    CHECK(status(r) == 403);
    const std::string detail = json::parse(r.body()).at("detail");
    CHECK(detail.find("county administrators") != std::string::npos);
    CHECK(r.body().find("\"seq\"") == std::string::npos);
    CHECK(r.body().find(token) == std::string::npos);
  }
  // The refusals are themselves on record, seen by the administrator.
  const json denied = audit_page("?action=audit_read_denied&limit=1000");
  std::set<std::string> who;
  for (const auto& e : denied.at("entries")) {
    if (e.at("address") == "192.0.2.44") who.insert(e.at("user").get<std::string>());
  }
  CHECK(who == std::set<std::string>{"township", "cadre", "cadre2", "grid", "planner"});
}

TEST_CASE("the administrator reads the newest entries first, their own read on top", "[server][audit]") {
  const std::string admin = admin_token();
  const std::string planner = token_of("planner");
  const Response r = get("/api/audit", admin, "192.0.2.77");
  REQUIRE(status(r) == 200);
  CHECK(r[http::field::cache_control] == "private, no-store");
  const json page = json::parse(r.body());
  CHECK(page.at("order") == "newest");
  CHECK(page.at("offset") == 0);
  CHECK(page.at("limit") == 100);
  const auto total = page.at("total").get<std::uint64_t>();
  CHECK(page.at("as_of") == total);
  const auto s = seqs(page);
  REQUIRE(!s.empty());
  CHECK(s.front() == total);
  CHECK(std::is_sorted(s.rbegin(), s.rend()));
  CHECK(s.size() == std::min<std::uint64_t>(total, 100));

  const json& own = page.at("entries").at(0);
  CHECK(own.at("action") == "audit_read");
  CHECK(own.at("user") == "admin");
  CHECK(own.at("address") == "192.0.2.77");
  CHECK(own.at("detail").at("order") == "newest");
  CHECK(own.at("detail").at("limit") == 100);
  const json& before = page.at("entries").at(1);
  CHECK(before.at("action") == "login");
  CHECK(before.at("user") == "planner");

  // Entries carry no secrets: no session token, no password.
  CHECK(r.body().find(planner) == std::string::npos);
  CHECK(r.body().find(admin_token()) == std::string::npos);
  CHECK(r.body().find(access::kDemoPassword) == std::string::npos);

  // Oldest first starts at the first entry of the log.
  const json oldest = audit_page("?order=oldest&limit=3");
  CHECK(seqs(oldest) == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(oldest.at("order") == "oldest");
}

TEST_CASE("following next links visits every entry once although each read adds one", "[server][audit]") {
  for (int i = 0; i < 23; ++i) login("nobody-" + std::to_string(i), "wrong-password", "192.0.2.9" + std::to_string(i % 10));
  json page = audit_page("?limit=10");
  const auto as_of = page.at("as_of").get<std::uint64_t>();
  CHECK(link_of(page, "prev").empty());
  std::vector<std::uint64_t> seen;
  int pages = 0;
  while (true) {
    ++pages;
    CHECK(page.at("as_of") == as_of);
    CHECK(page.at("total") == as_of);
    const auto s = seqs(page);
    seen.insert(seen.end(), s.begin(), s.end());
    const std::string next = link_of(page, "next");
    if (next.empty()) break;
    REQUIRE(pages < 1000);
    page = audit_page(local(next).substr(std::string("/api/audit").size()));
  }
  // as_of, as_of - 1, …, 1: none repeated or skipped by the audit_read entries appended meanwhile.
  REQUIRE(seen.size() == as_of);
  for (std::size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == as_of - i);
  CHECK(pages == static_cast<int>((as_of + 9) / 10));

  // prev goes back a page; the second page's prev is the first page.
  const json second = audit_page("?limit=10&offset=10&as_of=" + std::to_string(as_of));
  const json first = audit_page(local(link_of(second, "prev")).substr(std::string("/api/audit").size()));
  CHECK(first.at("offset") == 0);
  CHECK(seqs(first).front() == as_of);

  // An as_of beyond the log is cut to the log; an offset beyond the end is an empty page.
  const json far = audit_page("?as_of=999999999&limit=1");
  CHECK(far.at("as_of").get<std::uint64_t>() < 999999999);
  CHECK(seqs(far).front() == far.at("as_of").get<std::uint64_t>());
  const json empty = audit_page("?offset=999999999");
  CHECK(empty.at("entries").empty());
  CHECK(link_of(empty, "next").empty());
  CHECK_FALSE(link_of(empty, "prev").empty());
}

TEST_CASE("user and action filters select on the entry, not on its detail", "[server][audit]") {
  token_of("cadre2");
  login("cadre2", "not-the-password");
  login("cadre2", "still-not-it");
  // An administrator's earlier filtered read holds user=cadre2 in its detail; it must not match.
  audit_page("?user=cadre2");

  const json mine = audit_page("?user=cadre2&limit=1000");
  REQUIRE(mine.at("total").get<std::uint64_t>() >= 3);
  CHECK(mine.at("total") == mine.at("entries").size());
  for (const auto& e : mine.at("entries")) CHECK(e.at("user") == "cadre2");

  const json failed = audit_page("?user=cadre2&action=login_failed&limit=1000");
  CHECK(failed.at("total") == 2);
  for (const auto& e : failed.at("entries")) {
    CHECK(e.at("user") == "cadre2");
    CHECK(e.at("action") == "login_failed");
  }
  // Newest first, with paging over the filtered entries.
  const json one = audit_page("?user=cadre2&action=login_failed&limit=1");
  CHECK(one.at("total") == 2);
  CHECK(seqs(one).front() == seqs(failed).front());
  const json two = audit_page(local(link_of(one, "next")).substr(std::string("/api/audit").size()));
  CHECK(seqs(two).front() == seqs(failed).back());
  CHECK(link_of(two, "next").empty());

  CHECK(audit_page("?user=no-such-user-here").at("total") == 0);
}

TEST_CASE("bad parameters get 400 naming the parameter, injection strings are plain values", "[server][audit][hostile]") {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"limit=0", "limit"},          {"limit=1001", "limit"},      {"limit=abc", "limit"},
      {"limit=", "limit"},           {"limit=-5", "limit"},        {"limit=1e3", "limit"},
      {"offset=-1", "offset"},       {"offset=1.5", "offset"},     {"offset=99999999999999999999999", "offset"},
      {"as_of=x", "as_of"},          {"order=random", "order"},    {"order=", "order"},
      {"user=" + std::string(65, 'u'), "user"},                    {"action=" + std::string(65, 'a'), "action"},
      {"token=abc", "token"},        {"f=html", "'f'"},
      {"user=%27%20OR%20%271%27%3D%271&limit=x", "limit"},
  };
  for (const auto& [query, name] : bad) {
    INFO(query);
    const Response r = get("/api/audit?" + query, admin_token());
    CHECK(status(r) == 400);
    CHECK(json::parse(r.body()).at("detail").get<std::string>().find(name) != std::string::npos);
  }
  // Injection strings as filter values are values: no match, no error.
  for (const char* v : {"%27%20OR%20%271%27%3D%271", "%22%7D%2C%7B%22", "%2A", "%00"}) {
    INFO(v);
    const Response r = get(std::string("/api/audit?user=") + v, admin_token());
    if (std::string(v) == "%00") {
      CHECK(status(r) == 400);  // a NUL never reaches a handler
    } else {
      REQUIRE(status(r) == 200);
      CHECK(json::parse(r.body()).at("total") == 0);
    }
  }
}
