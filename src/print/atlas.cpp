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
  // One village at a time per thread: its sheets, then its PDF joined from theirs (pdf_merge.hpp),
  // so that no page is drawn twice.
  const auto village_task = [&](const std::string& code) {
    std::vector<std::string> sheets;  // the sheets' PDFs, when the village's must be made
    std::vector<std::filesystem::path> files;
    std::string village_key;
    std::vector<std::pair<SheetPlan, std::string>> plans;
    render::ReliefCache relief;  // the village's sheets share one extent: one shading for all
    for (const auto& m : request.maps) {
      SheetPlan plan = printer.plan(reader, code, m, request.options);
      village_key += m + ":" + plan.data_version + ",";
      plans.emplace_back(std::move(plan), m);
    }
    village_key += common;
    const std::string village_file = code + ".pdf";
    const bool village_current = manifest.current(village_file, village_key, request.out);
    for (auto& [plan, m] : plans) {
      const std::string file = code + "/" + code + "-" + m + ".pdf";
      const std::string key = plan.data_version + ";" + common;
      if (manifest.current(file, key, request.out)) {
        if (!village_current) sheets.push_back(read_file(request.out / file));
        finish(file, true, 0, false);
        continue;
      }
      std::string pdf = printer.pdf(reader, {plan}, stamp, &relief);
      write_file(request.out / file, pdf);
      manifest.record(file, key);
      if (!village_current) sheets.push_back(std::move(pdf));
      finish(file, false, 1, false);
    }
    if (village_current) {
      finish(village_file, true, 0, true);
      return;
    }
    const SheetPlan& first = plans.front().first;
    write_file(request.out / village_file, merge_pdfs(sheets, first.village_name + " 村级专题图集"));
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
