#pragma once
// Backups taken by a running server: one at a time on a thread of its own, started on request
// (POST /api/backups) or on a schedule (`serve --backup-every 24h`), each followed by rotation.
//
// Every start and every end is written to the audit log when one is given: "backup_started" (who
// asked; "" and address "scheduler" for the schedule), then "backup_finished" (id, bytes, files,
// removed by rotation) or "backup_failed" (id, error). The start is written before the copy
// begins, so a backup holds the record of its own start.
//
// Thread-safety: every member may be called from any thread. The destructor stops the schedule
// and waits for a backup under way to finish.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "backup/backup.hpp"
#include "base/error.hpp"

namespace minqing::access {
class AuditLog;
}

namespace minqing::backup {

struct BackupJobOptions {
  StoreFiles sources;
  std::filesystem::path out;       // where backups go (created 0700 at the first backup)
  std::size_t keep = 0;            // rotate to this many after each backup; 0: keep all
  std::chrono::seconds every{0};   // take one every this long (first after one period); 0: never
  access::AuditLog* audit = nullptr;  // borrowed; must outlive the BackupJobs
};

// A backup this process started that is still running or that failed (a finished one is on disk:
// list_backups).
struct BackupJob {
  std::string id;
  std::string status;  // running | failed
  std::string started;  // ISO 8601 UTC
  std::string requested_by;  // user name; "" for the schedule
  std::string error;   // why it failed
};

// start() while a backup is under way.
class BackupBusy : public Error {
 public:
  BackupBusy(const std::string& running_id)
      : Error("a backup is already under way: " + running_id), id(running_id) {}
  std::string id;
};

class BackupJobs {
 public:
  explicit BackupJobs(BackupJobOptions options);
  ~BackupJobs();
  BackupJobs(const BackupJobs&) = delete;
  BackupJobs& operator=(const BackupJobs&) = delete;

  // Claims an id and starts the backup in the background; returns the id at once.
  // @throws BackupBusy when one is under way; StoreError when the backup directory cannot be written.
  std::string start(const std::string& user, const std::string& address, std::chrono::system_clock::time_point now);

  // Backups started here that are running or failed, oldest first.
  std::vector<BackupJob> jobs() const;
  // The backup directory and its rotation.
  const std::filesystem::path& directory() const noexcept { return m_options.out; }
  std::size_t keep() const noexcept { return m_options.keep; }

  // Blocks until no backup is under way (tests; shutdown).
  void wait_idle();

 private:
  void run(std::string id, std::chrono::system_clock::time_point now);
  void schedule_loop();
  void audit(const std::string& user, const std::string& address, const char* action, const nlohmann::json& detail,
             std::chrono::system_clock::time_point now) noexcept;

  BackupJobOptions m_options;
  mutable std::mutex m_mutex;
  std::condition_variable m_changed;
  std::vector<BackupJob> m_jobs;   // running and failed
  std::optional<std::string> m_running;
  bool m_stopping = false;
  std::thread m_worker;
  std::thread m_scheduler;
};

}  // namespace minqing::backup
