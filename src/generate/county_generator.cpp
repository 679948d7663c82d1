#include "generate/county_generator.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "base/error.hpp"
#include "generate/county_layout.hpp"
#include "generate/random.hpp"
#include "generate/terrain.hpp"
#include "generate/village_generator.hpp"
#include "geo/projection.hpp"
#include "store/feature_store.hpp"
#include "store/gdal_init.hpp"

namespace minqing::generate {

namespace {

// Songyang County, where the grid of villages is centred.
constexpr double kSongyangLon = 119.48;
constexpr double kSongyangLat = 28.45;

// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
std::string iso_date(long long days) {
  days += 719468;
  const long long era = (days >= 0 ? days : days - 146096) / 146097;
  const long long doe = days - era * 146097;
  const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long long mp = (5 * doy + 2) / 153;
  const long long d = doy - (153 * mp + 2) / 5 + 1;
  const long long m = mp < 10 ? mp + 3 : mp - 9;
  const long long y = yoe + era * 400 + (m <= 2);
  char buf[64];  // room for any long long, so no -Wformat-truncation at -O0
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", y, m, d);
  return buf;
}

}  // namespace

GenerateReport generate_county(const GenerateOptions& options, const model::LayerCatalog& catalog) {
  const auto started = std::chrono::steady_clock::now();
  if (options.villages < 1 || options.villages > 2000) {
    throw RequestError("generate: --villages must be between 1 and 2000, not " + std::to_string(options.villages));
  }
  if (options.out.empty()) throw RequestError("generate: no output store given (--out)");

  const geo::Coord origin = geo::Transform("EPSG:4326", geo::epsg(store::kDefaultStoreEpsg)).apply(geo::Coord{kSongyangLon, kSongyangLat});
  const CountyLayout layout(options.villages, options.seed, origin);
  const Terrain terrain(layout);
  // 2024-01-01 is day 19723.
  const std::string updated_at = iso_date(19723 + static_cast<long long>(hash_of({options.seed, 0x44415445ULL}) % 366));

  std::vector<model::FeatureValidator> validators;
  for (const auto& c : catalog.classes()) validators.emplace_back(c);

  store::pin_gdal_output_dates();
  std::optional<store::FeatureStore> opened = store::FeatureStore::create(options.out, catalog, store::kDefaultStoreEpsg);
  store::FeatureStore& store = *opened;
  const std::filesystem::path relief = store.relief_directory();
  std::filesystem::remove_all(relief);
  std::filesystem::create_directories(relief);

  const auto& villages = layout.villages();
  const std::size_t n = villages.size();
  std::vector<std::optional<FeatureSink>> results(n);
  std::mutex mutex;
  std::condition_variable ready;
  std::exception_ptr failure;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};

  const auto worker = [&] {
    geo::GeosContext ctx;
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= n || stop) return;
      VillageJob job;
      job.spec = &villages[i];
      job.layout = &layout;
      job.terrain = &terrain;
      job.catalog = &catalog;
      job.validators = &validators;
      job.dem_path = store::relief_path(relief, villages[i].code);
      job.updated_at = updated_at;
      job.epsg = store::kDefaultStoreEpsg;
      try {
        FeatureSink sink = generate_village(job, ctx);
        std::lock_guard lock(mutex);
        results[i].emplace(std::move(sink));
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!failure) failure = std::current_exception();
        stop = true;
      }
      ready.notify_all();
    }
  };
  const int thread_count = std::max(1, std::min<int>(options.threads, static_cast<int>(n)));
  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t) threads.emplace_back(worker);
  struct Joiner {
    std::vector<std::thread>& threads;
    std::atomic<bool>& stop;
    ~Joiner() {
      stop = true;
      for (auto& t : threads) t.join();
    }
  } joiner{threads, stop};

  GenerateReport report;
  for (const auto& c : catalog.classes()) report.counts.emplace_back(c.name, 0);
  const int villages_class = [&] {
    for (std::size_t c = 0; c < catalog.classes().size(); ++c) {
      if (catalog.classes()[c].name == "villages") return static_cast<int>(c);
    }
    return -1;
  }();

  store.begin();
  try {
    for (std::size_t i = 0; i < n; ++i) {
      std::optional<FeatureSink> sink;
      {
        std::unique_lock lock(mutex);
        ready.wait(lock, [&] { return results[i].has_value() || failure; });
        if (!results[i]) std::rethrow_exception(failure);
        sink = std::move(results[i]);
        results[i].reset();
      }
      const auto& classes = catalog.classes();
      for (std::size_t c = 0; c < classes.size(); ++c) {
        for (const auto& f : sink->features()[c]) store.insert(classes[c].name, f);
        report.counts[c].second += static_cast<std::int64_t>(sink->features()[c].size());
      }
      if (villages_class >= 0) {
        const auto& def = classes[static_cast<std::size_t>(villages_class)];
        const int pop = def.field_index("population");
        for (const auto& f : sink->features()[static_cast<std::size_t>(villages_class)]) {
          if (pop >= 0) {
            if (const auto* p = std::get_if<std::int64_t>(&f.values[static_cast<std::size_t>(pop)])) report.residents += *p;
          }
        }
      }
    }
    store.commit();
    opened.reset();  // closing builds the spatial indexes: part of the work
  } catch (...) {
    stop = true;
    try {
      store.rollback();
    } catch (...) {
    }
    throw;
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace minqing::generate
