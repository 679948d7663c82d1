#include "backup/backup_jobs.hpp"

#include <algorithm>
#include <exception>
#include <utility>

#include <nlohmann/json.hpp>

#include "access/audit_log.hpp"

namespace minqing::backup {

namespace {
constexpr std::size_t kFailuresKept = 20;
}

BackupJobs::BackupJobs(BackupJobOptions options) : m_options(std::move(options)) {
  if (m_options.every.count() > 0) m_scheduler = std::thread([this] { schedule_loop(); });
}

BackupJobs::~BackupJobs() {
  {
    const std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_changed.notify_all();
  if (m_scheduler.joinable()) m_scheduler.join();
  std::thread worker;
  {
    const std::lock_guard lock(m_mutex);  // start() refuses from now on
    worker = std::move(m_worker);
  }
  if (worker.joinable()) worker.join();
}

void BackupJobs::audit(const std::string& user, const std::string& address, const char* action,
                       const nlohmann::json& detail, std::chrono::system_clock::time_point now) noexcept {
  if (!m_options.audit) return;
  try {
    m_options.audit->append({user, address, action, detail}, now);
  } catch (const std::exception&) {
    // The backup matters more than its audit line; the failure shows in the log's own verify.
  }
}

std::string BackupJobs::start(const std::string& user, const std::string& address,
                              std::chrono::system_clock::time_point now) {
  std::unique_lock lock(m_mutex);
  if (m_running) throw BackupBusy(*m_running);
  if (m_stopping) throw StoreError("the server is stopping; no backup started");
  if (m_worker.joinable()) m_worker.join();  // the last one has finished (m_running is empty)
  const std::string id = reserve_backup(m_options.out, now);
  m_running = id;
  m_jobs.push_back({id, "running", access::iso8601_utc(now), user, ""});
  audit(user, address, "backup_started", {{"id", id}, {"directory", m_options.out.string()}}, now);
  m_worker = std::thread([this, id, now] { run(id, now); });
  return id;
}

void BackupJobs::run(std::string id, std::chrono::system_clock::time_point now) {
  nlohmann::json detail = {{"id", id}};
  std::string error;
  try {
    const Manifest m = create_backup(m_options.sources, m_options.out, id, now);
    detail["bytes"] = m.total_bytes();
    detail["files"] = m.files.size();
    detail["removed"] = rotate_backups(m_options.out, m_options.keep, id);
  } catch (const std::exception& e) {
    error = e.what();
    detail["error"] = error;
  }
  audit("", "backup", error.empty() ? "backup_finished" : "backup_failed", detail, std::chrono::system_clock::now());
  {
    const std::lock_guard lock(m_mutex);
    m_running.reset();
    auto it = std::find_if(m_jobs.begin(), m_jobs.end(), [&](const BackupJob& j) { return j.id == id; });
    if (it != m_jobs.end()) {
      if (error.empty()) {
        m_jobs.erase(it);  // on disk now, with its manifest
      } else {
        it->status = "failed";
        it->error = error;
      }
    }
    while (m_jobs.size() > kFailuresKept) m_jobs.erase(m_jobs.begin());
  }
  m_changed.notify_all();
}

std::vector<BackupJob> BackupJobs::jobs() const {
  const std::lock_guard lock(m_mutex);
  return m_jobs;
}

void BackupJobs::wait_idle() {
  std::unique_lock lock(m_mutex);
  m_changed.wait(lock, [this] { return !m_running.has_value(); });
}

void BackupJobs::schedule_loop() {
  std::unique_lock lock(m_mutex);
  auto next = std::chrono::steady_clock::now() + m_options.every;
  for (;;) {
    if (m_changed.wait_until(lock, next, [this] { return m_stopping; })) return;
    next += m_options.every;
    if (m_running) continue;  // one under way (asked for by hand): this period is covered
    lock.unlock();
    try {
      start("", "scheduler", std::chrono::system_clock::now());
    } catch (const std::exception& e) {
      audit("", "scheduler", "backup_failed", {{"error", e.what()}}, std::chrono::system_clock::now());
    }
    lock.lock();
  }
}

}  // namespace minqing::backup
