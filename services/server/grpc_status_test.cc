#include "services/server/grpc_status.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "services/common/errors.h"

namespace tpp {
namespace {

TEST(GrpcStatusTest, CarriesErrorInfoBadRequestAndRetryInfo) {
  Violations violations;
  violations.Add("beneficiary.nir", "NIR key does not match");
  violations.Add("lines", "at least one line is required");
  absl::Status status =
      WithRetryDelay(violations.ToStatus(), absl::Milliseconds(1500));

  grpc::Status out = ToGrpcStatus(status);
  EXPECT_EQ(out.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(out.error_details()));
  EXPECT_EQ(details.code(), 3);
  ASSERT_EQ(details.details_size(), 3);

  google::rpc::ErrorInfo info;
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  EXPECT_EQ(info.domain(), "tpp.v1");
  EXPECT_EQ(info.reason(), "INVALID_ARGUMENT");
  EXPECT_EQ(details.details(0).type_url(),
            "type.googleapis.com/google.rpc.ErrorInfo");

  google::rpc::BadRequest bad;
  ASSERT_TRUE(details.details(1).UnpackTo(&bad));
  ASSERT_EQ(bad.field_violations_size(), 2);
  EXPECT_EQ(bad.field_violations(0).field(), "beneficiary.nir");
  EXPECT_EQ(bad.field_violations(1).field(), "lines");

  google::rpc::RetryInfo retry;
  ASSERT_TRUE(details.details(2).UnpackTo(&retry));
  EXPECT_EQ(retry.retry_delay().seconds(), 1);
  EXPECT_EQ(retry.retry_delay().nanos(), 500000000);
}

TEST(GrpcStatusTest, DefaultReasonIsTheCodeName) {
  grpc::Status out = ToGrpcStatus(absl::FailedPreconditionError("x"));
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(out.error_details()));
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "FAILED_PRECONDITION");
}

TEST(GrpcStatusTest, OkIsOk) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

}  // namespace
}  // namespace tpp
