// Module boundaries (issue 14, part 5): the source text keeps to the rules the CMake targets
// enforce, so that a breach is named by file and line even where the compiler would find the
// header anyway. Rules: GEOS only in src/geo/, GDAL/OGR/CPL only in src/store/ (never in
// src/render/), server/ never reaching into store/, and every module including only the modules
// below it (../shared/ARCHITECTURE.md).

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/test_env.hpp"

namespace {

// Files of src/server/ that still include a store/ header.
// Lead: empty this list once server/ no longer includes store/

// The modules each module's files may include (besides its own and the standard library).
const std::map<std::string, std::set<std::string>> kMayInclude = {
    {"base", {}},
    {"geo", {"base"}},
    {"model", {"base", "geo"}},
    {"store", {"base", "geo", "model"}},
    {"access", {"base", "geo", "model"}},
    {"style", {"base", "geo", "model"}},
    {"render", {"base", "geo", "model", "style", "store"}},
    {"query", {"base", "geo", "model", "store", "access"}},
    {"route", {"base", "geo", "model", "store", "access", "query"}},
    {"generate", {"base", "geo", "model", "store"}},
    // print/ reads features only through query's ScopedReader: never store/ (nor GDAL) itself.
    {"print", {"base", "geo", "model", "access", "style", "render", "query"}},
    // edit/: validated writes, versions, history; the one module besides store/ that writes.
    {"edit", {"base", "geo", "model", "store", "access", "query"}},
    // backup/ copies files and SQLite databases; store/ only for where a store keeps its DEMs.
    {"backup", {"base", "geo", "model", "store", "access"}},
    {"server", {"base", "geo", "model", "store", "access", "style", "render", "query", "route", "print", "edit", "backup"}},
    {"cli", {"base", "geo", "model", "store", "access", "style", "render", "query", "route", "print", "generate", "server",
             "edit", "backup"}},
};

struct SourceFile {
  std::string path;  // relative to the repository root, e.g. "src/query/feature_query.cpp"
  std::string text;
};

struct Finding {
  std::string where;  // "src/query/x.cpp:12"
  std::string what;
};

std::string module_of(const std::string& path) {
  // "src/<module>/..."
  const auto slash = path.find('/', 4);
  return path.rfind("src/", 0) == 0 && slash != std::string::npos ? path.substr(4, slash - 4) : "";
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

bool is_gdal_header(const std::string& h) {
  return starts_with(h, "gdal") || starts_with(h, "ogr") || starts_with(h, "cpl_");
}

// Every breach in `files`.
std::vector<Finding> check(const std::vector<SourceFile>& files) {
  std::vector<Finding> breaches;
  for (const auto& f : files) {
    const std::string module = module_of(f.path);
    std::istringstream in(f.text);
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      const auto hash = line.find_first_not_of(" \t");
      if (hash == std::string::npos || line[hash] != '#') continue;
      const auto inc = line.find("include", hash);
      if (inc == std::string::npos || line.find_first_not_of(" \t", hash + 1) != inc) continue;
      const auto open = line.find_first_of("<\"", inc);
      if (open == std::string::npos) continue;
      const auto close = line.find(line[open] == '<' ? '>' : '"', open + 1);
      if (close == std::string::npos) continue;
      const std::string header = line.substr(open + 1, close - open - 1);
      const std::string where = f.path + ":" + std::to_string(number);
      auto breach = [&](const std::string& what) { breaches.push_back({where, what + " (#include " + header + ")"}); };

      if (module != "geo" && (header == "geos_c.h" || header == "geos.h" || header == "geo/geos.hpp")) {
        breach("GEOS is used only in src/geo/: use geo/prepared_geometry.hpp, geo/geometry_ops.hpp, ...");
      }
      if (is_gdal_header(header)) {
        if (module == "render") breach("src/render/ may not use GDAL: read rasters through store/raster_file.hpp");
        else if (module != "store") breach("GDAL/OGR/CPL are used only in src/store/");
      }
      const auto slash = header.find('/');
      if (slash == std::string::npos || line[open] != '"') continue;
      const std::string target = header.substr(0, slash);
      if (target == module || !kMayInclude.count(target)) continue;
      if (module == "server" && target == "store") {
        breach("src/server/ never touches store/: go through query/'s scoped reader");
        continue;
      }
      const auto allowed = kMayInclude.find(module);
      if (allowed != kMayInclude.end() && !allowed->second.count(target)) {
        breach("src/" + module + "/ may not depend on " + target + "/ (dependencies point one way)");
      }
    }
  }
  return breaches;
}

std::vector<SourceFile> read_tree(const std::filesystem::path& root) {
  std::vector<SourceFile> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root / "src")) {
    const auto ext = e.path().extension();
    if (!e.is_regular_file() || (ext != ".cpp" && ext != ".hpp" && ext != ".h")) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    out.push_back({std::filesystem::relative(e.path(), root).generic_string(), text.str()});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return out;
}

std::string describe(const std::vector<Finding>& findings) {
  std::string out;
  for (const auto& f : findings) out += f.where + ": " + f.what + "\n";
  return out;
}

}  // namespace

TEST_CASE("module boundaries: the checker names each breach by file and line", "[build]") {
  const std::vector<SourceFile> files = {
      {"src/query/x.cpp", "#include \"query/x.hpp\"\n\n#include <geos_c.h>\n"},
      {"src/render/y.cpp", "#include <vector>\n  #  include <gdal.h>\n"},
      {"src/generate/z.cpp", "#include <cpl_conv.h>\n#include \"geo/geos.hpp\"\n"},
      {"src/server/new_endpoint.cpp", "#include \"store/feature_store.hpp\"\n"},
      {"src/server/app.hpp", "#include \"store/feature_store.hpp\"\n"},
      {"src/store/s.cpp", "#include <gdal_priv.h>\n#include \"query/feature_query.hpp\"\n"},
      {"src/geo/g.cpp", "#include <geos_c.h>\n// #include <gdal.h> is only a comment\n"},
  };
  const auto breaches = check(files);
  std::vector<std::string> where;
  for (const auto& b : breaches) where.push_back(b.where);
  CHECK(where == std::vector<std::string>{"src/query/x.cpp:3", "src/render/y.cpp:2", "src/generate/z.cpp:1",
                                          "src/generate/z.cpp:2", "src/server/new_endpoint.cpp:1",
                                          "src/server/app.hpp:1", "src/store/s.cpp:2"});
}

TEST_CASE("module boundaries: src/ keeps GEOS in geo/, GDAL in store/, and dependencies one way", "[build]") {
  const auto files = read_tree(minqing::test::source_dir());
  REQUIRE(files.size() > 100);
  const auto breaches = check(files);
  INFO(describe(breaches));
  CHECK(breaches.empty());
}
