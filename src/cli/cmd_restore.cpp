// `minqing restore --backup DIR --store FILE [--force]` — verifies a backup (every file's size and
// SHA-256 against its manifest, PRAGMA integrity_check) and only then puts it in place of the
// store's files, moving the current ones aside (backup/restore.hpp). Refuses — exit 1, changing
// nothing — a corrupted or incomplete backup, naming the file, and a store a running server holds;
// an existing store is replaced only with --force.

#include <cstdio>
#include <string>

#include <boost/program_options.hpp>

#include "backup/restore.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"

namespace minqing::cli {

namespace po = boost::program_options;

int run_restore(const Args& args) {
  std::string from;
  std::string store;
  std::string auth;
  std::string audit;
  po::options_description desc("minqing restore --backup DIR --store FILE [--force]");
  // clang-format off
  desc.add_options()
      ("help,h", "show this help")
      ("backup", po::value(&from)->value_name("DIR")->required(), "the backup directory (made by minqing backup or POST /api/backups)")
      ("store", po::value(&store)->value_name("FILE")->required(), "the store to restore (its server must be stopped)")
      ("force", "replace the store when it exists (its files are moved to <store>.before-restore-<time>/, not deleted)")
      ("verify-only", "check the backup and change nothing")
      ("auth", po::value(&auth)->value_name("FILE"), "the auth database to restore (default: <store>.auth.sqlite)")
      ("audit", po::value(&audit)->value_name("FILE"), "the audit log to restore (default: beside the auth database, .audit.jsonl)");
  // clang-format on
  po::variables_map vm;
  if (const auto code = parse_options("restore", desc, args, vm)) return *code;

  try {
    if (vm.count("verify-only")) {
      const backup::Manifest m = backup::verify_backup(from);
      std::printf("OK: backup %s of %s: %zu files, %llu bytes, every checksum and integrity check passes\n",
                  m.id.c_str(), m.created.c_str(), m.files.size(), static_cast<unsigned long long>(m.total_bytes()));
      return 0;
    }
    backup::RestoreOptions options;
    options.force = vm.count("force") > 0;
    options.actor = "cli:" + os_user();
    const auto r = backup::restore_backup(from, backup::StoreFiles::for_store(store, auth, audit), options);
    std::string parts;
    for (const auto& p : r.replaced) parts += (parts.empty() ? "" : ", ") + p;
    std::printf("restored backup %s (%s) into %s: %s\n", r.manifest.id.c_str(), r.manifest.created.c_str(),
                store.c_str(), parts.c_str());
    if (!r.moved_aside.empty()) std::printf("the files it replaced are in %s\n", r.moved_aside.c_str());
    if (!r.warning.empty()) std::fprintf(stderr, "warning: %s\n", r.warning.c_str());
    return 0;
  } catch (const backup::RestoreRefused& e) {
    std::fprintf(stderr, "minqing restore: %s\n", e.what());
    return 1;
  }
}

}  // namespace minqing::cli
