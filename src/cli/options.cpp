#include "cli/options.hpp"

#include <cstdio>
#include <iostream>

#include <pwd.h>
#include <unistd.h>

namespace minqing::cli {

namespace po = boost::program_options;

std::optional<int> parse_options(const char* command, const po::options_description& options, const Args& args,
                                 po::variables_map& vm, const po::positional_options_description* positional) {
  try {
    po::command_line_parser parser(args);
    parser.options(options);
    if (positional) parser.positional(*positional);
    po::store(parser.run(), vm);
    if (vm.count("help")) {  // before notify: --help needs none of the required options
      std::cout << options << "\n";
      return 0;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::fprintf(stderr, "minqing %s: %s\n\n", command, e.what());
    std::cerr << options << "\n";
    return 2;
  }
  return std::nullopt;
}

std::string os_user() {
  if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name) return pw->pw_name;
  return std::to_string(geteuid());
}

}  // namespace minqing::cli
