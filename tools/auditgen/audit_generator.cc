#include "tools/auditgen/audit_generator.h"

#include <cinttypes>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tpp {
namespace {

// A provider's patients: most come back; a pharmacy sees a few thousand.
constexpr int64_t kPatientsPerProvider = 3000;

}  // namespace

absl::Status ValidateAuditGeneratorOptions(const AuditGeneratorOptions& o) {
  if (o.records == 0 || o.records > kAuditGenRecordsMax) {
    return absl::InvalidArgumentError(
        absl::StrCat("records must be 1..", kAuditGenRecordsMax));
  }
  if (o.providers < 1 || o.providers > kAuditGenProvidersMax) {
    return absl::InvalidArgumentError(
        absl::StrCat("providers must be 1..", kAuditGenProvidersMax));
  }
  if (o.insurers < 1 || o.insurers > kAuditGenInsurersMax) {
    return absl::InvalidArgumentError(
        absl::StrCat("insurers must be 1..", kAuditGenInsurersMax));
  }
  if (o.members_per_insurer < kPatientsPerProvider) {
    return absl::InvalidArgumentError(absl::StrCat(
        "members_per_insurer must be at least ", kPatientsPerProvider));
  }
  if (o.stolen_records + o.heavy_records > o.records / 2) {
    return absl::InvalidArgumentError(
        "stolen_records + heavy_records must be at most half the records");
  }
  // The thief sees a different member at every call.
  if (o.stolen_records / static_cast<uint64_t>(o.insurers) >=
      static_cast<uint64_t>(o.members_per_insurer)) {
    return absl::InvalidArgumentError(
        "stolen_records exceeds the members of every insurer");
  }
  if (o.stolen_provider.empty() || o.heavy_provider.empty() ||
      o.stolen_provider == o.heavy_provider) {
    return absl::InvalidArgumentError(
        "stolen_provider and heavy_provider must be distinct ids");
  }
  return absl::OkStatus();
}

AuditEventGenerator::AuditEventGenerator(uint64_t seed,
                                         AuditGeneratorOptions options)
    : rng_(seed), options_(std::move(options)) {
  for (int i = 0; i < options_.insurers; ++i) {
    // AMC registration numbers look like this: 9 digits.
    insurer_ids_.push_back(absl::StrFormat("77%07d", 5671 + i * 37));
  }
  member_suffix_ = absl::StrFormat("%016" PRIx64, rng_());
}

int64_t AuditEventGenerator::Uniform(int64_t lo, int64_t hi) {
  const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
  return lo + static_cast<int64_t>(rng_() % span);
}

bool AuditEventGenerator::Spread(uint64_t i, uint64_t count,
                                 double phase) const {
  const uint64_t n = options_.records;
  const uint64_t offset = static_cast<uint64_t>(phase * static_cast<double>(n));
  return ((i + 1) * count + offset) / n != (i * count + offset) / n;
}

std::string AuditEventGenerator::Credential(const std::string& finess) const {
  return absl::StrCat("spiffe://", options_.trust_domain, "/provider/", finess);
}

void AuditEventGenerator::Member(int insurer, int64_t index,
                                 AuditEvent* event) const {
  // As the member store's ids: a growing counter, then a per-process half.
  const uint64_t counter =
      (uint64_t{0x0005f1} << 40) +
      static_cast<uint64_t>(insurer) *
          static_cast<uint64_t>(options_.members_per_insurer) +
      static_cast<uint64_t>(index);
  event->insurer_id = insurer_ids_[static_cast<size_t>(insurer)];
  event->members.push_back(
      {absl::StrFormat("%016" PRIx64 "%s", counter, member_suffix_),
       absl::StrFormat("%03d%010d", insurer % 1000, index)});
}

AuditEvent AuditEventGenerator::Next() {
  const uint64_t i = produced_++;
  AuditEvent event;
  event.caller_role = "provider";
  if (Spread(i, options_.stolen_records, 0.5)) {
    // The thief enumerates: one new member per call, insurer after insurer.
    const uint64_t k = stolen_produced_++;
    const int insurer =
        static_cast<int>(k % static_cast<uint64_t>(options_.insurers));
    const int64_t index =
        static_cast<int64_t>(k / static_cast<uint64_t>(options_.insurers));
    event.caller_id = options_.stolen_provider;
    event.caller = Credential(event.caller_id);
    event.method = "CheckEligibility";
    event.categories = kAuditCoverage;
    Member(insurer, index, &event);
    return event;
  }
  int64_t provider;
  int64_t pool_start;
  int64_t pool_size = kPatientsPerProvider;
  if (Spread(i, options_.heavy_records, 0.25)) {
    event.caller_id = options_.heavy_provider;
    provider = options_.providers;  // its own patients
    pool_size = options_.members_per_insurer;
  } else {
    // Skewed: a few big pharmacies, a long tail of small ones.
    const double u = static_cast<double>(Uniform(0, 1'000'000)) / 1e6;
    provider = static_cast<int64_t>(u * u * options_.providers);
    if (provider >= options_.providers) provider = options_.providers - 1;
    event.caller_id = absl::StrFormat("75%07d", 100 + provider);
  }
  event.caller = Credential(event.caller_id);
  pool_start = (provider * 7919) % options_.members_per_insurer;
  // Big insurers first.
  const double v = static_cast<double>(Uniform(0, 1'000'000)) / 1e6;
  int insurer = static_cast<int>(v * v * options_.insurers);
  if (insurer >= options_.insurers) insurer = options_.insurers - 1;
  const int64_t index =
      (pool_start + Uniform(0, pool_size - 1)) % options_.members_per_insurer;
  const int64_t what = Uniform(0, 99);
  if (what < 60) {
    event.method = "CheckEligibility";
    event.categories = kAuditCoverage;
    Member(insurer, index, &event);
  } else if (what < 88) {
    event.method = "SubmitClaim";
    event.categories = kAuditClaim | kAuditCoverage;
    event.object = absl::StrFormat("%016x", rng_());
    Member(insurer, index, &event);
  } else if (what < 95) {
    event.method = "GetClaim";
    event.categories = kAuditClaim;
    event.object = absl::StrFormat("%016x", rng_());
    Member(insurer, index, &event);
  } else if (what < 97) {
    event.method = "CancelClaim";
    event.categories = kAuditClaim;
    event.object = absl::StrFormat("%016x", rng_());
    Member(insurer, index, &event);
  } else {
    // A patient the insurer does not know: nothing answered about anyone.
    event.method = "CheckEligibility";
    event.insurer_id = insurer_ids_[static_cast<size_t>(insurer)];
    event.outcome = absl::StatusCode::kNotFound;
    event.reason = "MEMBER_NOT_FOUND";
  }
  return event;
}

}  // namespace tpp
