#pragma once
// Reads a GeoPackage with SQLite itself (not through GDAL), as a county's own tools would: one
// text value of a statement, e.g. "PRAGMA integrity_check" or "PRAGMA journal_mode".

#include <filesystem>
#include <stdexcept>
#include <string>

#include <sqlite3.h>

namespace minqing::test {

// The first column of the first row of `sql` on the database at `path` (opened read-write only so that SQLite may recover a WAL left by a crash; the statement should read), "" when none.
// @throws std::runtime_error when the file cannot be opened or the statement fails.
inline std::string sqlite_text(const std::filesystem::path& path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    const std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw std::runtime_error(path.string() + ": " + why);
  }
  sqlite3_stmt* stmt = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    const std::string why = sqlite3_errmsg(db);
    sqlite3_close(db);
    throw std::runtime_error(sql + ": " + why);
  }
  if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0)) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

}  // namespace minqing::test
