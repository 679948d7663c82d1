// `minqing user add|passwd|disable|enable|list` — manages the accounts of the auth database
// (access/auth_db.hpp) and writes an audit entry for each change. Passwords are read from stdin
// (--password-stdin) or typed twice at the terminal without echo; they are never printed,
// logged or passed on the command line. `list` never shows password hashes.

#include <termios.h>
#include <unistd.h>

#include <pwd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include <sodium.h>
#include <boost/program_options.hpp>

#include "access/audit_log.hpp"
#include "access/auth_db.hpp"
#include "access/locations.hpp"
#include "access/policy.hpp"
#include "base/error.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "model/layer_catalog.hpp"

namespace minqing::cli {

namespace po = boost::program_options;

namespace {

constexpr const char* kUsage =
    "usage: minqing user add NAME --role ROLE [--township CODE] [--village CODE] [--grid ID…] "
    "[--password-stdin]\n"
    "       minqing user passwd NAME [--password-stdin]\n"
    "       minqing user disable NAME | enable NAME\n"
    "       minqing user list\n"
    "roles: county_admin, township_cadre (--township 9-digit code), village_cadre (--village "
    "12-digit code),\n"
    "       grid_worker (--grid 331124207201-G01, repeatable), disaster_planner\n";

// A password wiped from memory when it goes out of scope.
struct Secret {
  std::string text;
  ~Secret() {
    if (!text.empty()) sodium_memzero(text.data(), text.size());
  }
};

void strip_newline(std::string& s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
}

// One line from the terminal, not echoed. @throws RequestError without a terminal.
void read_hidden(const char* prompt, Secret& out) {
  FILE* tty = std::fopen("/dev/tty", "r+");
  if (!tty)
    throw RequestError(
        "no terminal to ask for the password; pass --password-stdin and write it to stdin");
  const int fd = fileno(tty);
  termios old{};
  const bool is_tty = tcgetattr(fd, &old) == 0;
  if (is_tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  std::fputs(prompt, tty);
  std::fflush(tty);
  char buf[1100];
  const bool got = std::fgets(buf, sizeof buf, tty) != nullptr;
  if (is_tty) tcsetattr(fd, TCSAFLUSH, &old);
  std::fputs("\n", tty);
  std::fclose(tty);
  if (got) out.text = buf;
  sodium_memzero(buf, sizeof buf);
  strip_newline(out.text);
}

void read_password(bool from_stdin, Secret& out) {
  if (from_stdin) {
    std::getline(std::cin, out.text);
    strip_newline(out.text);
    return;
  }
  read_hidden("new password: ", out);
  Secret again;
  read_hidden("again: ", again);
  if (out.text != again.text) throw RequestError("the two passwords differ");
}

std::string area_text(const access::User& u) {
  std::string out;
  if (!u.assignment.township.empty()) out += "township " + u.assignment.township;
  if (!u.assignment.village_code.empty())
    out += (out.empty() ? "" : ", ") + std::string("village ") + u.assignment.village_code;
  for (const auto& g : u.assignment.grid_ids) out += (out.empty() ? "grid " : ", grid ") + g;
  return out.empty() ? "county" : out;
}

}  // namespace

int run_user(const Args& args) {
  std::string action;
  std::string name;
  std::string role;
  std::string township;
  std::string village;
  std::vector<std::string> grids;
  std::string store = std::string(MINQING_SOURCE_DIR) + "/data-samples/songyang-sample.gpkg";
  std::string auth;
  std::string audit;
  std::string policy_path = access::Policy::default_path().string();
  std::string layers = model::LayerCatalog::default_directory().string();

  po::options_description desc("options");
  // clang-format off
  desc.add_options()
      ("help,h", "show this help")
      ("role", po::value(&role)->value_name("ROLE"), "the account's role (add)")
      ("township", po::value(&township)->value_name("CODE"), "9-digit township code (township_cadre)")
      ("village", po::value(&village)->value_name("CODE"), "12-digit village code (village_cadre)")
      ("grid", po::value(&grids)->multitoken()->value_name("ID"), "grid id(s), e.g. 331124207201-G01 (grid_worker)")
      ("password-stdin", "read the password from the first line of stdin instead of the terminal")
      ("store", po::value(&store)->value_name("FILE")->default_value(store), "the map store the accounts belong to")
      ("auth", po::value(&auth)->value_name("FILE"), "the auth database (default: <store>.auth.sqlite)")
      ("audit", po::value(&audit)->value_name("FILE"), "the audit log (default: beside the auth database, .audit.jsonl)")
      ("policy", po::value(&policy_path)->value_name("FILE")->default_value(policy_path), "the access policy")
      ("layers", po::value(&layers)->value_name("DIR")->default_value(layers), "the layer definitions");
  // clang-format on
  po::options_description hidden;
  hidden.add_options()("action", po::value(&action))("name", po::value(&name));
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description pos;
  pos.add("action", 1).add("name", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::fprintf(stderr, "minqing user: %s\n\n%s", e.what(), kUsage);
    return 2;
  }
  if (vm.count("help")) {
    std::cout << "Manage the accounts that may sign in to the map server.\n\n"
              << kUsage << "\n"
              << desc;
    return 0;
  }
  const bool needs_name =
      action == "add" || action == "passwd" || action == "disable" || action == "enable";
  if ((action != "list" && !needs_name) || (needs_name && name.empty()) ||
      (action == "list" && !name.empty())) {
    std::fprintf(stderr, "minqing user: %s\n%s",
                 action.empty() ? "expected an action"
                                : ("unknown or incomplete action \"" + action + "\"").c_str(),
                 kUsage);
    return 2;
  }
  if (auth.empty()) auth = access::default_auth_path(store).string();
  if (audit.empty()) audit = access::default_audit_path(auth).string();
  if (action == "list" && !std::filesystem::exists(auth)) {
    std::printf("no accounts (%s does not exist)\n", auth.c_str());
    return 0;
  }

  auto db = access::AuthDb::open(auth);
  const auto now = access::Clock::now();
  const std::string actor = "cli:" + os_user();

  if (action == "list") {
    const auto users = db->list_users();
    std::printf("%-20s %-18s %-40s %s\n", "username", "role", "area", "state");
    for (const auto& u : users) {
      std::printf("%-20s %-18s %-40s %s\n", u.username.c_str(), u.role.c_str(),
                  area_text(u).c_str(), u.disabled ? "disabled" : "active");
    }
    std::printf("%zu account%s in %s\n", users.size(), users.size() == 1 ? "" : "s", auth.c_str());
    return 0;
  }

  access::AuditLog log(audit);
  if (action == "add") {
    if (role.empty()) {
      std::fprintf(stderr, "minqing user add: --role is required\n%s", kUsage);
      return 2;
    }
    const auto catalog = model::LayerCatalog::load_directory(layers);
    const auto policy = access::Policy::load(policy_path, catalog);
    const auto rules = policy.role(role);
    if (!rules || role == access::kRolePublic) {
      std::fprintf(stderr, "minqing user add: unknown role \"%s\"\n%s", role.c_str(), kUsage);
      return 2;
    }
    const access::Assignment assignment{township, village, grids};
    if (auto problem = access::assignment_problem(rules->area, assignment)) {
      std::fprintf(stderr, "minqing user add: %s\n", problem->c_str());
      return 2;
    }
    if (db->find_user(name)) throw DataError("user " + name + " exists already");
    Secret password;
    read_password(vm.count("password-stdin") > 0, password);
    if (auto problem = access::password_problem(password.text)) throw RequestError(*problem);
    const auto user = db->create_user(name, password.text, role, assignment, now);
    log.append({actor,
                "cli",
                access::audit_action::account_change,
                {{"change", "add"}, {"username", name}, {"role", role}, {"area", area_text(user)}}},
               now);
    std::printf("added %s (%s, %s)\n", name.c_str(), role.c_str(), area_text(user).c_str());
    return 0;
  }
  if (!db->find_user(name)) throw DataError("no user " + name);
  if (action == "passwd") {
    Secret password;
    read_password(vm.count("password-stdin") > 0, password);
    if (auto problem = access::password_problem(password.text)) throw RequestError(*problem);
    db->set_password(name, password.text, now);
    log.append({actor,
                "cli",
                access::audit_action::account_change,
                {{"change", "passwd"}, {"username", name}}},
               now);
    std::printf("password of %s changed; its sessions have ended\n", name.c_str());
    return 0;
  }
  const bool disable = action == "disable";
  db->set_disabled(name, disable, now);
  log.append({actor,
              "cli",
              access::audit_action::account_change,
              {{"change", action}, {"username", name}}},
             now);
  std::printf("%s %s\n", name.c_str(), disable ? "disabled; its sessions have ended" : "enabled");
  return 0;
}

}  // namespace minqing::cli
