#include "print/atlas.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "print/pdf_merge.hpp"
#include "print/pdf_split.hpp"

namespace minqing::print {

namespace {

constexpr const char* kManifest = "atlas-manifest.json";

// The manifest: file (relative path) → key. Loaded once, saved after every file.
class Manifest {
 public:
  explicit Manifest(std::filesystem::path dir) : m_path(dir / kManifest) {
    std::ifstream in(m_path);
    if (!in) return;
    try {
      const auto j = nlohmann::json::parse(in);
      for (const auto& [file, key] : j.at("files").items()) m_keys[file] = key.get<std::string>();
    } catch (const std::exception&) {
      m_keys.clear();  // an unreadable manifest: everything is made again
    }
  }

  bool current(const std::string& file, const std::string& key, const std::filesystem::path& dir) const {
    std::lock_guard lock(m_mutex);
    const auto it = m_keys.find(file);
    return it != m_keys.end() && it->second == key && std::filesystem::exists(dir / file);
  }

  void record(const std::string& file, const std::string& key) {
    std::lock_guard lock(m_mutex);
    m_keys[file] = key;
    nlohmann::json j = {{"files", m_keys}};
    const auto tmp = m_path.string() + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << j.dump(1) << "\n";
      if (!out.flush()) throw Error(tmp + ": cannot write");
    }
    std::filesystem::rename(tmp, m_path);
  }

 private:
  std::filesystem::path m_path;
  mutable std::mutex m_mutex;
  std::map<std::string, std::string> m_keys;
};

void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::create_directories(path.parent_path());
  const auto tmp = path.string() + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f.write(bytes.data(), static_cast<std::streamsize>(bytes.size())) || !f.flush()) {
      throw Error(tmp + ": cannot write");
    }
  }
  std::filesystem::rename(tmp, path);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (!f.good() && !f.eof()) throw Error(path.string() + ": cannot read");
  return bytes;
}

}  // namespace

AtlasResult run_atlas(const SheetPrinter& printer, const query::ScopedReader& reader, const AtlasRequest& request,
                      const SheetStamp& stamp, const std::function<void(const AtlasProgress&)>& progress) {
  std::filesystem::create_directories(request.out);
  Manifest manifest(request.out);
  const std::string common = request.options.key() + ";user=" + stamp.user + ";version=" MINQING_VERSION;

  AtlasResult result;
  AtlasProgress state;
  state.total = request.villages.size() * (request.maps.size() + 1);
  std::mutex mutex;
  std::exception_ptr failure;
  std::atomic<std::size_t> next{0};
  const auto finish = [&](const std::string& file, bool skipped, std::size_t pages, bool village) {
    std::lock_guard lock(mutex);
    ++state.done;
    if (skipped) ++state.skipped;
    state.last = file;
    (village ? (skipped ? result.villages_skipped : result.villages_written)
             : (skipped ? result.sheets_skipped : result.sheets_written))++;
    result.pages += pages;
    if (progress) progress(state);
  };
  // One village at a time per thread. The sheets to make are drawn as the pages of one PDF, so
  // that what they share — font subsets, the shaded relief — is written once (pdf_split.hpp), and
  // their files are cut from it. When every sheet is drawn, that PDF is the village's; otherwise
  // the village's is joined from the sheets' files (pdf_merge.hpp). No page is drawn twice.
  const auto village_task = [&](const std::string& code) {
    std::string village_key;
    struct Sheet {
      SheetPlan plan;
      std::string file, key;
      bool current = false;
    };
    std::vector<Sheet> sheets;
    for (const auto& m : request.maps) {
      Sheet s{printer.plan(reader, code, m, request.options), code + "/" + code + "-" + m + ".pdf", {}, false};
      village_key += m + ":" + s.plan.data_version + ",";
      s.key = s.plan.data_version + ";" + common;
      s.current = manifest.current(s.file, s.key, request.out);
      sheets.push_back(std::move(s));
    }
    village_key += common;
    const std::string village_file = code + ".pdf";
    const bool village_current = manifest.current(village_file, village_key, request.out);
    std::vector<SheetPlan> to_draw;
    std::vector<pdf::Info> infos;
    for (const Sheet& s : sheets) {
      if (s.current) continue;
      to_draw.push_back(s.plan);
      infos.push_back({s.plan.title(), stamp.user, s.plan.map->name + ":" + s.plan.data_version});
    }
    std::string drawn;  // the drawn sheets, a page each
    std::vector<std::string> cut;
    if (!to_draw.empty()) {
      drawn = printer.pdf(reader, to_draw, stamp);
      cut = split_pdf(drawn, infos);
    }
    std::vector<std::string> pages;  // every sheet's PDF, when the village's must be joined
    const bool join = !village_current && to_draw.size() < sheets.size();
    for (std::size_t i = 0, k = 0; i < sheets.size(); ++i) {
      const Sheet& s = sheets[i];
      if (s.current) {
        if (join) pages.push_back(read_file(request.out / s.file));
        finish(s.file, true, 0, false);
        continue;
      }
      write_file(request.out / s.file, cut[k]);
      manifest.record(s.file, s.key);
      if (join) pages.push_back(std::move(cut[k]));
      ++k;
      finish(s.file, false, 1, false);
    }
    if (village_current) {
      finish(village_file, true, 0, true);
      return;
    }
    write_file(request.out / village_file,
               join ? merge_pdfs(pages, sheets.front().plan.village_name + " 村级专题图集") : drawn);
    manifest.record(village_file, village_key);
    finish(village_file, false, 0, true);
  };
  const auto work = [&] {
    for (std::size_t i = next++; i < request.villages.size(); i = next++) {
      {
        std::lock_guard lock(mutex);
        if (failure) return;
      }
      try {
        village_task(request.villages[i]);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!failure) failure = std::current_exception();
        return;
      }
    }
  };
  const int jobs = std::max(1, request.jobs);
  std::vector<std::thread> threads;
  for (int j = 1; j < jobs; ++j) threads.emplace_back(work);
  work();
  for (auto& th : threads) th.join();
  if (failure) std::rethrow_exception(failure);
  return result;
}

}  // namespace minqing::print
