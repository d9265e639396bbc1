// tppctl: the command-line client of operators and insurers.
#include <cstdlib>
#include <string>

#include "CLI/CLI.hpp"
#include "tools/tppctl/client.h"
#include "tools/tppctl/contracts_command.h"
#include "tools/tppctl/keys_command.h"
#include "tools/tppctl/members_command.h"
#include "tools/tppctl/status_command.h"

int main(int argc, char** argv) {
  CLI::App app{"tppctl: operate a tpp node (operators) and feed it (insurers)"};
  app.require_subcommand(1);
  tpp::ctl::ClientOptions options;
  if (const char* dir = std::getenv("TPP_TLS_DIR")) options.tls_dir = dir;
  if (const char* id = std::getenv("TPP_IDENTITY")) options.identity = id;
  app.add_option("--target", options.target, "external listener host:port")
      ->capture_default_str();
  app.add_option("--admin", options.admin, "admin listener host:port")
      ->capture_default_str();
  app.add_option(
         "--tls_dir", options.tls_dir,
         "folder with ca.pem and <role>-<id>.pem/.key (env TPP_TLS_DIR)")
      ->capture_default_str();
  app.add_option("--identity", options.identity,
                 "whose certificate to present, <role>/<id> (env TPP_IDENTITY)")
      ->capture_default_str();
  app.add_option("--timeout_ms", options.timeout_ms, "deadline of each call")
      ->capture_default_str();

  int exit_code = 0;
  CLI::App* status = app.add_subcommand(
      "status", "health of both listeners and isolation state");
  status->callback([&] { exit_code = tpp::ctl::RunStatus(options); });

  CLI::App* members =
      app.add_subcommand("members", "an insurer's members (insurer identity)");
  members->require_subcommand(1);
  std::string csv_path;
  CLI::App* import_members = members->add_subcommand(
      "import", "stream a member CSV to the node and print its summary");
  import_members->add_option("--csv", csv_path, "the member import CSV")
      ->required();
  import_members->callback(
      [&] { exit_code = tpp::ctl::RunMembersImport(options, csv_path); });

  CLI::App* contracts = app.add_subcommand(
      "contracts", "an insurer's contracts (insurer identity)");
  contracts->require_subcommand(1);
  std::string contracts_path;
  CLI::App* put = contracts->add_subcommand(
      "put", "create or replace contracts, one JSON object per line");
  put->add_option("--file", contracts_path, "JSON Lines of tpp.v1.Contract")
      ->required();
  put->callback(
      [&] { exit_code = tpp::ctl::RunContractsPut(options, contracts_path); });

  CLI::App* keys =
      app.add_subcommand("keys", "master key rotation (operators)");
  keys->require_subcommand(1);
  bool wait = false;
  CLI::App* rotate = keys->add_subcommand(
      "rotate", "new master key version; rewrap every key in the background");
  rotate->add_flag("--wait", wait, "show progress until the rotation is done");
  rotate->callback([&] { exit_code = tpp::ctl::RunKeysRotate(options, wait); });
  keys->add_subcommand("status", "key versions and rotation progress")
      ->callback([&] { exit_code = tpp::ctl::RunKeysStatus(options); });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Usage errors exit 2, as the commands' own; --help exits 0.
    return app.exit(e) == 0 ? 0 : 2;
  }
  return exit_code;
}
