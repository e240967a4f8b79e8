// CSV reading: RFC 4180 quoting, CRLF, blank lines, the separators Excel writes, the record
// count used as the import's progress total.
#include "text/csv.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kehu::text {
namespace {

std::vector<std::vector<std::string>> Fields(std::string_view text) {
  auto rows = ParseCsv(text);
  EXPECT_TRUE(rows.ok()) << rows.error().message;
  std::vector<std::vector<std::string>> out;
  if (rows.ok())
    for (const auto& r : *rows) out.push_back(r.fields);
  return out;
}

TEST(Csv, QuotesCommasLineBreaksAndDoubledQuotes) {
  const std::string text = "姓名,备注\r\n王芳,\"说\"\"好\"\",再谈\"\r\n\"李\n雷\",x\r\n";
  auto rows = ParseCsv(text);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[1].fields, (std::vector<std::string>{"王芳", "说\"好\",再谈"}));
  EXPECT_EQ((*rows)[2].fields, (std::vector<std::string>{"李\n雷", "x"}));
  EXPECT_EQ((*rows)[2].line, 3);  // the record starts on line 3 and spans two lines
  EXPECT_EQ(CsvReader::CountRecords(text), 3);
}

TEST(Csv, BlankLinesAreSkippedAndSeparatorsDetected) {
  EXPECT_EQ(Fields("a,b\n\n1,2\n\r\n3,4"), (std::vector<std::vector<std::string>>{{"a", "b"}, {"1", "2"}, {"3", "4"}}));
  EXPECT_EQ(Fields("a\tb\n1\t2,5\n"), (std::vector<std::vector<std::string>>{{"a", "b"}, {"1", "2,5"}}));
  EXPECT_EQ(Fields("a;b;c\n1;2;3\n"), (std::vector<std::vector<std::string>>{{"a", "b", "c"}, {"1", "2", "3"}}));
  EXPECT_EQ(CsvReader::CountRecords("a,b\n\n1,2\n\r\n3,4"), 3);
  EXPECT_EQ(CsvReader::CountRecords(""), 0);
}

TEST(Csv, UnterminatedQuoteNamesItsLine) {
  auto rows = ParseCsv("a,b\n1,2\n3,\"open\n4,5\n");
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.error().message.find("line 3"), std::string::npos) << rows.error().message;
}

TEST(Csv, ReaderGivesTheRecordsOneByOneThenTheError) {
  CsvReader reader("h1,h2\nx,y\n\"bad");
  CsvRow row;
  auto a = reader.Next(&row);
  ASSERT_TRUE(a.ok() && *a);
  EXPECT_EQ(row.fields[0], "h1");
  auto b = reader.Next(&row);
  ASSERT_TRUE(b.ok() && *b);
  EXPECT_EQ(row.fields[1], "y");
  EXPECT_FALSE(reader.Next(&row).ok());
  CsvReader done("only\n");
  ASSERT_TRUE(*done.Next(&row));
  auto end = done.Next(&row);
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(*end);
}

}  // namespace
}  // namespace kehu::text
