// The audit family's row keys: written by the audit log
// (storage/audit_log_rocks.cc), and known to Db::Open, which hints the
// memtable's inserts by row kind.
#ifndef TPP_STORAGE_AUDIT_KEYS_H_
#define TPP_STORAGE_AUDIT_KEYS_H_

#include <cstddef>

namespace tpp::storage {

// 'r' + big-endian sequence: a chained record.
inline constexpr char kAuditRecordPrefix = 'r';
// 'k' + big-endian sequence: a signed checkpoint.
inline constexpr char kAuditCheckpointPrefix = 'k';
// 'c' + credential + 0x00 + big-endian time (µs) + big-endian sequence: the
// credential index the breach report walks.
inline constexpr char kAuditCredentialPrefix = 'c';
inline constexpr size_t kAuditCredentialSuffixBytes = 16;  // time, sequence

}  // namespace tpp::storage

#endif  // TPP_STORAGE_AUDIT_KEYS_H_
