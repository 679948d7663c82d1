#include "backup/sqlite_snapshot.hpp"

#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include "backup/file_ops.hpp"
#include "base/error.hpp"

namespace minqing::backup {

namespace {

// Owns a connection.
class Connection {
 public:
  Connection(const std::filesystem::path& path, int flags) {
    if (sqlite3_open_v2(path.c_str(), &m_db, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
      const std::string why = m_db ? sqlite3_errmsg(m_db) : "out of memory";
      sqlite3_close(m_db);
      m_db = nullptr;
      throw StoreError("cannot open " + path.string() + ": " + why);
    }
  }
  ~Connection() { sqlite3_close(m_db); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  sqlite3* get() const noexcept { return m_db; }
  std::string error() const { return sqlite3_errmsg(m_db); }

 private:
  sqlite3* m_db = nullptr;
};

// Owns a prepared statement.
class Statement {
 public:
  Statement(const Connection& db, const std::string& sql, const std::filesystem::path& where) {
    if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &m_stmt, nullptr) != SQLITE_OK) {
      throw StoreError(where.string() + ": " + db.error());
    }
  }
  ~Statement() { sqlite3_finalize(m_stmt); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt* get() const noexcept { return m_stmt; }

 private:
  sqlite3_stmt* m_stmt = nullptr;
};

// The first row's first column of `sql` as text ("" when there is no row).
std::string scalar_text(const Connection& db, const std::string& sql, const std::filesystem::path& where) {
  const Statement st(db, sql, where);
  const int rc = sqlite3_step(st.get());
  if (rc == SQLITE_ROW) {
    const auto* t = sqlite3_column_text(st.get(), 0);
    return t ? reinterpret_cast<const char*>(t) : "";
  }
  if (rc != SQLITE_DONE) throw StoreError(where.string() + ": " + db.error());
  return {};
}

std::string quoted_identifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

void snapshot_database(const std::filesystem::path& source, const std::filesystem::path& dest,
                       std::chrono::milliseconds busy) {
  {
    // Created here, mode 0600, before SQLite opens it (SQLite would make it 0644).
    const int fd = ::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw StoreError("cannot create the snapshot " + dest.string() + ": " + std::strerror(errno));
    ::close(fd);
  }
  {
    const Connection from(source, SQLITE_OPEN_READONLY);
    sqlite3_busy_timeout(from.get(), static_cast<int>(busy.count()));
    const Connection to(dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    sqlite3_backup* b = sqlite3_backup_init(to.get(), "main", from.get(), "main");
    if (!b) throw StoreError("cannot snapshot " + source.string() + " to " + dest.string() + ": " + to.error());
    // One step copies every page under one read lock: the copy is one commit's database. The
    // source's busy handler is not consulted by backup_step, so a lock held by a writer
    // (rollback-journal mode) is waited for here.
    const auto deadline = std::chrono::steady_clock::now() + busy;
    int rc = SQLITE_OK;
    for (;;) {
      rc = sqlite3_backup_step(b, -1);
      if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      break;
    }
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
      throw StoreError("cannot snapshot " + source.string() + ": " + sqlite3_errstr(rc));
    }
    // The copy stands alone: rollback-journal mode, no -wal file to go with it.
    scalar_text(to, "PRAGMA journal_mode = DELETE", dest);
  }
  if (const std::string check = integrity_check(dest); check != "ok") {
    throw StoreError("the snapshot of " + source.string() + " fails its integrity check: " + check);
  }
  sync_path(dest);
}

std::string integrity_check(const std::filesystem::path& db) {
  try {
    if (!std::filesystem::is_regular_file(db)) return "no such file";
    const Connection c(db, SQLITE_OPEN_READONLY);
    const Statement st(c, "PRAGMA integrity_check", db);
    std::string first;
    const int rc = sqlite3_step(st.get());
    if (rc == SQLITE_ROW) {
      const auto* t = sqlite3_column_text(st.get(), 0);
      first = t ? reinterpret_cast<const char*>(t) : "";
    } else {
      return c.error();
    }
    return first;
  } catch (const std::exception& e) {
    return e.what();
  }
}

std::map<std::string, std::int64_t> feature_counts(const std::filesystem::path& gpkg) {
  const Connection c(gpkg, SQLITE_OPEN_READONLY);
  std::map<std::string, std::int64_t> out;
  std::vector<std::string> tables;
  {
    const Statement st(c, "SELECT table_name FROM gpkg_contents WHERE data_type = 'features' ORDER BY table_name",
                       gpkg);
    int rc;
    while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
      if (const auto* t = sqlite3_column_text(st.get(), 0)) tables.emplace_back(reinterpret_cast<const char*>(t));
    }
    if (rc != SQLITE_DONE) throw StoreError(gpkg.string() + ": " + c.error());
  }
  for (const auto& t : tables) {
    out[t] = std::stoll(scalar_text(c, "SELECT COUNT(*) FROM " + quoted_identifier(t), gpkg));
  }
  return out;
}

}  // namespace minqing::backup
