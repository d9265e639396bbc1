#include "services/server/server.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "services/audit/audit_service.h"
#include "services/audit/audit_trail.h"
#include "services/audit/audited.h"
#include "services/audit/breaker_restore.h"
#include "services/claims/claims_service.h"
#include "services/common/clock.h"
#include "services/common/log.h"
#include "services/common/status_macros.h"
#include "services/eligibility/eligibility_service.h"
#include "services/isolation/isolation_gate.h"
#include "services/isolation/isolation_service.h"
#include "services/isolation/isolation_switch.h"
#include "services/keys/keys_service.h"
#include "services/members/members_service.h"
#include "services/server/call_guard.h"
#include "services/server/executor.h"
#include "services/server/forwarded_identity.h"
#include "services/server/malformed_request.h"
#include "services/server/metrics.h"
#include "services/server/rate_limiter.h"
#include "services/server/stream_registry.h"
#include "services/settlement/settlement_service.h"
#include "storage/audit_log_rocks.h"
#include "storage/claim_store_rocks.h"
#include "storage/commit_queue.h"
#include "storage/crypto/audit_signer.h"
#include "storage/crypto/keyring.h"
#include "storage/crypto/master_key_file.h"
#include "storage/db.h"
#include "storage/isolation_store_rocks.h"
#include "storage/member_store_rocks.h"
#include "storage/settlement_store_rocks.h"

namespace tpp {
namespace {

// Workers for the CPU-heavy part of requests: one per core of the target
// machine (gRPC's own threads move the messages).
constexpr int kWorkerThreads = 2;
// A HealthCheckRequest is a service name: nothing near this.
constexpr int kHealthMessageBytesMax = 4096;

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return absl::FailedPreconditionError(absl::StrCat("cannot read ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerTls(
    const std::string& tls_dir) {
  TPP_ASSIGN_OR_RETURN(std::string ca, ReadFile(tls_dir + "/ca.pem"));
  TPP_ASSIGN_OR_RETURN(std::string cert, ReadFile(tls_dir + "/server.pem"));
  TPP_ASSIGN_OR_RETURN(std::string key, ReadFile(tls_dir + "/server.key"));
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = std::move(ca);
  options.pem_key_cert_pairs.push_back({std::move(key), std::move(cert)});
  return grpc::SslServerCredentials(options);
}

absl::Status WriteReadyFile(const std::string& path, int port, int admin_port,
                            int metrics_port, int health_port) {
  std::string tmp = path + ".tmp";
  std::string json = absl::StrCat(
      "{\"port\":", port, ",\"admin_port\":", admin_port,
      ",\"metrics_port\":", metrics_port, ",\"health_port\":", health_port,
      ",\"pid\":", ::getpid(), "}\n");
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << json;
    if (!out.flush()) return absl::InternalError("cannot write the ready file");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::InternalError("cannot rename the ready file");
  }
  return absl::OkStatus();
}

// The audit checkpoints' signing key, derived from the ring's master key.
absl::Status InstallAuditSigner(const crypto::KeyRing& keys,
                                storage::RocksAuditLog* audit_log) {
  TPP_ASSIGN_OR_RETURN(crypto::SecureBytes seed, keys.AuditSigningSeed());
  TPP_ASSIGN_OR_RETURN(std::unique_ptr<crypto::AuditSigner> signer,
                       crypto::AuditSigner::FromSeed(seed));
  audit_log->SetSigner(std::move(signer));
  return absl::OkStatus();
}

// Drops the builder plugins (server reflection) from the health-only
// listener: it serves grpc.health.v1 and nothing else.
class NoPluginsOption final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>*
                         plugins) override {
    plugins->clear();
  }
};

// The services of one listener, each bound to that listener's guard. Every
// service is registered on both listeners: the authorization table, not the
// registration, decides who may call what where, so a refused call is
// PERMISSION_DENIED rather than UNIMPLEMENTED.
struct ListenerServices {
  ListenerServices(const CallGuard& guard, MemberStore* members_store,
                   ClaimsCore* claims_core, SettlementCore* settlement_core,
                   SettlementStore* settlement_store, Executor* blocking,
                   storage::KeyRotation* rotation, const crypto::KeyRing* ring,
                   Executor* executor, isolation::IsolationSwitch* isolation,
                   StreamRegistry* streams, const AuditLog* audit_log,
                   AuditTrail* trail)
      : eligibility(guard, members_store, claims_core, executor, trail),
        claims(guard, claims_core, executor, SystemClock(), streams, trail),
        members(guard, members_store, executor, blocking, streams, trail),
        settlement(guard, settlement_core, settlement_store, executor, blocking,
                   SystemClock(), streams, trail),
        isolation(guard, isolation, trail),
        audit(guard, audit_log, trail, executor),
        keys(guard, rotation, ring, executor, trail) {}
  void RegisterOn(grpc::ServerBuilder* builder) {
    builder->RegisterService(&eligibility);
    builder->RegisterService(&claims);
    builder->RegisterService(&members);
    builder->RegisterService(&settlement);
    builder->RegisterService(&isolation);
    builder->RegisterService(&audit);
    builder->RegisterService(&keys);
  }
  EligibilityServiceImpl eligibility;
  ClaimServiceImpl claims;
  MemberServiceImpl members;
  SettlementServiceImpl settlement;
  IsolationServiceImpl isolation;
  AuditServiceImpl audit;
  KeyServiceImpl keys;
};

}  // namespace

struct Server::State {
  ServerConfig config;
  std::unique_ptr<storage::Db> db;
  // The queue's sealer: declared before the queue, so that it outlives the
  // queue's last group.
  std::unique_ptr<storage::RocksAuditLog> audit_log;
  std::unique_ptr<storage::CommitQueue> commits;
  std::unique_ptr<AuditTrail> audit_trail;
  crypto::KeyRing keys;
  // The gate and the stream registry before anything that uses them.
  IsolationGate gate;
  // The gate as the external listener sees it: its refusals audited.
  std::unique_ptr<AuditedAdmissionGate> audited_gate;
  std::unique_ptr<StreamRegistry> streams;
  std::unique_ptr<storage::RocksIsolationStore> isolation_store;
  std::unique_ptr<storage::RocksMemberStore> members;
  std::unique_ptr<storage::RocksClaimStore> claim_store;
  std::unique_ptr<ClaimsCore> claims;
  std::unique_ptr<storage::RocksSettlementStore> settlement_store;
  std::unique_ptr<SettlementCore> settlements;
  std::unique_ptr<isolation::IsolationSwitch> isolation;
  std::unique_ptr<storage::KeyRotation> rotation;
  Metrics metrics;
  CallCounters counters;
  // Declared after the stores they work on, so they are joined before
  // those go.
  std::unique_ptr<Executor> workers;
  // Blocking work, one task at a time: settlement runs, the flush after an
  // import.
  std::unique_ptr<Executor> blocking;
  std::unique_ptr<RateLimiter> limiter;
  std::unique_ptr<CallGuard> external_guard;
  std::unique_ptr<CallGuard> admin_guard;
  std::unique_ptr<ListenerServices> external_services;
  std::unique_ptr<ListenerServices> admin_services;
  std::unique_ptr<grpc::Server> external;
  std::unique_ptr<grpc::Server> admin;
  // Answers UNIMPLEMENTED to anything but health on the health listener (a
  // server needs at least one callback service of its own to start).
  grpc::CallbackGenericService health_unimplemented;
  std::unique_ptr<grpc::Server> health;  // null when --health_listen is off
  std::unique_ptr<ForwardedCertVerifier> forwarded_certs;
  int port = 0;
  int health_port = 0;
  int admin_port = 0;
  int metrics_port = 0;
  absl::Mutex mu;
  bool shut_down = false;
};

Server::Server(std::unique_ptr<State> state) : state_(std::move(state)) {}

Server::~Server() { Shutdown(); }

int Server::port() const { return state_->port; }
int Server::admin_port() const { return state_->admin_port; }
int Server::metrics_port() const { return state_->metrics_port; }
int Server::health_port() const { return state_->health_port; }

absl::StatusOr<std::unique_ptr<Server>> Server::Start(
    const ServerConfig& config) {
  isolation::SwitchOptions switch_options;
  switch_options.quorum = config.isolation_quorum;
  switch_options.proposal_ttl = config.proposal_ttl;
  TPP_RETURN_IF_ERROR(isolation::ValidateOptions(switch_options));

  if (!config.trusted_proxy_identity.empty() &&
      config.trusted_proxy_identity.rfind("spiffe://", 0) != 0) {
    return absl::InvalidArgumentError(
        "--trusted_proxy_identity must be a SPIFFE ID (spiffe://...)");
  }
  auto state = std::make_unique<State>();
  state->config = config;

  storage::Db::Options db_options;
  db_options.fault_control_file = config.test_fault_file;
  TPP_ASSIGN_OR_RETURN(state->db,
                       storage::Db::Open(config.data_dir, db_options));
  state->commits = std::make_unique<storage::CommitQueue>(
      state->db->raw(), storage::CommitQueue::Options());
  storage::RocksAuditLog::Options audit_options;
  audit_options.checkpoint_records = config.audit_checkpoint_records;
  audit_options.checkpoint_interval = config.audit_checkpoint_interval;
  TPP_ASSIGN_OR_RETURN(
      state->audit_log,
      storage::RocksAuditLog::Open(state->db.get(), state->commits.get(),
                                   audit_options));

  ExfiltrationBreaker::Options breaker;
  breaker.window = config.breaker_window;
  breaker.provider_limit = config.breaker_provider_members;
  breaker.insurer_limit = config.breaker_insurer_members;
  AuditTrail::Hooks trail_hooks;
  // The switch is made below, before any listener starts.
  trail_hooks.suspend = [node = state.get()](const std::string& credential,
                                             int limit) {
    // Published to the gate before Isolate returns; durable a little later.
    node->isolation->Isolate(
        isolation::Scope{isolation::ScopeKind::kCredential, credential},
        absl::StrCat("exfiltration breaker: more than ", limit,
                     " distinct members in the window"),
        /*seal=*/false, "tppd",
        [credential](absl::StatusOr<isolation::StatePtr> done) {
          if (!done.ok()) {
            Log(LogLevel::kError, "breaker_suspension_failed",
                {{"credential", credential},
                 {"error", std::string(absl::StatusCodeToString(
                               done.status().code()))}});
          }
        });
  };
  trail_hooks.refused = [gate = &state->gate](const std::string& credential) {
    isolation::StatePtr current = gate->Current();
    if (current == nullptr) return true;
    isolation::Principal principal;
    principal.spiffe_id = credential;
    return !current->Admit(principal).ok();
  };
  trail_hooks.on_trip = [trips = &state->metrics.breaker_trips()] {
    trips->Increment();
  };
  state->audit_trail = std::make_unique<AuditTrail>(
      state->audit_log.get(), breaker, SystemClock(), std::move(trail_hooks));
  // The breaker's windows are in memory: put back the last window's touches
  // from the audit, or a restart would give every credential a fresh quota.
  // A failure is logged and the node starts with what was read: the chain's
  // integrity is VerifyChain's business, and refusing to start would turn a
  // damaged record into an outage.
  {
    const absl::Time began = absl::Now();
    absl::StatusOr<BreakerRestoreStats> restored =
        RestoreBreakerWindows(*state->audit_log, SystemClock()->Now(),
                              &state->audit_trail->breaker());
    const int64_t ms = absl::ToInt64Milliseconds(absl::Now() - began);
    if (restored.ok()) {
      Log(LogLevel::kInfo, "breaker_windows_restored",
          {{"records", restored->records},
           {"touches", restored->touches},
           {"credentials", restored->credentials},
           {"ms", ms}});
    } else {
      Log(LogLevel::kError, "breaker_restore_failed",
          {{"error", restored.status().ToString()}, {"ms", ms}});
    }
  }

  TPP_ASSIGN_OR_RETURN(auto credentials, ServerTls(config.tls_dir));

  // The isolation state, before any key is loaded and any listener starts.
  state->isolation_store = std::make_unique<storage::RocksIsolationStore>(
      state->db.get(), state->commits.get());
  TPP_ASSIGN_OR_RETURN(isolation::LoadedState loaded,
                       state->isolation_store->Load());

  // Development: the master key from a 0600 file. Production: a Secret
  // mounted read-only, or operators' key shares (README, "Keys").
  // Every version in the file (a rotation in progress holds two); the
  // highest is primary. A node sealed when it stopped stays sealed: the
  // key comes back only from operators' shares (tppctl unseal).
  std::vector<crypto::MasterKey> masters;
  if (loaded.state.sealed()) {
    Log(LogLevel::kWarning, "keys_sealed",
        {{"action", "waiting for unseal shares"}});
  } else {
    TPP_ASSIGN_OR_RETURN(masters,
                         crypto::LoadMasterKeys(config.master_key_file));
    uint32_t primary = 0;
    for (const crypto::MasterKey& master : masters) {
      TPP_ASSIGN_OR_RETURN(crypto::SecureBytes copy, master.key.Clone());
      TPP_RETURN_IF_ERROR(
          state->keys.AddMasterKey(master.version, std::move(copy)));
      primary = std::max(primary, master.version);
    }
    TPP_RETURN_IF_ERROR(state->keys.SetPrimary(primary));
    TPP_RETURN_IF_ERROR(
        InstallAuditSigner(state->keys, state->audit_log.get()));
  }
  prometheus::Counter* data_loss = &state->metrics.data_loss();
  state->members = std::make_unique<storage::RocksMemberStore>(
      state->db.get(), state->commits.get(), &state->keys,
      [data_loss] { data_loss->Increment(); });
  state->claim_store = std::make_unique<storage::RocksClaimStore>(
      state->db.get(), state->commits.get(),
      [data_loss] { data_loss->Increment(); });
  state->claims = std::make_unique<ClaimsCore>(
      state->members.get(), state->claim_store.get(), SystemClock(),
      ClaimsCore::Options(), state->audit_trail.get());
  state->settlement_store = std::make_unique<storage::RocksSettlementStore>(
      state->db.get(), state->commits.get());
  state->settlements = std::make_unique<SettlementCore>(
      state->claims.get(), state->members.get(), state->settlement_store.get(),
      SystemClock());
  state->rotation = std::make_unique<storage::KeyRotation>(
      state->db.get(), state->commits.get(), &state->keys,
      config.master_key_file, std::move(masters),
      [members = state->members.get()](uint32_t primary) {
        return members->UncommittedBatchesNotUnder(primary);
      },
      [members = state->members.get()] { members->MemberKeysRewritten(); });

  state->streams = std::make_unique<StreamRegistry>(&state->gate);
  isolation::IsolationSwitch::Hooks hooks;
  hooks.publish = [gate = &state->gate](isolation::StatePtr published) {
    gate->Publish(std::move(published));
  };
  hooks.cancel_refused_streams = [streams = state->streams.get()] {
    const int cancelled = streams->CancelRefused();
    if (cancelled > 0) {
      Log(LogLevel::kWarning, "streams_cancelled", {{"count", cancelled}});
    }
  };
  // A sealed node holds no key (DESIGN.md, isolation rule 5): the audit
  // signer goes with the ring's keys, and comes back with them, so that
  // checkpoints resume without a restart.
  hooks.on_seal = [members = state->members.get(),
                   audit_log = state->audit_log.get()] {
    members->DropKeyCaches();
    audit_log->SetSigner(nullptr);
  };
  hooks.on_unseal = [keys = &state->keys, audit_log = state->audit_log.get()] {
    if (absl::Status installed = InstallAuditSigner(*keys, audit_log);
        !installed.ok()) {
      Log(LogLevel::kError, "audit_signer_unavailable",
          {{"error", std::string(absl::StatusCodeToString(installed.code()))},
           {"action", "no checkpoint is signed until a restart"}});
      return;
    }
    Log(LogLevel::kInfo, "audit_signer_restored", {});
  };
  if (loaded.origin == isolation::LoadedState::Origin::kFailClosed) {
    Log(LogLevel::kError, "isolation_fail_closed",
        {{"action", "platform isolated until two operators reopen it"}});
  }
  state->isolation = std::make_unique<isolation::IsolationSwitch>(
      state->isolation_store.get(), &state->keys, switch_options,
      std::move(loaded.state), std::move(hooks));

  RateLimiter::Options limits;
  limits.rate_per_s = config.rate_per_s;
  limits.burst = config.rate_burst;
  state->limiter = std::make_unique<RateLimiter>(limits);
  CallGuard::Options guard_options;
  guard_options.trust_domain = config.trust_domain;
  guard_options.unary_deadline = config.unary_deadline;
  guard_options.stream_deadline = config.stream_deadline;
  guard_options.inflight_max = config.inflight_max;
  // Operators never come through the edge router: only the external
  // listener believes it.
  CallGuard::Options external_options = guard_options;
  if (!config.trusted_proxy_identity.empty()) {
    TPP_ASSIGN_OR_RETURN(std::string ca, ReadFile(config.tls_dir + "/ca.pem"));
    TPP_ASSIGN_OR_RETURN(state->forwarded_certs,
                         ForwardedCertVerifier::Create(ca));
    external_options.trusted_proxy_id = config.trusted_proxy_identity;
    external_options.forwarded_certs = state->forwarded_certs.get();
  }
  state->audited_gate = std::make_unique<AuditedAdmissionGate>(
      &state->gate, state->audit_trail.get());
  state->external_guard = std::make_unique<CallGuard>(
      external_options, Listener::kExternal, &state->counters,
      state->limiter.get(), state->audited_gate.get());
  state->admin_guard = std::make_unique<CallGuard>(
      guard_options, Listener::kAdmin, &state->counters, state->limiter.get(),
      nullptr);
  state->workers = std::make_unique<Executor>(kWorkerThreads);
  state->blocking = std::make_unique<Executor>(1);
  state->external_services = std::make_unique<ListenerServices>(
      *state->external_guard, state->members.get(), state->claims.get(),
      state->settlements.get(), state->settlement_store.get(),
      state->blocking.get(), state->rotation.get(), &state->keys,
      state->workers.get(), state->isolation.get(), state->streams.get(),
      state->audit_log.get(), state->audit_trail.get());
  state->admin_services = std::make_unique<ListenerServices>(
      *state->admin_guard, state->members.get(), state->claims.get(),
      state->settlements.get(), state->settlement_store.get(),
      state->blocking.get(), state->rotation.get(), &state->keys,
      state->workers.get(), state->isolation.get(), state->streams.get(),
      state->audit_log.get(), state->audit_trail.get());

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  auto build = [&](const std::string& address, ListenerServices* services,
                   int* port) -> absl::StatusOr<std::unique_ptr<grpc::Server>> {
    grpc::ServerBuilder builder;
    builder.AddListeningPort(address, credentials, port);
    builder.SetMaxReceiveMessageSize(config.message_bytes_max);
    builder.SetMaxSendMessageSize(config.message_bytes_max);
    builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                               config.concurrent_streams_max);
    std::vector<
        std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
        interceptors;
    interceptors.push_back(MalformedRequestInterceptorFactory());
    interceptors.push_back(state->metrics.InterceptorFactory(&state->counters));
    builder.experimental().SetInterceptorCreators(std::move(interceptors));
    services->RegisterOn(&builder);
    std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
    if (server == nullptr || *port == 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot listen on ", address));
    }
    server->GetHealthCheckService()->SetServingStatus(true);
    return server;
  };
  TPP_ASSIGN_OR_RETURN(
      state->external,
      build(config.listen, state->external_services.get(), &state->port));
  TPP_ASSIGN_OR_RETURN(state->admin,
                       build(config.admin_listen, state->admin_services.get(),
                             &state->admin_port));
  if (!config.health_listen.empty()) {
    grpc::ServerBuilder builder;
    builder.SetOption(std::make_unique<NoPluginsOption>());
    builder.AddListeningPort(config.health_listen,
                             grpc::InsecureServerCredentials(),
                             &state->health_port);
    builder.SetMaxReceiveMessageSize(kHealthMessageBytesMax);
    builder.RegisterCallbackGenericService(&state->health_unimplemented);
    state->health = builder.BuildAndStart();
    if (state->health == nullptr || state->health_port == 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot serve health on ", config.health_listen));
    }
    state->health->GetHealthCheckService()->SetServingStatus(true);
  }
  if (!config.metrics_listen.empty()) {
    state->metrics_port = state->metrics.Serve(config.metrics_listen);
    if (state->metrics_port < 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot serve metrics on ", config.metrics_listen));
    }
  }
  state->rotation->Resume();
  Log(LogLevel::kInfo, "listening",
      {{"port", state->port},
       {"admin_port", state->admin_port},
       {"metrics_port", state->metrics_port},
       {"health_port", state->health_port},
       {"data_dir", config.data_dir}});
  if (!config.ready_file.empty()) {
    TPP_RETURN_IF_ERROR(WriteReadyFile(config.ready_file, state->port,
                                       state->admin_port, state->metrics_port,
                                       state->health_port));
  }
  return std::unique_ptr<Server>(new Server(std::move(state)));
}

void Server::Shutdown() {
  {
    absl::MutexLock lock(&state_->mu);
    if (state_->shut_down) return;
    state_->shut_down = true;
  }
  Log(LogLevel::kInfo, "shutting_down", {});
  // Health turns NOT_SERVING and the guards refuse new calls, so that load
  // balancers and clients go elsewhere; calls already admitted get the grace
  // period to finish. gRPC's own Shutdown(deadline) would also wait for idle
  // client connections to close, which a client that does not poll may never
  // do: so wait for our calls ourselves, then shut down at once.
  state_->external->GetHealthCheckService()->SetServingStatus(false);
  state_->admin->GetHealthCheckService()->SetServingStatus(false);
  if (state_->health != nullptr) {
    state_->health->GetHealthCheckService()->SetServingStatus(false);
  }
  state_->counters.draining.store(true);
  const absl::Time grace_end = absl::Now() + state_->config.shutdown_grace;
  while (state_->counters.tpp_inflight.load() > 0 && absl::Now() < grace_end) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  Log(LogLevel::kInfo, "drained",
      {{"calls_cancelled", state_->counters.tpp_inflight.load()}});
  const auto deadline = absl::ToChronoTime(absl::Now());
  std::thread admin([&] { state_->admin->Shutdown(deadline); });
  state_->external->Shutdown(deadline);
  admin.join();
  if (state_->health != nullptr) state_->health->Shutdown(deadline);
  Log(LogLevel::kInfo, "listeners_stopped", {});
  state_->rotation->Stop();  // uses the commit queue: before it stops
  // The tail of the audit chain gets a signed checkpoint.
  if (absl::Status checkpoint = state_->audit_log->CheckpointNow();
      !checkpoint.ok()) {
    Log(LogLevel::kError, "audit_checkpoint_failed",
        {{"error", std::string(absl::StatusCodeToString(checkpoint.code()))}});
  }
  state_->commits->Stop();
  absl::Status flushed = state_->db->Flush();
  if (!flushed.ok()) {
    Log(LogLevel::kError, "flush_failed", {{"error", flushed.ToString()}});
  }
  Log(LogLevel::kInfo, "stopped", {});
}

}  // namespace tpp
