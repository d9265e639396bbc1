#include "services/audit/breach_report.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace tpp {
std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", t, absl::UTCTimeZone());
}

BreachReportBuilder::BreachReportBuilder(std::string credential,
                                         absl::Time from, absl::Time to) {
  data_.credential = std::move(credential);
  data_.from = from;
  data_.to = to;
}

void BreachReportBuilder::Add(const AuditRecord& record) {
  const AuditEvent& event = record.event;
  ++data_.records;
  if (event.outcome != absl::StatusCode::kOk) {
    ++data_.refused;
    return;
  }
  if (event.members.empty() || event.insurer_id.empty()) return;
  InsurerExposureReport& insurer = data_.insurers[event.insurer_id];
  insurer.insurer_id = event.insurer_id;
  for (const AuditMember& member : event.members) {
    std::string& adherent = insurer.members[member.member_id];
    if (adherent.empty()) adherent = member.adherent_number;
  }
  insurer.categories |= event.categories;
  insurer.first_access = std::min(insurer.first_access, record.time);
  insurer.last_access = std::max(insurer.last_access, record.time);
  ++insurer.record_count;
  data_.categories |= event.categories;
  data_.intelligible = true;  // answered in clear over the caller's TLS
}

BreachReportData BreachReportBuilder::Finish() && {
  for (auto& [id, insurer] : data_.insurers) {
    data_.people += static_cast<int64_t>(insurer.members.size());
    insurer.adherents.reserve(insurer.members.size());
    for (const auto& [member, adherent] : insurer.members) {
      if (adherent.empty()) {
        insurer.unnamed_members.push_back(member);
      } else {
        insurer.adherents.push_back(adherent);
      }
    }
    // Members of one family may share an adherent number.
    std::sort(insurer.adherents.begin(), insurer.adherents.end());
    insurer.adherents.erase(
        std::unique(insurer.adherents.begin(), insurer.adherents.end()),
        insurer.adherents.end());
    std::sort(insurer.unnamed_members.begin(), insurer.unnamed_members.end());
  }
  data_.nature = absl::StrCat(
      "Confidentiality breach: credential ", data_.credential, " made ",
      data_.records, " audited calls between ", Rfc3339(data_.from), " and ",
      Rfc3339(data_.to), " (", data_.refused,
      " refused), and was answered about ", data_.people,
      " distinct members of ", data_.insurers.size(), " insurer(s).");
  return std::move(data_);
}

std::string BreachReportText(const BreachReportData& report) {
  std::string text = absl::StrCat(
      "DRAFT - personal data breach notification (GDPR art. 33)\n\n",
      "Credential concerned: ", report.credential, "\n",
      "Period examined: ", Rfc3339(report.from), " to ", Rfc3339(report.to),
      "\n\n(a) Nature of the breach\n  ", report.nature, "\n",
      "  Categories of personal data concerned: ",
      report.categories == 0
          ? std::string("none")
          : absl::StrJoin(AuditCategoryNames(report.categories), ", "),
      "\n  Approximate number of data subjects concerned: ", report.people,
      "\n  Approximate number of records concerned: ", report.records,
      "\n  Data intelligible to the recipient: ",
      report.intelligible ? "yes (answers were returned decrypted)"
                          : "no member data was returned",
      "\n\n(b) Per insurer (controller), with the members to notify\n");
  if (report.insurers.empty()) text += "  none\n";
  size_t listed = 0;
  int64_t unlisted = 0;
  for (const auto& [id, insurer] : report.insurers) {
    absl::StrAppend(&text, "  insurer ", id, ": ", insurer.members.size(),
                    " members, ", insurer.record_count, " answered calls, ",
                    absl::StrJoin(AuditCategoryNames(insurer.categories), ", "),
                    ", first access ", Rfc3339(insurer.first_access),
                    ", last access ", Rfc3339(insurer.last_access), "\n");
    text += "    adherent numbers:";
    for (const std::string& adherent : insurer.adherents) {
      if (listed >= kBreachReportAdherentsMax) break;
      ++listed;
      absl::StrAppend(&text, " ", adherent);
    }
    for (const std::string& member : insurer.unnamed_members) {
      if (listed >= kBreachReportAdherentsMax) break;
      ++listed;
      absl::StrAppend(&text, " (member ", member, ")");
    }
    text += "\n";
    unlisted += static_cast<int64_t>(insurer.adherents.size() +
                                     insurer.unnamed_members.size());
  }
  unlisted -= static_cast<int64_t>(listed);
  if (unlisted > 0) {
    absl::StrAppend(&text, "  (", unlisted,
                    " more adherent numbers not listed: at most ",
                    kBreachReportAdherentsMax,
                    " per report; narrow the period for the rest)\n");
  }
  text +=
      "\n(c) Likely consequences and (d) measures taken: to be completed by "
      "the controller. The credential was suspended if the exfiltration "
      "breaker tripped (see the audit records refused with "
      "CREDENTIAL_SUSPENDED).\n";
  return text;
}

}  // namespace tpp
