// The isolation state machine (DESIGN.md, "The isolation switch"): every
// scope's state, the pending reopen proposals and their quorum, expiry, the
// generation number, the sealed flag, and the admission rules the gate
// applies to each external call. Pure: no clock (times are passed in), no
// storage, no gRPC; IsolationSwitch drives it and persists it.
//
// Scopes: PLATFORM (id empty), INSURER (insurer id), PROVIDER (provider id),
// CREDENTIAL (a full SPIFFE ID). States: OPEN, ISOLATED, REOPENING. One
// operator isolates any scope at once. Reopening is a proposal approved by
// distinct operators (the proposer counts once) up to the quorum:
//   PLATFORM, INSURER:     ISOLATED -> REOPENING (allow-list; REOPENING ->
//                          REOPENING widens or narrows it) -> OPEN
//   PROVIDER, CREDENTIAL:  ISOLATED -> OPEN (one principal: no allow-list)
// Isolating a scope again drops its pending proposals. Every change bumps
// the generation and yields control events (the durable log).
//
// Thread safety: like a value type. Const methods may run concurrently; the
// gate shares an immutable copy (std::shared_ptr<const IsolationState>).
#ifndef TPP_SERVICES_ISOLATION_ISOLATION_STATE_H_
#define TPP_SERVICES_ISOLATION_ISOLATION_STATE_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace tpp::isolation {

inline constexpr size_t kReasonBytesMax = 512;
inline constexpr size_t kScopeIdBytesMax = 256;  // a SPIFFE ID, for credentials
inline constexpr size_t kPrincipalIdBytesMax = 64;
inline constexpr size_t kAllowlistMax = 256;
inline constexpr size_t kProposalsMax = 64;
inline constexpr size_t kScopesMax = 4096;  // scopes not OPEN
inline constexpr int kQuorumMin = 2;
inline constexpr int kQuorumMax = 16;

enum class ScopeKind : uint8_t {
  kPlatform = 1,
  kInsurer = 2,
  kProvider = 3,
  kCredential = 4
};
enum class State : uint8_t { kOpen = 1, kIsolated = 2, kReopening = 3 };

const char* ScopeKindName(ScopeKind kind);
const char* StateName(State state);

struct Scope {
  ScopeKind kind = ScopeKind::kPlatform;
  std::string id;  // empty for the platform
  bool operator==(const Scope& o) const { return kind == o.kind && id == o.id; }
};

// "platform", "insurer:ID", ... (logs and the control log; no personal data:
// ids of organisations and credentials only).
std::string ScopeLabel(const Scope& scope);

struct ScopeState {
  Scope scope;
  State state = State::kOpen;
  std::string reason;
  std::string changed_by;  // operator SPIFFE ID, or "tppd"
  absl::Time changed_at = absl::UnixEpoch();
  std::vector<std::string> allowlist;  // sorted, unique; REOPENING only
};

struct Proposal {
  std::string id;
  Scope scope;
  State target = State::kOpen;
  std::vector<std::string> allowlist;  // sorted, unique
  std::string reason;
  std::string proposed_by;
  std::vector<std::string> approved_by;  // distinct, never the proposer
  absl::Time created_at = absl::UnixEpoch();
  absl::Time expires_at = absl::UnixEpoch();
};

// Everything that is persisted, as plain data.
struct IsolationRecord {
  uint64_t generation = 0;
  uint64_t next_proposal = 1;
  std::vector<ScopeState> scopes;  // every scope not OPEN, and the platform
  std::vector<Proposal> proposals;
  bool sealed = false;
  // Identifies the master key that unsealing must rebuild.
  uint32_t sealed_master_version = 0;
  std::string sealed_key_check;
};

// One line of the durable control log (audit until AuditService exists).
struct ControlEvent {
  absl::Time at = absl::UnixEpoch();
  std::string kind;   // "isolate", "propose", "approval_refused", ...
  std::string actor;  // operator SPIFFE ID, or "tppd"
  std::string detail;
};

// Who is calling, as the gate sees it (views into the caller's identity,
// valid for the duration of the admission call).
struct Principal {
  enum class Kind : uint8_t { kProvider, kInsurer, kOther };
  Kind kind = Kind::kOther;
  absl::string_view id;
  absl::string_view spiffe_id;
};

struct SwitchOptions {
  int quorum = 2;  // distinct operators, the proposer included
  absl::Duration proposal_ttl = absl::Minutes(15);
};

// INVALID_ARGUMENT unless kQuorumMin <= quorum <= kQuorumMax and the TTL is
// between a minute and a day.
absl::Status ValidateOptions(const SwitchOptions& options);

class IsolationState {
 public:
  struct Approval {
    Proposal proposal;
    bool applied = false;
  };

  // Platform OPEN, generation 0, nothing pending.
  IsolationState();
  // DATA_LOSS if `record` breaks an invariant (the store then fails closed).
  static absl::StatusOr<IsolationState> FromRecord(IsolationRecord record);
  // The fail-closed state: platform ISOLATED by "tppd".
  static IsolationState PlatformIsolated(absl::string_view reason,
                                         absl::Time now);
  IsolationRecord ToRecord() const;

  uint64_t generation() const { return generation_; }
  bool sealed() const { return sealed_; }
  uint32_t sealed_master_version() const { return sealed_master_version_; }
  const std::string& sealed_key_check() const { return sealed_key_check_; }

  // The scope's state (OPEN when not listed).
  ScopeState Get(const Scope& scope) const;
  // Platform first, then by kind and id.
  std::vector<ScopeState> Scopes() const;
  std::vector<Proposal> Proposals() const;

  // Each mutator validates its input (INVALID_ARGUMENT with field
  // violations), changes the state and bumps the generation, or changes
  // nothing; `events` receives what the control log must record, refusals
  // included.
  absl::Status Isolate(const Scope& scope, absl::string_view reason,
                       absl::string_view actor, absl::Time now,
                       std::vector<ControlEvent>* events);
  absl::StatusOr<Proposal> Propose(const Scope& scope, State target,
                                   std::vector<std::string> allowlist,
                                   absl::string_view reason,
                                   absl::string_view actor,
                                   const SwitchOptions& options, absl::Time now,
                                   std::vector<ControlEvent>* events);
  absl::StatusOr<Approval> Approve(absl::string_view proposal_id,
                                   absl::string_view actor,
                                   const SwitchOptions& options, absl::Time now,
                                   std::vector<ControlEvent>* events);
  // Drops proposals past their expiry; returns how many.
  int ExpireProposals(absl::Time now, std::vector<ControlEvent>* events);
  // Records that the keys were sealed (with the check value of the master
  // key that unsealing must rebuild) or unsealed.
  void SetSealed(bool sealed, uint32_t master_version,
                 absl::string_view key_check, absl::string_view actor,
                 absl::Time now, std::vector<ControlEvent>* events);

  // Admission of an external call (the gate). OK, UNAVAILABLE with reason
  // PLATFORM_ISOLATED / PROVIDER_ISOLATED / INSURER_ISOLATED, or
  // PERMISSION_DENIED with CREDENTIAL_SUSPENDED.
  absl::Status Admit(const Principal& caller) const;
  // The insurer scope of `insurer_id`, whoever the caller.
  absl::Status AdmitInsurer(const Principal& caller,
                            absl::string_view insurer_id) const;

 private:
  using ScopeMap = absl::flat_hash_map<std::string, ScopeState>;

  const ScopeState* Find(ScopeKind kind, absl::string_view id) const;
  ScopeMap& MapOf(ScopeKind kind) { return by_kind_[Index(kind)]; }
  static size_t Index(ScopeKind kind) { return static_cast<size_t>(kind) - 1; }
  size_t NotOpenCount() const;
  void Put(ScopeState state);
  void RecomputeQuiet();

  uint64_t generation_ = 0;
  uint64_t next_proposal_ = 1;
  // Index(kind) -> id -> state; OPEN scopes are absent, but the platform.
  std::array<ScopeMap, 4> by_kind_;
  std::map<std::string, Proposal> proposals_;
  bool sealed_ = false;
  uint32_t sealed_master_version_ = 0;
  std::string sealed_key_check_;
  // Platform OPEN and no other scope listed: every call passes at once.
  bool quiet_ = true;
};

}  // namespace tpp::isolation

#endif  // TPP_SERVICES_ISOLATION_ISOLATION_STATE_H_
