// `minqing audit verify|show` — checks the audit log's hash chain (access/audit_log.hpp) through
// all its rotated files, or prints a page of it. verify prints OK and the last hash (worth writing
// down elsewhere: only it reveals lines cut off the end), or the file and first bad line and why,
// and then exits 1.

#include <cstdio>
#include <iostream>
#include <string>

#include <boost/program_options.hpp>

#include "access/audit_log.hpp"
#include "access/locations.hpp"
#include "cli/commands.hpp"

namespace minqing::cli {

namespace po = boost::program_options;

int run_audit(const Args& args) {
  std::string action;
  std::string store = std::string(MINQING_SOURCE_DIR) + "/data-samples/songyang-sample.gpkg";
  std::string auth;
  std::string audit;
  std::uint64_t offset = 0;
  std::size_t limit = 50;

  po::options_description desc("options");
  // clang-format off
  desc.add_options()
      ("help,h", "show this help")
      ("store", po::value(&store)->value_name("FILE")->default_value(store), "the map store the log belongs to")
      ("auth", po::value(&auth)->value_name("FILE"), "the auth database (default: <store>.auth.sqlite)")
      ("audit", po::value(&audit)->value_name("FILE"), "the audit log (default: beside the auth database, .audit.jsonl)")
      ("offset", po::value(&offset)->value_name("N")->default_value(offset), "show: first entry (0-based)")
      ("limit", po::value(&limit)->value_name("N")->default_value(limit), "show: entries to print");
  // clang-format on
  po::options_description hidden;
  hidden.add_options()("action", po::value(&action));
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description pos;
  pos.add("action", 1);
  po::variables_map vm;
  const char* usage =
      "usage: minqing audit verify [--audit FILE]\n       minqing audit show [--offset N] [--limit "
      "N] [--audit FILE]\n";
  try {
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::fprintf(stderr, "minqing audit: %s\n\n%s", e.what(), usage);
    return 2;
  }
  if (vm.count("help")) {
    std::cout << "Check or read the audit log.\n\n" << usage << "\n" << desc;
    return 0;
  }
  if (auth.empty()) auth = access::default_auth_path(store).string();
  if (audit.empty()) audit = access::default_audit_path(auth).string();

  if (action == "verify") {
    const auto r = access::AuditLog::verify(audit);
    if (r.ok) {
      std::printf("OK: %s: %llu entries in %llu files, last hash %s\n", audit.c_str(),
                  static_cast<unsigned long long>(r.entries),
                  static_cast<unsigned long long>(r.files), r.last_hash.c_str());
      return 0;
    }
    std::printf("BAD: %s: line %llu: %s (%llu good entries before it)\n", r.file.c_str(),
                static_cast<unsigned long long>(r.first_bad_line), r.reason.c_str(),
                static_cast<unsigned long long>(r.entries));
    return 1;
  }
  if (action == "show") {
    const access::AuditLog log(audit);
    const auto page = log.page(offset, limit);
    for (const auto& e : page.entries)
      std::printf("%s\n", e.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    std::fprintf(stderr, "%zu of %llu entries from %llu\n", page.entries.size(),
                 static_cast<unsigned long long>(page.total),
                 static_cast<unsigned long long>(offset));
    return 0;
  }
  std::fprintf(stderr, "minqing audit: %s\n%s",
               action.empty() ? "expected an action" : "unknown action", usage);
  return 2;
}

}  // namespace minqing::cli
