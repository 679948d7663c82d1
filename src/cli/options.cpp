#include "cli/options.hpp"

#include <cstdio>
#include <iostream>

#include <pwd.h>
#include <unistd.h>

namespace minqing::cli {

namespace po = boost::program_options;

namespace {

bool is_unsigned(const po::value_semantic* s) {
  return dynamic_cast<const po::typed_value<unsigned short>*>(s) || dynamic_cast<const po::typed_value<unsigned>*>(s) ||
         dynamic_cast<const po::typed_value<unsigned long>*>(s) ||
         dynamic_cast<const po::typed_value<unsigned long long>*>(s);
}

}  // namespace

void refuse_negative_counts(const po::parsed_options& parsed, const po::options_description& options) {
  for (const auto& o : parsed.options) {
    const po::option_description* d = options.find_nothrow(o.string_key, false);
    if (d == nullptr || !is_unsigned(d->semantic().get())) continue;
    for (const auto& v : o.value) {
      const auto first = v.find_first_not_of(" \t");
      if (first != std::string::npos && v[first] == '-') {
        throw po::error("the argument ('" + v + "') for option '--" + o.string_key + "' is invalid: expected a number from 0 up");
      }
    }
  }
}

std::optional<int> parse_options(const char* command, const po::options_description& options, const Args& args,
                                 po::variables_map& vm, const po::positional_options_description* positional) {
  try {
    po::command_line_parser parser(args);
    parser.options(options);
    if (positional) parser.positional(*positional);
    const po::parsed_options parsed = parser.run();
    refuse_negative_counts(parsed, options);
    po::store(parsed, vm);
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
