// AuditEventGenerator: realistic synthetic audit events for the breach
// report's scale test (issue #7: a report over 10 million records in under
// 10 s). Pharmacies and clinics (provider credentials, a skewed share each:
// a few big ones, many small ones) check eligibility and submit claims about
// members of many insurers; member ids look like the member store's
// (32 hex digits), adherent numbers like an insurer's.
//
// Two credentials get an exact number of records, spread evenly over the
// whole output so that their records are scattered through the chain (the
// report's worst case for locality):
//   - `stolen`: an enumerating thief, a different member at every call;
//   - `heavy`: a very busy credential (a hospital group's gateway).
//
// The output depends only on the seed and the options (no
// std::*_distribution). Thread-compatible.
#ifndef TPP_TOOLS_AUDITGEN_AUDIT_GENERATOR_H_
#define TPP_TOOLS_AUDITGEN_AUDIT_GENERATOR_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "services/audit/audit_event.h"

namespace tpp {

inline constexpr uint64_t kAuditGenRecordsMax = 100'000'000;
inline constexpr int kAuditGenProvidersMax = 1'000'000;
inline constexpr int kAuditGenInsurersMax = 10'000;

struct AuditGeneratorOptions {
  uint64_t records = 10'000'000;
  int providers = 20'000;  // about France's pharmacies
  int insurers = 60;
  int64_t members_per_insurer = 200'000;
  std::string trust_domain = "tpp.local";
  std::string stolen_provider = "750999001";
  uint64_t stolen_records = 30'000;
  std::string heavy_provider = "750999002";
  uint64_t heavy_records = 1'000'000;
};

// OK, or INVALID_ARGUMENT naming the bad option.
absl::Status ValidateAuditGeneratorOptions(const AuditGeneratorOptions& o);

class AuditEventGenerator {
 public:
  // REQUIRES: ValidateAuditGeneratorOptions(options).ok().
  AuditEventGenerator(uint64_t seed, AuditGeneratorOptions options);

  // The event of record number `produced()`; at most `options.records`.
  AuditEvent Next();
  uint64_t produced() const { return produced_; }

  // The SPIFFE ID of provider `finess`.
  std::string Credential(const std::string& finess) const;

 private:
  int64_t Uniform(int64_t lo, int64_t hi);  // inclusive
  // Whether record `i` is one of `count` spread evenly over the records,
  // starting at `phase` (0..1).
  bool Spread(uint64_t i, uint64_t count, double phase) const;
  void Member(int insurer, int64_t index, AuditEvent* event) const;

  std::mt19937_64 rng_;
  const AuditGeneratorOptions options_;
  std::vector<std::string> insurer_ids_;
  std::string member_suffix_;  // the member store's per-process half
  uint64_t produced_ = 0;
  uint64_t stolen_produced_ = 0;
};

}  // namespace tpp

#endif  // TPP_TOOLS_AUDITGEN_AUDIT_GENERATOR_H_
