#include "print/atlas.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/error.hpp"

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

struct Task {
  std::string village;
  std::string map;  // "" = the village's PDF
};

}  // namespace

AtlasResult run_atlas(const SheetPrinter& printer, const query::ScopedReader& reader, const AtlasRequest& request,
                      const SheetStamp& stamp, const std::function<void(const AtlasProgress&)>& progress) {
  std::filesystem::create_directories(request.out);
  Manifest manifest(request.out);
  std::vector<Task> tasks;
  for (const auto& v : request.villages) {
    for (const auto& m : request.maps) tasks.push_back({v, m});
    tasks.push_back({v, ""});
  }
  const std::string common = request.options.key() + ";user=" + stamp.user + ";version=" MINQING_VERSION;
  const auto sheet_key = [&](const SheetPlan& p) { return p.data_version + ";" + common; };

  AtlasResult result;
  AtlasProgress state;
  state.total = tasks.size();
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
  const auto work = [&] {
    for (std::size_t i = next++; i < tasks.size(); i = next++) {
      {
        std::lock_guard lock(mutex);
        if (failure) return;
      }
      const Task& t = tasks[i];
      try {
        if (!t.map.empty()) {
          const SheetPlan plan = printer.plan(reader, t.village, t.map, request.options);
          const std::string file = t.village + "/" + t.village + "-" + t.map + ".pdf";
          const std::string key = sheet_key(plan);
          if (manifest.current(file, key, request.out)) {
            finish(file, true, 0, false);
            continue;
          }
          write_file(request.out / file, printer.pdf(reader, {plan}, stamp));
          manifest.record(file, key);
          finish(file, false, 1, false);
        } else {
          std::vector<SheetPlan> plans;
          std::string key;
          for (const auto& m : request.maps) {
            plans.push_back(printer.plan(reader, t.village, m, request.options));
            key += m + ":" + plans.back().data_version + ",";
          }
          key += common;
          const std::string file = t.village + ".pdf";
          if (manifest.current(file, key, request.out)) {
            finish(file, true, 0, true);
            continue;
          }
          write_file(request.out / file, printer.pdf(reader, plans, stamp));
          manifest.record(file, key);
          finish(file, false, plans.size(), true);
        }
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
