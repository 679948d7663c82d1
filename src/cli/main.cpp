// `minqing` — the command-line entry point: dispatches to one subcommand.

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "cli/commands.hpp"

namespace {

struct Command {
  const char* name;
  int (*run)(const minqing::cli::Args&);
  const char* summary;
};

constexpr Command kCommands[] = {
    {"serve", minqing::cli::run_serve, "serve the map store over HTTP"},
    {"import", minqing::cli::run_import, "import features from GeoPackage, Shapefile, GeoJSON, KML… into a store"},
    {"export", minqing::cli::run_export, "export a village's, a township's or the county's maps as GPKG, SHP, GeoJSON, KML or CSV"},
    {"generate", minqing::cli::run_generate, "generate realistic sample villages into a new store"},
    {"render", minqing::cli::run_render, "draw an overview image (PNG) of one village"},
    {"seed", minqing::cli::run_seed, "warm a running server's tile cache over a village or the county"},
    {"user", minqing::cli::run_user, "add, change, disable or list the accounts that may sign in"},
    {"audit", minqing::cli::run_audit, "verify or read the audit log (key-persons access, logins, account changes)"},
    {"atlas", minqing::cli::run_atlas, "print the village atlas: a PDF per sheet and per village, resumable"},
    {"route", minqing::cli::run_route, "the quickest route from a point to a point or a shelter, avoiding hazard zones (GeoJSON)"},
    {"backup", minqing::cli::run_backup, "a consistent copy of a store, its accounts, audit log and DEMs while it is served (备用)"},
    {"restore", minqing::cli::run_restore, "verify a backup's checksums, then put it in place of a store (the server stopped)"},
    {"plan", minqing::cli::run_plan, "evacuation plans: every household of a village (or all) to a shelter with room, least walking time"},
};

void usage(std::FILE* out) {
  std::fprintf(out, "Minqing Map %s — village maps for county governance\n\nusage: minqing <command> [options]\n\ncommands:\n",
               MINQING_VERSION);
  for (const auto& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
  std::fprintf(out, "\n`minqing <command> --help` describes a command's options.\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const std::string_view name = argv[1];
  for (const auto& c : kCommands) {
    if (name != c.name) continue;
    minqing::cli::Args args(argv + 2, argv + argc);
    try {
      return c.run(args);
    } catch (const minqing::Error& e) {
      std::fprintf(stderr, "minqing %s: error: %s\n", c.name, e.what());
      return 1;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "minqing %s: unexpected error: %s\n", c.name, e.what());
      return 1;
    }
  }
  std::fprintf(stderr, "minqing: unknown command \"%s\"\n\n", argv[1]);
  usage(stderr);
  return 2;
}
