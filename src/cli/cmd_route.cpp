// `minqing route --from LON,LAT --to LON,LAT|shelter:ID|nearest-shelter [--mode walk|drive]
//  [--avoid high,medium|none] [--closed WKT] [--store FILE] [--role county_admin]` — the route
// GET /api/route answers, printed as the same GeoJSON Feature, for a caller of --role (the county
// administrator by default: every shelter and hazard zone).

#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

#include <boost/program_options.hpp>

#include "access/policy.hpp"
#include "access/scope.hpp"
#include "base/error.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "model/layer_catalog.hpp"
#include "query/dataset.hpp"
#include "render/relief_source.hpp"
#include "route/network_cache.hpp"
#include "server/http_error.hpp"
#include "server/route_endpoint.hpp"

namespace minqing::cli {

namespace po = boost::program_options;

int run_route(const Args& args) {
  server::RouteParams params;
  std::string mode, avoid, closed;
  std::string role(access::kRoleCountyAdmin);
  std::string store_path = std::string(MINQING_SOURCE_DIR) + "/data-samples/songyang-sample.gpkg";
  std::string layers_dir = model::LayerCatalog::default_directory().string();
  std::string policy_path = access::Policy::default_path().string();
  po::options_description desc(
      "minqing route --from LON,LAT --to LON,LAT|shelter:ID|nearest-shelter [options]\n\n"
      "Prints the route GET /api/route answers (a GeoJSON Feature, CRS84), for a caller of --role.\n"
      "Exit status 1 when there is no route (the reason on stderr), 2 on bad arguments.\n\noptions");
  desc.add_options()("help,h", "show this help")                                                     //
      ("from", po::value(&params.from)->required(), "start, CRS84 lon,lat")                         //
      ("to", po::value(&params.to)->required(), "lon,lat, shelter:ID or nearest-shelter")           //
      ("mode", po::value(&mode), "walk (default) or drive")                                         //
      ("avoid", po::value(&avoid), "hazard risk levels to avoid: high,medium,low or none (default high)")  //
      ("closed", po::value(&closed), "closed roads: WKT polygon or line in CRS84")                  //
      ("role", po::value(&role)->default_value(role), "answer as this role of the policy")          //
      ("store", po::value(&store_path)->default_value(store_path), "the feature store")             //
      ("layers", po::value(&layers_dir)->default_value(layers_dir), "layer definition directory")  //
      ("policy", po::value(&policy_path)->default_value(policy_path), "access policy file");
  po::variables_map vm;
  if (const auto stop = parse_options("route", desc, args, vm)) return *stop;
  if (vm.count("mode")) params.mode = mode;
  if (vm.count("avoid")) params.avoid = avoid;
  if (vm.count("closed")) params.closed = closed;

  const auto catalog = model::LayerCatalog::load_directory(layers_dir);
  const auto policy = access::Policy::load(policy_path, catalog);
  const auto data = query::Dataset::open(store_path, catalog);
  const access::Scope scope = access::Scope::for_user(policy, "cli", role, {});
  // As the server: the store's DEM makes steep roads slower (route/terrain_slope.hpp).
  const auto relief = render::ReliefSource::load_directory(data->relief_directory());
  route::NetworkCache networks(*data, relief->heights());
  try {
    std::cout << server::route_feature(data->reader(scope), networks, params).dump(2) << "\n";
  } catch (const server::HttpError& e) {
    std::fprintf(stderr, "minqing route: %s\n", e.what());
    return 1;
  } catch (const RequestError& e) {
    std::fprintf(stderr, "minqing route: %s\n", e.what());
    return 2;
  }
  return 0;
}

}  // namespace minqing::cli
