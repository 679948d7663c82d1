#pragma once
// The command line of a `minqing` subcommand, parsed the same way by every command: --help prints
// the options and succeeds, a malformed line prints the error and the options and exits 2.

#include <optional>
#include <string>

#include <boost/program_options.hpp>

#include "cli/commands.hpp"

namespace minqing::cli {

// Parses `args` by `options` (and `positional`, when given) into `vm`. Returns the exit code when
// the command should stop here — 0 after printing --help, 2 after a malformed command line
// (missing, unknown or mistyped options; the message names `command`) — or nullopt to go on.
std::optional<int> parse_options(const char* command, const boost::program_options::options_description& options,
                                 const Args& args, boost::program_options::variables_map& vm,
                                 const boost::program_options::positional_options_description* positional = nullptr);

// Refuses a negative number given to an unsigned option: boost reads "-1" as an unsigned value by
// wrapping it (18446744073709551615), so `--cache-mb -1` would ask for all the memory there is.
// parse_options calls it; a command that parses by itself calls it on what it parsed.
// @throws boost::program_options::error naming the option and the value.
void refuse_negative_counts(const boost::program_options::parsed_options& parsed,
                            const boost::program_options::options_description& options);

// The operating-system user running the command (for audit entries: "cli:<user>").
std::string os_user();

}  // namespace minqing::cli
