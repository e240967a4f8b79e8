#include <gtest/gtest.h>

#include <string>

#include "store/postgres/pg_db.h"

namespace kehu::store::postgres {
namespace {

struct Case {
  std::string in;
  std::string out;
  int count;
};

TEST(StorePlaceholderTest, RewritesQuestionMarksOutsideLiteralsAndCommentsOnly) {
  const Case cases[] = {
      {"SELECT 1", "SELECT 1", 0},
      {"SELECT ?", "SELECT $1", 1},
      {"INSERT INTO t (a, b) VALUES (?,?)", "INSERT INTO t (a, b) VALUES ($1,$2)", 2},
      {"SELECT '?', ?", "SELECT '?', $1", 1},
      {"SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1", 1},
      {"SELECT E'a\\'?', ?", "SELECT E'a\\'?', $1", 1},
      {"SELECT 'a\\', ?", "SELECT 'a\\', $1", 1},  // standard strings: backslash is literal
      {"SELECT \"we?rd\" FROM t WHERE x = ?", "SELECT \"we?rd\" FROM t WHERE x = $1", 1},
      {"SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2", 2},
      {"SELECT /* ? */ ?", "SELECT /* ? */ $1", 1},
      {"SELECT $$a ? b$$, ?", "SELECT $$a ? b$$, $1", 1},
      {"SELECT $tag$ ? $tag$, ?", "SELECT $tag$ ? $tag$, $1", 1},
      {"SELECT '客户?', ?", "SELECT '客户?', $1", 1},
      {"SELECT 'unterminated ?", "SELECT 'unterminated ?", 0},
  };
  for (const Case& c : cases) {
    int count = -1;
    EXPECT_EQ(RewritePlaceholders(c.in, &count), c.out) << c.in;
    EXPECT_EQ(count, c.count) << c.in;
  }
}

TEST(StorePlaceholderTest, NumbersPlaceholdersBeyondNine) {
  std::string in = "VALUES (";
  std::string want = "VALUES (";
  for (int i = 1; i <= 12; ++i) {
    in += i > 1 ? ", ?" : "?";
    want += (i > 1 ? ", $" : "$") + std::to_string(i);
  }
  EXPECT_EQ(RewritePlaceholders(in + ")"), want + ")");
}

}  // namespace
}  // namespace kehu::store::postgres
