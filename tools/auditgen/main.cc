// tpp-auditgen: fills a data directory's audit chain with synthetic records
// (tools/auditgen/audit_generator.h) through the real path: the commit
// queue's group commit, RocksAuditLog's sealing (hash chain, credential
// index) and its checkpoints signed with the audit key derived from the
// master key, as tppd would. Record times are spread over --span_hours
// ending now (each group of records shares its instant, as in tppd).
//
//   tpp-auditgen --data_dir D --master_key_file F --records 10000000
//                [--providers N --insurers N --stolen_records N ...]
//
// For scale tests (BENCHMARKS.md); the directory must hold no audit chain.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/common/status_macros.h"
#include "storage/audit_log_rocks.h"
#include "storage/commit_queue.h"
#include "storage/crypto/audit_signer.h"
#include "storage/crypto/keyring.h"
#include "storage/crypto/master_key_file.h"
#include "storage/db.h"
#include "tools/auditgen/audit_generator.h"

ABSL_FLAG(std::string, data_dir, "", "tppd's data directory (required)");
ABSL_FLAG(std::string, master_key_file, "",
          "the master key file tppd uses: checkpoints are signed with its "
          "audit key (required)");
ABSL_FLAG(uint64_t, records, 10'000'000, "audit records to write");
ABSL_FLAG(int, providers, 20'000, "provider credentials (skewed shares)");
ABSL_FLAG(int, insurers, 60, "insurers whose members are touched");
ABSL_FLAG(int64_t, members_per_insurer, 200'000, "members per insurer");
ABSL_FLAG(std::string, trust_domain, "tpp.local", "SPIFFE trust domain");
ABSL_FLAG(std::string, stolen_provider, "750999001",
          "provider id of the enumerating (stolen) credential");
ABSL_FLAG(uint64_t, stolen_records, 30'000, "its records: distinct members");
ABSL_FLAG(std::string, heavy_provider, "750999002",
          "provider id of a very busy credential");
ABSL_FLAG(uint64_t, heavy_records, 1'000'000, "its records");
ABSL_FLAG(int64_t, span_hours, 72, "record times cover this many hours");
ABSL_FLAG(uint64_t, seed, 1, "the generator's seed");
ABSL_FLAG(int, chunk, 256, "records per Commit call");
ABSL_FLAG(int, inflight, 8, "Commit calls in flight");
ABSL_FLAG(uint64_t, checkpoint_records, 10'000,
          "a signed checkpoint every so many records (as tppd)");
ABSL_FLAG(int64_t, checkpoint_interval_s, 10,
          "and every so many seconds of record time (as tppd)");

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "tpp-auditgen: %s\n", message.c_str());
  return 2;
}

absl::StatusOr<std::unique_ptr<tpp::crypto::AuditSigner>> SignerFrom(
    const std::string& master_key_file) {
  TPP_ASSIGN_OR_RETURN(std::vector<tpp::crypto::MasterKey> masters,
                       tpp::crypto::LoadMasterKeys(master_key_file));
  tpp::crypto::KeyRing ring;
  uint32_t primary = 0;
  for (tpp::crypto::MasterKey& master : masters) {
    primary = std::max(primary, master.version);
    TPP_RETURN_IF_ERROR(
        ring.AddMasterKey(master.version, std::move(master.key)));
  }
  TPP_RETURN_IF_ERROR(ring.SetPrimary(primary));
  TPP_ASSIGN_OR_RETURN(tpp::crypto::SecureBytes seed, ring.AuditSigningSeed());
  return tpp::crypto::AuditSigner::FromSeed(seed);
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "tpp-auditgen: synthetic audit records through the real audit chain");
  absl::ParseCommandLine(argc, argv);
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  if (data_dir.empty()) return Fail("--data_dir is required");
  tpp::AuditGeneratorOptions options;
  options.records = absl::GetFlag(FLAGS_records);
  options.providers = absl::GetFlag(FLAGS_providers);
  options.insurers = absl::GetFlag(FLAGS_insurers);
  options.members_per_insurer = absl::GetFlag(FLAGS_members_per_insurer);
  options.trust_domain = absl::GetFlag(FLAGS_trust_domain);
  options.stolen_provider = absl::GetFlag(FLAGS_stolen_provider);
  options.stolen_records = absl::GetFlag(FLAGS_stolen_records);
  options.heavy_provider = absl::GetFlag(FLAGS_heavy_provider);
  options.heavy_records = absl::GetFlag(FLAGS_heavy_records);
  if (absl::Status valid = tpp::ValidateAuditGeneratorOptions(options);
      !valid.ok()) {
    return Fail(std::string(valid.message()));
  }
  const int chunk = absl::GetFlag(FLAGS_chunk);
  const int inflight_max = absl::GetFlag(FLAGS_inflight);
  const int64_t span_hours = absl::GetFlag(FLAGS_span_hours);
  if (chunk < 1 || chunk > 65536) return Fail("--chunk must be 1..65536");
  if (inflight_max < 1 || inflight_max > 1024) {
    return Fail("--inflight must be 1..1024");
  }
  if (span_hours < 1) return Fail("--span_hours must be positive");

  auto signer = SignerFrom(absl::GetFlag(FLAGS_master_key_file));
  if (!signer.ok()) return Fail(signer.status().ToString());
  auto db = tpp::storage::Db::Open(data_dir, tpp::storage::Db::Options());
  if (!db.ok()) return Fail(db.status().ToString());
  auto commits = std::make_unique<tpp::storage::CommitQueue>(
      (*db)->raw(), tpp::storage::CommitQueue::Options());

  // Record time follows the records handed over, from now - span to now.
  const absl::Time end = absl::Now();
  const absl::Duration step = absl::Hours(span_hours) / options.records;
  const absl::Time start = end - absl::Hours(span_hours);
  std::atomic<uint64_t> submitted{0};
  tpp::storage::RocksAuditLog::Options log_options;
  log_options.checkpoint_records = absl::GetFlag(FLAGS_checkpoint_records);
  log_options.checkpoint_interval =
      absl::Seconds(absl::GetFlag(FLAGS_checkpoint_interval_s));
  log_options.now = [&] { return start + step * submitted.load(); };
  auto log =
      tpp::storage::RocksAuditLog::Open(db->get(), commits.get(), log_options);
  if (!log.ok()) return Fail(log.status().ToString());
  if ((*log)->HeadSequence() != 0) {
    return Fail("the data directory already holds an audit chain");
  }
  (*log)->SetSigner(*std::move(signer));

  tpp::AuditEventGenerator generator(absl::GetFlag(FLAGS_seed), options);
  absl::Mutex mu;
  int inflight = 0;
  struct Room {
    const int* inflight;
    int max;
    bool Ready() const { return *inflight < max; }
  } room{&inflight, inflight_max};
  absl::Status failed;
  const absl::Time began = absl::Now();
  uint64_t next_report = 1'000'000;
  while (generator.produced() < options.records) {
    std::vector<tpp::storage::AuditPayload> payloads;
    while (payloads.size() < static_cast<size_t>(chunk) &&
           generator.produced() < options.records) {
      payloads.push_back(tpp::storage::AuditPayloadOf(generator.Next()));
    }
    {
      absl::MutexLock lock(&mu);
      mu.Await(absl::Condition(&room, &Room::Ready));
      if (!failed.ok()) break;
      ++inflight;
    }
    submitted.fetch_add(payloads.size());
    commits->Commit(rocksdb::WriteBatch(), std::move(payloads),
                    [&](absl::Status status) {
                      absl::MutexLock lock(&mu);
                      --inflight;
                      if (!status.ok() && failed.ok()) failed = status;
                    });
    if (generator.produced() >= next_report) {
      const double s = absl::ToDoubleSeconds(absl::Now() - began);
      std::fprintf(stderr, "%llu records, %.0f s, %.0f records/s\n",
                   static_cast<unsigned long long>(generator.produced()), s,
                   static_cast<double>(generator.produced()) / s);
      next_report += 1'000'000;
    }
  }
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(
        +[](int* n) { return *n == 0; }, &inflight));
  }
  if (!failed.ok()) return Fail(failed.ToString());
  if (absl::Status checkpoint = (*log)->CheckpointNow(); !checkpoint.ok()) {
    return Fail(checkpoint.ToString());
  }
  const uint64_t head = (*log)->HeadSequence();
  auto checkpoints = (*log)->Checkpoints(0, ~size_t{0});
  commits->Stop();
  if (absl::Status flushed = (*db)->Flush(); !flushed.ok()) {
    return Fail(flushed.ToString());
  }
  const double s = absl::ToDoubleSeconds(absl::Now() - began);
  std::printf(
      "wrote %llu audit records (head %llu, %zu signed checkpoints) in %.1f s "
      "(%.0f records/s); times %s .. %s\n"
      "stolen credential %s, heavy credential %s\n",
      static_cast<unsigned long long>(options.records),
      static_cast<unsigned long long>(head),
      checkpoints.ok() ? checkpoints->size() : size_t{0}, s,
      static_cast<double>(options.records) / s,
      absl::FormatTime(absl::RFC3339_sec, start, absl::UTCTimeZone()).c_str(),
      absl::FormatTime(absl::RFC3339_sec, end, absl::UTCTimeZone()).c_str(),
      generator.Credential(options.stolen_provider).c_str(),
      generator.Credential(options.heavy_provider).c_str());
  commits.reset();
  log->reset();
  return 0;
}
