#include "server/request_handler.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>

#include "base/error.hpp"
#include "server/access_log.hpp"
#include "server/deferred_audit.hpp"
#include "server/http_error.hpp"
#include "server/json_error.hpp"
#include "server/response.hpp"
#include "server/target.hpp"
#include "server/would_block.hpp"

namespace minqing::server {

Response RequestHandler::dispatch(const Request& req, std::string_view peer, std::vector<DeferredAudit>* deferred,
                                  bool may_block, bool whole_answers) const {
  // This thread's target, reused: its segment vector keeps its room (a malloc a request, issue
  // 12). A thread runs one dispatch at a time, and nothing a handler calls dispatches again.
  thread_local Target target;
  parse_target_into(to_std(req.target()), target);
  // Matching has no side effects and is quick; it comes first so that a slow route leaves an io
  // thread before anything else happens: the caller is then resolved once, on the blocking pool
  // (the resolver may write a session's last-seen time; a login's failure count is the handler's),
  // and the handler never starts here. Safe by default: a route is slow unless registered quick.
  Router::Match m = m_router->match(req.method(), target.segments);
  if (m.handler && m.pace != Pace::quick && !may_block) throw WouldBlock{};
  // One time for the whole request: the session check, the handler and its audit entries agree.
  const auto now = m_clock ? m_clock() : std::chrono::system_clock::now();
  // The one place the caller is resolved: before the handler (and before a 404 or 405, as ever),
  // so that no handler can skip it.
  Caller caller;
  if (m_resolver) caller = m_resolver(req, peer, now);
  if (!m.handler) {
    if (!m.path_known) return json_error(http::status::not_found, "no resource at " + std::string(target.path));
    Response res =
        json_error(http::status::method_not_allowed,
                   std::string(req.method_string()) + " is not allowed on " + std::string(target.path));
    res.set(http::field::allow, Router::allow_header(m.allowed));
    return res;
  }
  const RequestContext ctx{req, target, m.params, std::move(caller.scope), peer, caller.token, now, deferred, may_block, whole_answers};
  return (*m.handler)(ctx);
}

Response RequestHandler::handle(const Request& req, std::string_view peer) const noexcept {
  return answer(req, peer, nullptr);
}

std::optional<Response> RequestHandler::handle(const Request& req, std::string_view peer, const Later& later, bool may_block,
                                               bool* would_block, bool whole_answers) const noexcept {
  return handle(req, peer, MakeLater([&later] { return later; }), may_block, would_block, whole_answers);
}

std::optional<Response> RequestHandler::handle(const Request& req, std::string_view peer, const MakeLater& make_later,
                                               bool may_block, bool* would_block, bool whole_answers) const noexcept {
  std::vector<DeferredAudit> audits;
  Response res = answer(req, peer, &audits, may_block, would_block, whole_answers);
  // Stopped before slow work: the entries collected so far are collected again by the next call.
  if (would_block != nullptr && *would_block) return std::nullopt;
  if (audits.empty()) return res;

  // The answer waits for every entry; the last one to be durable hands it on.
  struct Waiting {
    Response answer;
    Later later;
    unsigned version = 11;
    bool keep_alive = true, head = false;
    std::atomic<std::size_t> remaining{0};
    std::atomic<bool> failed{false};
  };
  auto waiting = std::make_shared<Waiting>();
  waiting->answer = std::move(res);
  waiting->later = make_later();
  waiting->version = req.version();
  waiting->keep_alive = req.keep_alive();
  waiting->head = req.method() == http::verb::head;
  waiting->remaining = audits.size();
  const auto one_done = [waiting](bool written) {
    if (!written) waiting->failed = true;
    if (waiting->remaining.fetch_sub(1) != 1) return;
    if (waiting->failed) {
      // Written as audit_confidential_read refuses when the log cannot be written at once.
      waiting->answer = json_error(http::status::internal_server_error,
                                   "the audit log cannot be written; confidential data is not served");
      finalize_response(waiting->answer, waiting->version, waiting->keep_alive, waiting->head);
    }
    waiting->later(std::move(waiting->answer));
  };
  for (auto& a : audits) {
    try {
      a.log->append_async(std::move(a.record), a.time,
                          [one_done](std::uint64_t seq, const std::string&) { one_done(seq != 0); });
    } catch (...) {  // not queued (out of memory): counts as not written
      one_done(false);
    }
  }
  return std::nullopt;
}

Response RequestHandler::answer(const Request& req, std::string_view peer, std::vector<DeferredAudit>* deferred,
                                bool may_block, bool* would_block, bool whole_answers) const noexcept {
  Response res;
  if (would_block != nullptr) *would_block = false;
  try {
    res = dispatch(req, peer, deferred, may_block, whole_answers);
  } catch (const WouldBlock&) {
    if (would_block != nullptr && !may_block) {
      *would_block = true;
      return res;
    }
    // Thrown where blocking was allowed (a handler's bug), or not reported (a caller's): answered
    // as any other internal error.
    std::fprintf(stderr, "minqing serve: internal error on %s \"%s\": %s\n", std::string(req.method_string()).c_str(),
                 loggable_target(to_std(req.target())).c_str(),
                 may_block ? "WouldBlock on a thread that may block" : "would block, and handle() has no flag to say so");
    res = json_error(http::status::internal_server_error, "internal error; the server log has the details");
  } catch (const RequestError& e) {
    res = json_error(http::status::bad_request, e.what());
  } catch (const HttpError& e) {
    res = json_error(e.status(), e.what());
    if (e.status() == http::status::unauthorized) {
      res.set(http::field::www_authenticate, "Bearer realm=\"minqing\", error=\"invalid_token\"");
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "minqing serve: internal error on %s \"%s\": %s\n",
                 std::string(req.method_string()).c_str(),
                 loggable_target(to_std(req.target())).c_str(), e.what());
    res = json_error(http::status::internal_server_error,
                     "internal error; the server log has the details");
  } catch (...) {
    std::fprintf(stderr, "minqing serve: internal error on %s \"%s\": unknown exception\n",
                 std::string(req.method_string()).c_str(),
                 loggable_target(to_std(req.target())).c_str());
    res = json_error(http::status::internal_server_error,
                     "internal error; the server log has the details");
  }
  finalize_response(res, req.version(), keeps_alive(req), req.method() == http::verb::head);
  return res;
}

}  // namespace minqing::server
