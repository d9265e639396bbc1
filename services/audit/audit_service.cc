#include "services/audit/audit_service.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "services/audit/audited.h"
#include "services/audit/breach_report.h"
#include "services/common/errors.h"
#include "services/common/validation.h"
#include "services/server/reactors.h"

namespace tpp {
namespace {

constexpr uint32_t kCheckpointsDefault = 1000;
constexpr uint32_t kCheckpointsMax = 10000;

absl::StatusOr<absl::Time> ParseInstant(const std::string& text,
                                        absl::string_view field) {
  absl::Time t;
  std::string error;
  if (text.size() > 64 ||
      !absl::ParseTime(absl::RFC3339_full, text, &t, &error)) {
    return InvalidField(field, "must be an RFC 3339 instant");
  }
  return t;
}

void CheckpointToProto(const AuditCheckpoint& checkpoint,
                       tpp::v1::AuditCheckpoint* out) {
  out->set_sequence(checkpoint.sequence);
  out->set_head_hash(absl::BytesToHexString(checkpoint.head_hash));
  out->set_time(Rfc3339(checkpoint.time));
  out->set_time_us(absl::ToUnixMicros(checkpoint.time));
  out->set_public_key(absl::BytesToHexString(checkpoint.public_key));
  out->set_signature(absl::BytesToHexString(checkpoint.signature));
}

}  // namespace

grpc::ServerUnaryReactor* AuditServiceImpl::VerifyChain(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::VerifyChainRequest* request,
    tpp::v1::VerifyChainResponse* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kVerifyChain, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  AuditEvent event = AuditEventFor(*caller, method::kVerifyChain);
  event.categories = kAuditPlatform;
  if (request->to() != 0 && request->from() > request->to()) {
    return FinishUnaryAudited(trail_, ctx, std::move(event),
                              InvalidField("from", "must not be after `to`"));
  }
  if (request->known_checkpoints_size() > static_cast<int>(kCheckpointsMax)) {
    return FinishUnaryAudited(
        trail_, ctx, std::move(event),
        InvalidField("known_checkpoints", "at most 10000 per call"));
  }
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  executor_->Run([this, reactor, request, response,
                  event = std::move(event)]() mutable {
    absl::StatusOr<ChainVerification> verified =
        log_->Verify(request->from(), request->to());
    if (!verified.ok()) {
      FinishAudited(trail_, reactor, std::move(event), verified.status());
      return;
    }
    // Checkpoints kept outside: the chain must still hold their hashes.
    uint64_t outside_broken = 0;
    std::string outside_detail;
    for (const tpp::v1::AuditCheckpoint& known : request->known_checkpoints()) {
      absl::StatusOr<std::string> hash = log_->RecordHash(known.sequence());
      const bool holds =
          hash.ok() && absl::BytesToHexString(*hash) == known.head_hash();
      if (!holds &&
          (outside_broken == 0 || known.sequence() < outside_broken)) {
        outside_broken = known.sequence();
        outside_detail = absl::StrCat(
            "record ", known.sequence(),
            hash.ok() ? " differs from the checkpoint kept outside"
                      : " (covered by a checkpoint kept outside) is missing");
      }
    }
    if (outside_broken != 0 &&
        (verified->ok || outside_broken < verified->first_broken_sequence)) {
      verified->ok = false;
      verified->first_broken_sequence = outside_broken;
      verified->detail = outside_detail;
    }
    response->set_ok(verified->ok);
    if (!verified->ok) {
      response->set_first_broken_sequence(verified->first_broken_sequence);
    }
    response->set_records_checked(verified->records_checked);
    response->set_checkpoints_checked(verified->checkpoints_checked);
    response->set_head_hash(verified->head_hash);
    response->set_detail(verified->detail);
    event.count = static_cast<int64_t>(verified->records_checked);
    FinishAudited(trail_, reactor, std::move(event), absl::OkStatus());
  });
  return reactor;
}

grpc::ServerUnaryReactor* AuditServiceImpl::BreachReport(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::BreachReportRequest* request,
    tpp::v1::BreachReportResponse* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kBreachReport, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  AuditEvent event = AuditEventFor(*caller, method::kBreachReport);
  event.categories = kAuditPlatform;
  auto refuse = [&](absl::Status status) {
    return FinishUnaryAudited(trail_, ctx, std::move(event), status);
  };
  // Whose calls: one credential, or the provider's (one SPIFFE ID per
  // provider in this trust domain).
  std::string credential;
  if (request->credential().empty() == request->provider_id().empty()) {
    return refuse(InvalidField("credential",
                               "give exactly one of credential, provider_id"));
  }
  if (!request->credential().empty()) {
    absl::StatusOr<Identity> identity =
        ParseSpiffeId(request->credential(), guard_.options().trust_domain);
    if (!identity.ok()) {
      return refuse(InvalidField("credential",
                                 "must be a SPIFFE ID of this trust domain"));
    }
    credential = identity->spiffe_id;
  } else {
    if (!IsIdentifier(request->provider_id(), kIdentityIdBytesMax)) {
      return refuse(InvalidField("provider_id", "must be a provider id"));
    }
    credential = absl::StrCat("spiffe://", guard_.options().trust_domain,
                              "/provider/", request->provider_id());
  }
  absl::StatusOr<absl::Time> from = ParseInstant(request->from(), "from");
  if (!from.ok()) return refuse(from.status());
  absl::Time to = absl::Now();
  if (!request->to().empty()) {
    absl::StatusOr<absl::Time> parsed = ParseInstant(request->to(), "to");
    if (!parsed.ok()) return refuse(parsed.status());
    to = *parsed;
  }
  if (*from > to) return refuse(InvalidField("from", "must not be after `to`"));
  event.object = credential;
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  executor_->Run([this, reactor, response, credential, from = *from, to,
                  event = std::move(event)]() mutable {
    BreachReportBuilder builder(credential, from, to);
    absl::Status scanned = log_->ScanCredential(credential, from, to,
                                                [&](const AuditRecord& record) {
                                                  builder.Add(record);
                                                  return absl::OkStatus();
                                                });
    if (!scanned.ok()) {
      FinishAudited(trail_, reactor, std::move(event), scanned);
      return;
    }
    BreachReportData report = std::move(builder).Finish();
    response->set_credential(report.credential);
    response->set_from(Rfc3339(report.from));
    response->set_to(Rfc3339(report.to));
    response->set_nature(report.nature);
    for (std::string& name : AuditCategoryNames(report.categories)) {
      response->add_data_categories(std::move(name));
    }
    response->set_approximate_people(report.people);
    response->set_approximate_records(report.records);
    response->set_refused_records(report.refused);
    response->set_data_intelligible(report.intelligible);
    size_t listed = 0;
    for (const auto& [id, insurer] : report.insurers) {
      tpp::v1::InsurerExposure* out = response->add_insurers();
      out->set_insurer_id(id);
      out->set_member_count(static_cast<int64_t>(insurer.members.size()));
      for (const std::string& adherent : insurer.adherents) {
        if (listed++ >= kBreachReportAdherentsMax) break;
        out->add_adherent_numbers(adherent);
      }
      for (std::string& name : AuditCategoryNames(insurer.categories)) {
        out->add_data_categories(std::move(name));
      }
      out->set_first_access(Rfc3339(insurer.first_access));
      out->set_last_access(Rfc3339(insurer.last_access));
      out->set_record_count(insurer.record_count);
      out->set_data_intelligible(true);
    }
    response->set_text(BreachReportText(report));
    event.count = report.people;
    FinishAudited(trail_, reactor, std::move(event), absl::OkStatus());
  });
  return reactor;
}

grpc::ServerUnaryReactor* AuditServiceImpl::ExportCheckpoints(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::ExportCheckpointsRequest* request,
    tpp::v1::ExportCheckpointsResponse* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kExportCheckpoints, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  AuditEvent event = AuditEventFor(*caller, method::kExportCheckpoints);
  event.categories = kAuditPlatform;
  if (request->max() > kCheckpointsMax) {
    return FinishUnaryAudited(trail_, ctx, std::move(event),
                              InvalidField("max", "at most 10000"));
  }
  const uint32_t max =
      request->max() == 0 ? kCheckpointsDefault : request->max();
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  executor_->Run([this, reactor, request, response, max,
                  event = std::move(event)]() mutable {
    absl::StatusOr<std::vector<AuditCheckpoint>> checkpoints =
        log_->Checkpoints(request->from(), max);
    if (checkpoints.ok()) {
      for (const AuditCheckpoint& checkpoint : *checkpoints) {
        CheckpointToProto(checkpoint, response->add_checkpoints());
      }
      response->set_head_sequence(log_->HeadSequence());
      if (!checkpoints->empty()) {
        response->set_public_key(
            absl::BytesToHexString(checkpoints->back().public_key));
      }
      event.count = static_cast<int64_t>(checkpoints->size());
    }
    FinishAudited(trail_, reactor, std::move(event), checkpoints.status());
  });
  return reactor;
}

}  // namespace tpp
