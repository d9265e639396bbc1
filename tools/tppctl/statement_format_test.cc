#include "tools/tppctl/statement_format.h"

#include <cstdio>
#include <string>

#include "gtest/gtest.h"

namespace tpp::ctl {
namespace {

// What a writer produced for two lines and a trailer.
std::string Write(const std::string& format) {
  char* buffer = nullptr;
  size_t size = 0;
  std::FILE* out = ::open_memstream(&buffer, &size);
  EXPECT_NE(out, nullptr);
  {
    auto writer = NewStatementWriter(format, out);
    EXPECT_TRUE(writer.ok());
    tpp::v1::StatementLine line;
    line.set_claim_id("c1");
    line.set_adherent_number("A,\"17\"");
    line.set_care_date("2026-11-28");
    line.set_category(tpp::v1::OPTICAL);
    line.set_amc_cents(1250);
    (*writer)->Begin();
    (*writer)->Line(line);
    line.set_claim_id("c2");
    line.set_adherent_number("B\\\n");
    line.set_amc_cents(-300);
    (*writer)->Line(line);
    tpp::v1::StatementTrailer trailer;
    trailer.set_line_count(2);
    trailer.set_total_cents(950);
    trailer.set_digest("ab12");
    (*writer)->Trailer(trailer);
  }
  std::fclose(out);
  std::string text(buffer, size);
  std::free(buffer);
  return text;
}

TEST(StatementFormatTest, CsvHeaderRowsAndQuotingOnlyWhenNeeded) {
  EXPECT_EQ(Write("csv"),
            "claim_id,adherent_number,care_date,category,amc_cents\n"
            "c1,\"A,\"\"17\"\"\",2026-11-28,OPTICAL,1250\n"
            "c2,\"B\\\n\",2026-11-28,OPTICAL,-300\n");
}

TEST(StatementFormatTest, JsonLinesThenTheTrailer) {
  EXPECT_EQ(Write("json"),
            "{\"claim_id\":\"c1\",\"adherent_number\":\"A,\\\"17\\\"\","
            "\"care_date\":\"2026-11-28\",\"category\":\"OPTICAL\","
            "\"amc_cents\":1250}\n"
            "{\"claim_id\":\"c2\",\"adherent_number\":\"B\\\\\\n\","
            "\"care_date\":\"2026-11-28\",\"category\":\"OPTICAL\","
            "\"amc_cents\":-300}\n"
            "{\"trailer\":{\"line_count\":2,\"total_cents\":950,"
            "\"digest\":\"ab12\"}}\n");
}

TEST(StatementFormatTest, UnknownFormatIsRefused) {
  EXPECT_TRUE(
      absl::IsInvalidArgument(NewStatementWriter("xml", stdout).status()));
}

TEST(StatementFormatTest, JsonEscapesControlCharacters) {
  EXPECT_EQ(JsonString(std::string("a\x01\tb", 4)), "\"a\\u0001\\tb\"");
  EXPECT_EQ(CsvField("plain"), "plain");
}

}  // namespace
}  // namespace tpp::ctl
