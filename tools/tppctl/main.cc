// tppctl: the command-line client of operators and insurers.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "CLI/CLI.hpp"
#include "tools/tppctl/audit_command.h"
#include "tools/tppctl/cells.h"
#include "tools/tppctl/client.h"
#include "tools/tppctl/contracts_command.h"
#include "tools/tppctl/isolation_command.h"
#include "tools/tppctl/keys_command.h"
#include "tools/tppctl/ledger_command.h"
#include "tools/tppctl/members_command.h"
#include "tools/tppctl/settlement_command.h"
#include "tools/tppctl/statement_command.h"
#include "tools/tppctl/status_command.h"
#include "tools/tppctl/unseal_command.h"

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

  std::string cells_file;
  CLI::Option* cells_option = app.add_option(
      "--cells", cells_file,
      "cell map (JSON): run status, isolate or settle on every cell");

  // With --cells, `command` runs on every cell and each is reported;
  // without, on the one node of --target and --admin.
  auto on_cells = [&](const tpp::ctl::CellCommand& command) {
    if (cells_file.empty()) return command(options, tpp::ops::v1::Cell());
    absl::StatusOr<tpp::ops::v1::CellMap> map =
        tpp::ctl::LoadCellMap(cells_file);
    if (!map.ok()) {
      std::fprintf(stderr, "tppctl: %s\n", map.status().ToString().c_str());
      return 2;
    }
    return tpp::ctl::RunOnCells(options, *map, command);
  };

  int exit_code = 0;
  CLI::App* status = app.add_subcommand(
      "status", "health of both listeners and isolation state");
  status->callback([&] {
    exit_code = on_cells(
        [](const tpp::ctl::ClientOptions& node, const tpp::ops::v1::Cell&) {
          return tpp::ctl::RunStatus(node);
        });
  });

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

  // The kill switch (operators, admin listener).
  std::string scope, reason, to, allow, proposal_id;
  bool seal = false;
  CLI::App* isolate = app.add_subcommand(
      "isolate", "cut a scope off at once (one operator suffices)");
  isolate
      ->add_option("--scope", scope,
                   "platform | insurer:ID | provider:ID | credential:SPIFFE")
      ->required();
  isolate->add_option("--reason", reason, "why (recorded)")->required();
  isolate->add_flag("--seal", seal,
                    "also wipe every key from memory (unseal needs shares)");
  isolate->callback([&] {
    exit_code = on_cells(
        [&](const tpp::ctl::ClientOptions& node, const tpp::ops::v1::Cell&) {
          return tpp::ctl::RunIsolate(node, scope, reason, seal);
        });
  });

  // Settlement (operators, admin listener).
  std::string insurer_id, cutoff;
  CLI::App* settle = app.add_subcommand(
      "settle", "close insurers' settlement windows up to a cut-off date");
  settle->add_option("--cutoff", cutoff, "YYYY-MM-DD, inclusive")->required();
  settle->add_option("--insurer", insurer_id,
                     "the insurer (with --cells: default every insurer of "
                     "every cell)");
  settle->callback([&] {
    if (cells_file.empty()) {
      if (insurer_id.empty()) {
        std::fprintf(stderr, "tppctl: settle needs --insurer (or --cells)\n");
        exit_code = 2;
        return;
      }
      exit_code = tpp::ctl::RunSettle(options, insurer_id, cutoff);
      return;
    }
    exit_code = on_cells([&](const tpp::ctl::ClientOptions& node,
                             const tpp::ops::v1::Cell& cell) {
      int code = 0;
      for (const std::string& insurer : cell.insurers()) {
        if (!insurer_id.empty() && insurer != insurer_id) continue;
        code = std::max(code, tpp::ctl::RunSettle(node, insurer, cutoff));
      }
      return code;
    });
  });

  CLI::App* reopen = app.add_subcommand(
      "reopen", "two-person reopening: one proposes, another approves");
  reopen->require_subcommand(1);
  CLI::App* propose =
      reopen->add_subcommand("propose", "propose the next reopening step");
  propose->add_option("--scope", scope, "as for isolate")->required();
  propose->add_option("--to", to, "reopening | open")->required();
  propose->add_option(
      "--allow", allow,
      "for reopening: provider or insurer ids, comma-separated");
  propose->add_option("--reason", reason, "why (recorded)")->required();
  propose->callback([&] {
    exit_code = tpp::ctl::RunReopenPropose(options, scope, to, allow, reason);
  });
  CLI::App* approve =
      reopen->add_subcommand("approve", "approve another operator's proposal");
  approve->add_option("--proposal", proposal_id, "the proposal id")->required();
  approve->callback(
      [&] { exit_code = tpp::ctl::RunReopenApprove(options, proposal_id); });

  CLI::App* isolation =
      app.add_subcommand("isolation", "the isolation state (operators)");
  isolation->require_subcommand(1);
  isolation->add_subcommand("status", "every scope, pending proposals, sealing")
      ->callback([&] { exit_code = tpp::ctl::RunIsolationStatus(options); });

  // Settlement listings, statements, the ledger (issue #5).
  CLI::App* settlements = app.add_subcommand(
      "settlements", "settlements and acknowledgements (operators, insurers)");
  settlements->require_subcommand(1);
  CLI::App* list_settlements = settlements->add_subcommand(
      "list", "settlements with their acknowledgements, both sides' figures");
  list_settlements->add_option("--insurer", insurer_id,
                               "only this insurer's (operators)");
  list_settlements->callback(
      [&] { exit_code = tpp::ctl::RunSettlementsList(options, insurer_id); });

  CLI::App* statement =
      app.add_subcommand("statement", "settlement statements (insurers)");
  statement->require_subcommand(1);
  tpp::ctl::StatementFetch fetch;
  CLI::App* fetch_statement = statement->add_subcommand(
      "fetch", "stream a statement, verify it against its trailer");
  fetch_statement
      ->add_option("--settlement", fetch.settlement_id,
                   "the settlement id, e.g. 100000001-20261130")
      ->required();
  fetch_statement->add_option("--format", fetch.format, "csv | json")
      ->check(CLI::IsMember({"csv", "json"}))
      ->capture_default_str();
  fetch_statement->add_option(
      "--out", fetch.out,
      "file to write (default stdout); kept only if verified");
  fetch_statement->add_flag("--force", fetch.force,
                            "replace an existing --out file");
  fetch_statement->add_flag(
      "--acknowledge", fetch.acknowledge,
      "once verified, acknowledge it with the recomputed figures");
  fetch_statement->callback(
      [&] { exit_code = tpp::ctl::RunStatementFetch(options, fetch); });

  CLI::App* ledger = app.add_subcommand("ledger", "the ledger (operators)");
  ledger->require_subcommand(1);
  ledger->add_subcommand("verify", "check every ledger invariant")
      ->callback([&] { exit_code = tpp::ctl::RunLedgerVerify(options); });

  // The audit chain and breach reports (issue #7).
  CLI::App* audit = app.add_subcommand("audit", "the audit chain (operators)");
  audit->require_subcommand(1);
  tpp::ctl::AuditVerify audit_verify;
  CLI::App* verify_chain =
      audit->add_subcommand("verify", "check the hash chain and checkpoints");
  verify_chain->add_option("--from", audit_verify.from, "first sequence");
  verify_chain->add_option("--to", audit_verify.to, "last sequence");
  verify_chain->add_option(
      "--checkpoints", audit_verify.checkpoints_file,
      "checkpoints kept outside (audit checkpoints --out)");
  verify_chain->callback(
      [&] { exit_code = tpp::ctl::RunAuditVerify(options, audit_verify); });
  std::string checkpoints_out;
  CLI::App* checkpoints = audit->add_subcommand(
      "checkpoints", "export the signed checkpoints for safekeeping");
  checkpoints->add_option("--out", checkpoints_out, "file to write");
  checkpoints->callback([&] {
    exit_code = tpp::ctl::RunAuditCheckpoints(options, checkpoints_out);
  });
  tpp::ctl::BreachReportArgs breach;
  CLI::App* breach_report = app.add_subcommand(
      "breach-report", "who a credential saw, per insurer (operators)");
  breach_report->add_option("--credential", breach.credential, "a SPIFFE ID");
  breach_report->add_option("--provider", breach.provider_id,
                            "or a provider id");
  breach_report->add_option("--from", breach.from, "RFC 3339")->required();
  breach_report->add_option("--to", breach.to, "RFC 3339 (default: now)");
  breach_report->add_option("--format", breach.format, "text | json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  breach_report->callback(
      [&] { exit_code = tpp::ctl::RunBreachReport(options, breach); });

  std::string key_file = "./var/master.key";
  std::string out_dir;
  int shares = 5;
  int threshold = 3;
  CLI::App* init_keys = app.add_subcommand(
      "init-keys", "split the master key file into operators' key shares");
  init_keys->add_option("--master_key_file", key_file, "the master key file")
      ->capture_default_str();
  init_keys->add_option("--shares", shares, "how many shares")
      ->capture_default_str();
  init_keys->add_option("--threshold", threshold, "how many unseal")
      ->capture_default_str();
  init_keys->add_option("--out", out_dir, "folder for share-<n>.txt (0600)")
      ->required();
  init_keys->callback([&] {
    exit_code = tpp::ctl::RunInitKeys(key_file, shares, threshold, out_dir);
  });
  std::string share_file;
  CLI::App* unseal = app.add_subcommand(
      "unseal", "give this operator's key share to a sealed node");
  unseal->add_option("--share", share_file, "the share file")->required();
  unseal->callback(
      [&] { exit_code = tpp::ctl::RunUnseal(options, share_file); });

  // Every other command works on one node: --cells is refused, not ignored.
  for (CLI::App* one_node : {members, contracts, keys, reopen, isolation,
                             init_keys, unseal, audit, breach_report}) {
    one_node->excludes(cells_option);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Usage errors exit 2, as the commands' own; --help exits 0.
    return app.exit(e) == 0 ? 0 : 2;
  }
  return exit_code;
}
