#include "services/members/member_csv.h"

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tpp {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// What a parse produced: rows and per-record errors in order, then the
// fatal error if any.
struct Outcome {
  std::vector<absl::StatusOr<MemberCsvRow>> records;
  absl::Status fatal;
};

Outcome ParseChunked(const std::string& input, size_t chunk_bytes) {
  Outcome outcome;
  MemberCsvParser parser;
  MemberCsvRow row;
  auto drain = [&]() {
    while (true) {
      absl::StatusOr<bool> got = parser.Next(&row);
      if (!got.ok()) {
        if (parser.failed()) {
          outcome.fatal = got.status();
          EXPECT_EQ(parser.Next(&row).status(), got.status());
          return false;
        }
        outcome.records.push_back(got.status());
      } else if (!*got) {
        return true;
      } else {
        outcome.records.push_back(row);
      }
    }
  };
  for (size_t i = 0; i < input.size(); i += chunk_bytes) {
    parser.Feed(absl::string_view(input).substr(i, chunk_bytes));
    if (!drain()) return outcome;
  }
  parser.Finish();
  drain();
  return outcome;
}

Outcome Parse(const std::string& input) {
  return ParseChunked(input, input.size() + 1);
}

MemberCsvRow SampleRow() {
  MemberCsvRow row;
  row.adherent_number = "1000000001";
  row.nir = "295109912611193";
  row.birth_date = "1995-10-04";
  row.birth_rank = 1;
  row.last_name = "Lefèvre";
  row.first_name = "Hélène";
  row.relationship = "insured";
  row.marital_status = "single";
  row.contract_id = "C1";
  row.coverage_from = "2024-01-01";
  row.coverage_to = "2024-12-31";
  return row;
}

const std::string kHeader = std::string(kMemberCsvHeader) + "\n";
const std::string kSampleLine =
    "1000000001,295109912611193,1995-10-04,1,Lefèvre,Hélène,insured,single,C1,"
    "2024-01-01,2024-12-31";

TEST(MemberCsvTest, ParsesRows) {
  Outcome outcome = Parse(kHeader + kSampleLine + "\n" + kSampleLine + "\n");
  ASSERT_TRUE(outcome.fatal.ok()) << outcome.fatal;
  ASSERT_EQ(outcome.records.size(), 2u);
  for (const auto& record : outcome.records) {
    ASSERT_TRUE(record.ok()) << record.status();
    EXPECT_EQ(*record, SampleRow());
  }
}

TEST(MemberCsvTest, AcceptsCrlfAndNoFinalLineEnd) {
  std::string header = std::string(kMemberCsvHeader) + "\r\n";
  Outcome outcome = Parse(header + kSampleLine + "\r\n" + kSampleLine);
  ASSERT_TRUE(outcome.fatal.ok()) << outcome.fatal;
  ASSERT_EQ(outcome.records.size(), 2u);
  EXPECT_EQ(*outcome.records[0], SampleRow());
  EXPECT_EQ(*outcome.records[1], SampleRow());
}

TEST(MemberCsvTest, ColumnsInAnyOrder) {
  Outcome outcome = Parse(
      "coverage_to,nir,birth_date,birth_rank,last_name,first_name,"
      "relationship,marital_status,contract_id,coverage_from,adherent_number\n"
      "2024-12-31,295109912611193,1995-10-04,1,Lefèvre,Hélène,insured,single,"
      "C1,2024-01-01,1000000001\n");
  ASSERT_TRUE(outcome.fatal.ok()) << outcome.fatal;
  ASSERT_EQ(outcome.records.size(), 1u);
  EXPECT_EQ(*outcome.records[0], SampleRow());
}

TEST(MemberCsvTest, SkipsBomAndBlankLines) {
  Outcome outcome =
      Parse("\xEF\xBB\xBF" + kHeader + "\n" + kSampleLine + "\n\r\n\n");
  ASSERT_TRUE(outcome.fatal.ok()) << outcome.fatal;
  ASSERT_EQ(outcome.records.size(), 1u);
  EXPECT_EQ(*outcome.records[0], SampleRow());
}

TEST(MemberCsvTest, QuotedCommasQuotesAndLineBreaks) {
  Outcome outcome =
      Parse(kHeader +
            "1,295109912611193,1995-10-04,1,\"Dupont, dit \"\"Le Grand\"\"\","
            "\"Jean\nPierre\",insured,single,\"C,1\",2024-01-01,\"\"\n" +
            kSampleLine + ",extra\n");
  ASSERT_TRUE(outcome.fatal.ok()) << outcome.fatal;
  ASSERT_EQ(outcome.records.size(), 2u);
  ASSERT_TRUE(outcome.records[0].ok()) << outcome.records[0].status();
  EXPECT_EQ(outcome.records[0]->last_name, "Dupont, dit \"Le Grand\"");
  EXPECT_EQ(outcome.records[0]->first_name, "Jean\nPierre");
  EXPECT_EQ(outcome.records[0]->contract_id, "C,1");
  EXPECT_EQ(outcome.records[0]->coverage_to, "");
  // The quoted line break counts: the next record starts on line 4.
  EXPECT_THAT(outcome.records[1].status().message(), HasSubstr("line 4:"));
}

TEST(MemberCsvTest, HeaderMissingAColumnIsFatal) {
  Outcome outcome = Parse(
      "adherent_number,nir,birth_date,birth_rank,last_name,first_name,"
      "relationship,marital_status,contract_id,coverage_from\n" +
      kSampleLine + "\n");
  EXPECT_EQ(outcome.fatal.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(outcome.fatal.message(),
              HasSubstr("line 1: header is missing column coverage_to"));
  EXPECT_TRUE(outcome.records.empty());
}

TEST(MemberCsvTest, HeaderWithUnknownOrDuplicateColumnIsFatal) {
  Outcome unknown = Parse(std::string(kMemberCsvHeader) + ",email\n");
  EXPECT_THAT(unknown.fatal.message(), HasSubstr("header column 12"));
  EXPECT_THAT(unknown.fatal.message(), Not(HasSubstr("email")));

  Outcome duplicate = Parse(std::string(kMemberCsvHeader) + ",nir\n");
  EXPECT_THAT(duplicate.fatal.message(),
              HasSubstr("header column nir appears twice"));
}

TEST(MemberCsvTest, MissingHeaderIsFatalWithoutEchoingTheMember) {
  Outcome data_first = Parse(kSampleLine + "\n");
  EXPECT_EQ(data_first.fatal.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(data_first.fatal.message(), Not(HasSubstr("2951099")));
  EXPECT_THAT(data_first.fatal.message(), Not(HasSubstr("Lef")));

  for (const char* empty : {"", "\n\n", "\r\n"}) {
    Outcome outcome = Parse(empty);
    EXPECT_THAT(outcome.fatal.message(), HasSubstr("header row is missing"));
  }
}

TEST(MemberCsvTest, WrongFieldCountSkipsOnlyThatRow) {
  Outcome outcome = Parse(kHeader + "1,2,3\n" + kSampleLine + "\n");
  ASSERT_TRUE(outcome.fatal.ok());
  ASSERT_EQ(outcome.records.size(), 2u);
  EXPECT_EQ(outcome.records[0].status().message(),
            "line 2: expected 11 fields, got 3");
  EXPECT_TRUE(outcome.records[1].ok());
}

TEST(MemberCsvTest, FieldLimit) {
  MemberCsvRow row = SampleRow();
  row.last_name = std::string(kCsvFieldBytesMax, 'a');
  Outcome ok = Parse(kHeader + FormatMemberCsvRow(row) + "\n");
  ASSERT_EQ(ok.records.size(), 1u);
  EXPECT_TRUE(ok.records[0].ok()) << ok.records[0].status();

  row.last_name.push_back('a');
  Outcome too_long =
      Parse(kHeader + FormatMemberCsvRow(row) + "\n" + kSampleLine + "\n");
  ASSERT_EQ(too_long.records.size(), 2u);
  EXPECT_EQ(too_long.records[0].status().message(),
            "line 2: field last_name is longer than 256 bytes");
  EXPECT_TRUE(too_long.records[1].ok());
}

TEST(MemberCsvTest, RecordLimit) {
  std::string line = kSampleLine + ",";
  while (line.size() <= kCsvLineBytesMax) line += "x,";
  Outcome outcome = Parse(kHeader + line + "\n" + kSampleLine + "\n");
  ASSERT_EQ(outcome.records.size(), 2u);
  EXPECT_EQ(outcome.records[0].status().message(),
            "line 2: record is longer than 4096 bytes");
  EXPECT_TRUE(outcome.records[1].ok());
}

TEST(MemberCsvTest, UnterminatedQuoteAtEnd) {
  Outcome outcome =
      Parse(kHeader + kSampleLine + "\n" + "1,2,3,1,\"Dupont,x\nmore");
  ASSERT_TRUE(outcome.fatal.ok());
  ASSERT_EQ(outcome.records.size(), 2u);
  EXPECT_TRUE(outcome.records[0].ok());
  EXPECT_EQ(outcome.records[1].status().message(),
            "line 3: field last_name has a quote that is never closed");
}

TEST(MemberCsvTest, BirthRankMustBeANumber) {
  for (const char* rank : {"x", "", "-1", "+1", "1.0", " 1", "1 ", "1000",
                           "99999999999999999999"}) {
    MemberCsvRow row = SampleRow();
    std::string line = FormatMemberCsvRow(row);
    line.replace(line.find(",1,"), 3, absl::StrCat(",", rank, ","));
    Outcome outcome = Parse(kHeader + line + "\n");
    ASSERT_EQ(outcome.records.size(), 1u) << rank;
    EXPECT_EQ(outcome.records[0].status().message(),
              "line 2: field birth_rank is not a number")
        << rank;
  }
  MemberCsvRow twin = SampleRow();
  twin.birth_rank = 2;
  Outcome outcome = Parse(kHeader + FormatMemberCsvRow(twin) + "\n");
  ASSERT_EQ(outcome.records.size(), 1u);
  EXPECT_EQ(outcome.records[0]->birth_rank, 2);
}

TEST(MemberCsvTest, RejectsStrayQuotesAndBareCarriageReturns) {
  Outcome outcome = Parse(kHeader +
                          "1,2,3,1,Du\"pont,a,b,c,d,e,f\n"
                          "1,2,3,1,\"Dupont\"x,a,b,c,d,e,f\n"
                          "1,2,3,1,Dupont,a,b,c,d,e\rf\n" +
                          kSampleLine + "\n");
  ASSERT_EQ(outcome.records.size(), 4u);
  EXPECT_EQ(outcome.records[0].status().message(),
            "line 2: field last_name has a quote but is not quoted");
  EXPECT_EQ(outcome.records[1].status().message(),
            "line 3: field last_name has characters after its closing quote");
  EXPECT_EQ(outcome.records[2].status().message(),
            "line 4: carriage return without line feed");
  EXPECT_TRUE(outcome.records[3].ok());
}

TEST(MemberCsvTest, RejectsInvalidUtf8) {
  for (const char* bad : {"\xC3", "\xC0\xAF", "\xED\xA0\x80",
                          "\xF4\x90\x80\x80", "\xFF", "a\x80"}) {
    MemberCsvRow row = SampleRow();
    row.first_name = bad;
    Outcome outcome = Parse(kHeader + FormatMemberCsvRow(row) + "\n");
    ASSERT_EQ(outcome.records.size(), 1u);
    EXPECT_EQ(outcome.records[0].status().message(),
              "line 2: field first_name is not valid UTF-8");
  }
  MemberCsvRow row = SampleRow();
  row.first_name = "Zoé 李 \xF0\x9F\x99\x82";
  Outcome outcome = Parse(kHeader + FormatMemberCsvRow(row) + "\n");
  ASSERT_EQ(outcome.records.size(), 1u);
  EXPECT_TRUE(outcome.records[0].ok());
}

TEST(MemberCsvTest, FormatRoundTrips) {
  MemberCsvRow row = SampleRow();
  row.last_name = "O'Brien, \"Jr\"";
  row.first_name = "Anne\r\nMarie";
  row.coverage_to = "";
  EXPECT_EQ(FormatMemberCsvRow(SampleRow()), kSampleLine);
  Outcome outcome = Parse(kHeader + FormatMemberCsvRow(row) + "\r\n");
  ASSERT_EQ(outcome.records.size(), 1u);
  ASSERT_TRUE(outcome.records[0].ok()) << outcome.records[0].status();
  EXPECT_EQ(*outcome.records[0], row);
}

TEST(MemberCsvTest, RecordLineIsReported) {
  MemberCsvParser parser;
  parser.Feed(kHeader + "\n" + kSampleLine + "\n");
  parser.Finish();
  MemberCsvRow row;
  absl::StatusOr<bool> got = parser.Next(&row);
  ASSERT_TRUE(got.ok() && *got);
  EXPECT_EQ(parser.record_line(), 3);
  got = parser.Next(&row);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(*got);
}

// Found by fuzz/csv_fuzz.cc: a bad or missing header was returned as an
// error while record_line() still said 0, not the header's line.
TEST(MemberCsvTest, RecordLineOfAHeaderError) {
  MemberCsvParser bad;
  bad.Feed("\n\n" + std::string(kMemberCsvHeader) + ",email\n");
  bad.Finish();
  MemberCsvRow row;
  EXPECT_FALSE(bad.Next(&row).ok());
  EXPECT_TRUE(bad.failed());
  EXPECT_EQ(bad.record_line(), 3);

  MemberCsvParser empty;
  empty.Feed("\n");
  empty.Finish();
  EXPECT_FALSE(empty.Next(&row).ok());
  EXPECT_TRUE(empty.failed());
  EXPECT_EQ(empty.record_line(), 2);
}

void ExpectSameOutcome(const Outcome& a, const Outcome& b) {
  ASSERT_EQ(a.fatal, b.fatal);
  ASSERT_EQ(a.records.size(), b.records.size());
  for (size_t i = 0; i < a.records.size(); ++i) {
    ASSERT_EQ(a.records[i].status(), b.records[i].status()) << i;
    if (a.records[i].ok()) {
      ASSERT_EQ(*a.records[i], *b.records[i]) << i;
    }
  }
}

// Arbitrary bytes, fed whole or in pieces, give the same answers and never
// crash.
TEST(MemberCsvTest, ArbitraryBytesInAnyChunking) {
  uint64_t seed = 4181;
  if (const char* env = std::getenv("TPP_TEST_SEED")) {
    seed = std::strtoull(env, nullptr, 10);
  }
  std::cout << "seed (TPP_TEST_SEED): " << seed << "\n";
  SCOPED_TRACE(testing::Message() << "seed " << seed);
  std::mt19937_64 rng(seed);
  const std::string alphabet = "\",\r\n a1\xC3\xA9\xFF";
  for (int round = 0; round < 300; ++round) {
    std::string input = rng() % 4 == 0 ? "" : kHeader;
    const size_t size = rng() % 3000;
    for (size_t i = 0; i < size; ++i) {
      input.push_back(rng() % 2 == 0 ? alphabet[rng() % alphabet.size()]
                                     : static_cast<char>(rng()));
    }
    if (rng() % 3 == 0) input += std::string(5000, 'z');
    Outcome whole = Parse(input);
    ExpectSameOutcome(whole, ParseChunked(input, 1 + rng() % 7));
    ExpectSameOutcome(whole, ParseChunked(input, 1 + rng() % 500));
  }
}

}  // namespace
}  // namespace tpp
