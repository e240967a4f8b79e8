// The customer written straight into a string (AppendCustomerJson) is byte for byte what
// Boost.JSON makes of EncodeCustomer's tree; timestamps and dates are formatted as snprintf did.

#include "http/customer_json.h"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>

#include "core/time.h"

namespace kehu::http {
namespace {

using customers::Customer;

std::string Direct(const Customer& c) {
  std::string out = "prefix:";  // appends, and keeps what was there
  AppendCustomerJson(out, c);
  EXPECT_EQ(out.rfind("prefix:", 0), 0u);
  return out.substr(7);
}

TEST(CustomerJson, ADefaultCustomerMatchesTheTree) {
  Customer c;
  EXPECT_EQ(Direct(c), boost::json::serialize(EncodeCustomer(c)));
}

TEST(CustomerJson, EveryFieldAndEveryEscapeMatchesTheTree) {
  Customer c;
  c.id = 9007199254740993;
  c.kind = customers::Kind::kOrganization;
  c.name = "上海\"酒业\"\\有限公司 \x01\x1f\x7f\n\r\t\b\f 😀 /";
  c.family_name = "欧阳";
  c.given_name = "娜娜";
  c.gender = customers::Gender::kFemale;
  c.birthday = CivilDate{1988, 2, 29};
  c.birthday_lunar = true;
  c.category = "group_purchase";
  c.lifecycle_stage = customers::Lifecycle::kWonBack;
  c.relationship_level = customers::Relationship::kPartnership;
  c.owner_id = 42;
  c.shared_with = {3, 7, 11};
  c.tags = {"白酒", "年节\t礼品", ""};
  c.source_channel = "wechat";
  c.vip = true;
  c.external_id = "ERP-001\"x";
  c.organization = "杭州品鉴会所";
  c.note = std::string("a\0b", 3);
  c.address = {.province = "浙江省", .city = "杭州市", .district = "西湖区", .street = "文三路 1 号"};
  c.phones = {"+8613800138000", "+861012345678"};
  c.emails = {"wang@example.cn"};
  c.consents = {{.channel = "sms", .granted = true, .at = 1700000000123, .source = "form"},
                {.channel = "email", .granted = false, .at = -86400001, .source = "中"}};
  c.custom_fields = {{"budget", 12000.0}, {"ratio", 0.125}, {"big", 1e300}, {"flag", false},
                     {"level", std::string("金卡")}, {"neg", -3.0}};
  c.created_at = 1764547200000;
  c.updated_at = 253402300799999;  // 9999-12-31T23:59:59.999Z
  c.version = 17;
  c.erased_at = 0;
  EXPECT_EQ(Direct(c), boost::json::serialize(EncodeCustomer(c)));
}

TEST(CustomerJson, RandomCustomersMatchTheTree) {
  std::mt19937_64 rng(7);
  auto text = [&](size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += static_cast<char>(rng() % 256);  // any byte, escapes included
    return s;
  };
  for (int i = 0; i < 500; ++i) {
    Customer c;
    c.id = static_cast<int64_t>(rng() >> 1);
    c.name = text(rng() % 12);
    c.note = text(rng() % 30);
    c.tags = {text(rng() % 5), text(rng() % 5)};
    if (rng() % 2) c.owner_id = static_cast<int64_t>(rng() % 1000);
    if (rng() % 2) c.external_id = text(rng() % 8);
    c.created_at = static_cast<int64_t>(rng() % 4000000000000ULL) - 1000000000000;
    c.updated_at = c.created_at + static_cast<int64_t>(rng() % 1000000);
    if (rng() % 3 == 0) c.birthday = CivilDate{static_cast<int>(1900 + rng() % 200), static_cast<int>(1 + rng() % 12),
                                               static_cast<int>(1 + rng() % 28)};
    ASSERT_EQ(Direct(c), boost::json::serialize(EncodeCustomer(c))) << "customer " << i;
  }
}

std::string Reference(UnixMillis t) {
  int64_t days = t >= 0 ? t / 86400000 : (t - 86399999) / 86400000;
  int64_t ms = t - days * 86400000;
  CivilDate d = CivilFromDays(days);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", d.year, d.month, d.day,
                static_cast<int>(ms / 3600000), static_cast<int>(ms / 60000 % 60), static_cast<int>(ms / 1000 % 60),
                static_cast<int>(ms % 1000));
  return buf;
}

TEST(TimeFormat, TimestampsAndDatesAreWhatSnprintfWrote) {
  std::mt19937_64 rng(11);
  // Years -1000 to 12000: the digit path for 0-9999, snprintf either side.
  const int64_t lo = -93700000000000, hi = 316500000000000;
  for (int i = 0; i < 20000; ++i) {
    const int64_t t = lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo));
    ASSERT_EQ(FormatTimestamp(t), Reference(t)) << t;
    const CivilDate d = CivilFromDays(t / 86400000);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
    ASSERT_EQ(FormatDate(d), buf) << t;
  }
  for (int64_t t : {int64_t{0}, int64_t{-1}, int64_t{253402300799999}, int64_t{253402300800000}, int64_t{-62167219200000},
                    int64_t{-62167219200001}})
    EXPECT_EQ(FormatTimestamp(t), Reference(t)) << t;
  EXPECT_EQ(FormatTimestamp(1764547200123), "2025-12-01T00:00:00.123Z");
}

}  // namespace
}  // namespace kehu::http
