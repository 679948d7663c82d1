// `minqing backup --store FILE --out DIR [--keep N]` — a consistent copy of a store, its auth
// database, its audit log and its DEMs (backup/backup.hpp), taken while a server may keep serving
// and writing it, into a new directory <DIR>/<time> with a manifest of sizes and SHA-256 sums;
// --keep N then removes the oldest backups of DIR beyond N (never the new one, never anything
// that is not a backup). Prints the new directory and what it holds.

#include <cstdio>
#include <string>

#include <boost/program_options.hpp>

#include "backup/backup.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"

namespace minqing::cli {

namespace po = boost::program_options;

int run_backup(const Args& args) {
  std::string store;
  std::string out;
  std::string auth;
  std::string audit;
  std::size_t keep = 0;
  po::options_description desc("minqing backup --store FILE --out DIR [--keep N]");
  // clang-format off
  desc.add_options()
      ("help,h", "show this help")
      ("store", po::value(&store)->value_name("FILE")->required(), "the feature store (GeoPackage) to back up")
      ("out", po::value(&out)->value_name("DIR")->required(),
       "where backups go: each in a new directory DIR/<UTC time> (DIR is created with mode 0700)")
      ("keep", po::value(&keep)->value_name("N")->default_value(keep),
       "afterwards keep only the newest N backups in DIR (0: keep all)")
      ("auth", po::value(&auth)->value_name("FILE"), "the auth database (default: <store>.auth.sqlite)")
      ("audit", po::value(&audit)->value_name("FILE"), "the audit log (default: beside the auth database, .audit.jsonl)");
  // clang-format on
  po::variables_map vm;
  if (const auto code = parse_options("backup", desc, args, vm)) return *code;

  const backup::StoreFiles sources = backup::StoreFiles::for_store(store, auth, audit);
  const backup::Manifest m = backup::make_backup(sources, out);
  const auto removed = backup::rotate_backups(out, keep, m.id);
  std::int64_t features = 0;
  for (const auto& [_, n] : m.feature_counts) features += n;
  std::printf("%s\n", (std::filesystem::path(out) / m.id).string().c_str());
  std::fprintf(stderr, "backup %s: %zu files, %llu bytes, %lld features in %zu classes%s%s, %lld ms\n", m.id.c_str(),
               m.files.size(), static_cast<unsigned long long>(m.total_bytes()), static_cast<long long>(features),
               m.feature_counts.size(), m.auth_integrity.empty() ? ", no auth database" : "",
               m.has_audit ? "" : ", no audit log", static_cast<long long>(m.duration_ms));
  if (m.has_audit && m.audit_chain != "ok") {
    std::fprintf(stderr, "warning: the audit log's chain is broken (copied as it is): %s\n", m.audit_chain.c_str());
  }
  for (const auto& id : removed) std::fprintf(stderr, "removed the old backup %s (--keep %zu)\n", id.c_str(), keep);
  return 0;
}

}  // namespace minqing::cli
