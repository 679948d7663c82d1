#pragma once
// Audit entries an answer waits for. A read of a confidential map (key_persons) is served only
// once its audit entry is durable. Inside `minqing serve` the entry is not appended by the handler
// — which would hold a server thread through an fdatasync, so that the threads, not the disk,
// bounded how many reads one sync covered — but collected here; the request handler queues it
// (access::AuditLog::append_async) and hands the answer to the connection once the log says it is
// durable, or a 500 in its place when it could not be written (server/request_handler.hpp).

#include <chrono>
#include <vector>

#include "access/audit_log.hpp"

namespace minqing::server {

struct DeferredAudit {
  access::AuditLog* log;
  access::AuditRecord record;
  std::chrono::system_clock::time_point time;
};

using DeferredAudits = std::vector<DeferredAudit>;

}  // namespace minqing::server
