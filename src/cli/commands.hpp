#pragma once
// One function per `minqing` subcommand, each in its own cli/cmd_<name>.cpp. Each takes the
// arguments after the subcommand name and returns the process exit code.

#include <string>
#include <vector>

namespace minqing::cli {

using Args = std::vector<std::string>;

int run_serve(const Args& args);
int run_import(const Args& args);
int run_export(const Args& args);
int run_generate(const Args& args);
int run_render(const Args& args);
int run_seed(const Args& args);
int run_user(const Args& args);
int run_audit(const Args& args);
int run_route(const Args& args);
int run_atlas(const Args& args);
int run_plan(const Args& args);
int run_backup(const Args& args);
int run_restore(const Args& args);

// The non-empty items of a comma-separated list ("terrain,,disaster" → terrain, disaster).
std::vector<std::string> split_list(const std::string& s);

}  // namespace minqing::cli
