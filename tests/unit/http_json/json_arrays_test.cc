// ParsePlainJsonStringArray: the stored lists' fast path agrees with a full JSON parser
// whenever it answers, and answers for every list JsonStringArray writes without escapes.

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/strings.h"

namespace kehu {
namespace {

std::optional<std::vector<std::string>> ByBoost(const std::string& text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& e : v.as_array()) {
    if (!e.is_string()) return std::nullopt;
    out.emplace_back(e.as_string());
  }
  return out;
}

TEST(PlainJsonStringArray, ReadsWhatJsonStringArrayWritesWithoutEscapes) {
  EXPECT_EQ(ParsePlainJsonStringArray("[]"), std::vector<std::string>{});
  EXPECT_EQ(ParsePlainJsonStringArray(R"(["+8613800138000","白酒",""])"),
            (std::vector<std::string>{"+8613800138000", "白酒", ""}));
  std::mt19937 rng(3);
  const std::string alphabet[] = {"a", "1", "+", " ", "王", "😀", "\"", "\\", "\n", "\x01", "/", "\x7f", ",", "[", "]"};
  for (int i = 0; i < 3000; ++i) {
    std::vector<std::string> v(rng() % 4);
    for (auto& s : v)
      for (size_t n = rng() % 6; n > 0; --n) s += alphabet[rng() % std::size(alphabet)];
    const std::string text = JsonStringArray(v);
    const auto fast = ParsePlainJsonStringArray(text);
    const bool escaped = text.find('\\') != std::string::npos;
    if (escaped) {
      EXPECT_FALSE(fast) << text;
    } else {
      ASSERT_TRUE(fast) << text;
      EXPECT_EQ(*fast, v) << text;
    }
    EXPECT_EQ(ByBoost(text), v) << text;
  }
}

TEST(PlainJsonStringArray, AnythingElseIsLeftToTheFullParser) {
  for (const char* text : {"", "[", "]", "[\"a\"", "[\"a\",]", "[,\"a\"]", "[\"a\" ]", "[ \"a\"]", "[\"a\",\"b\"x]",
                           "[1]", "[null]", "{}", "[\"a\\\"b\"]", "[\"a\"][\"b\"]", "x[\"a\"]", "[\"\"\"]"}) {
    const auto fast = ParsePlainJsonStringArray(text);
    if (fast) {
      EXPECT_EQ(fast, ByBoost(text)) << text;
    }
  }
  EXPECT_FALSE(ParsePlainJsonStringArray("[\"a\" ]"));
  EXPECT_FALSE(ParsePlainJsonStringArray("[\"a\",]"));
  EXPECT_FALSE(ParsePlainJsonStringArray("[\"\"\"]"));
  EXPECT_FALSE(ParsePlainJsonStringArray("[\"a\"][\"b\"]"));
}

}  // namespace
}  // namespace kehu
