// tppctl: the command-line client of operators and insurers.
#include <cstdlib>
#include <string>

#include "CLI/CLI.hpp"
#include "tools/tppctl/client.h"
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

  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
