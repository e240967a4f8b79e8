// Loads ../shared/data/CDNOW_sample.txt through the order import (mapping "cdnow",
// --create-customers) and checks it against the raw file read here independently.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "domain/orders/order_service.h"
#include "fixture.h"

namespace kehu::testing {
namespace {

std::string DataDir() {
  if (const char* d = std::getenv("KEHU_SHARED_DATA")) return d;
  return std::string(KEHU_SOURCE_DIR) + "/../shared/data";
}

class CdnowImportTest : public DomainTest {};

TEST_P(CdnowImportTest, SampleLoadsEveryRowCustomerAndCent) {
  std::ifstream in(DataDir() + "/CDNOW_sample.txt", std::ios::binary);
  ASSERT_TRUE(in) << "missing " << DataDir() << "/CDNOW_sample.txt";
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Independent reading: stream the fields, dollars through a double rounded to cents.
  std::istringstream lines(bytes);
  std::string line;
  int64_t rows = 0, cents = 0, cds = 0;
  std::set<std::string> ids;
  while (std::getline(lines, line)) {
    std::istringstream f(line);
    std::string master, sample, date;
    int64_t n = 0;
    double dollars = 0;
    if (!(f >> master >> sample >> date >> n >> dollars)) continue;
    ++rows;
    ids.insert(master);
    cds += n;
    cents += std::llround(dollars * 100);
  }
  ASSERT_EQ(rows, 6919);
  ASSERT_EQ(ids.size(), 2357u);

  auto repo = store::MakeOrderRepository(*db_);
  orders::OrderService svc(*repo, *customers_, clock_);
  auto report = svc.Import(admin_, bytes, {.mapping = "cdnow", .create_customers = true});
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->error_count, 0) << (report->errors.empty() ? "" : report->errors[0].message);
  EXPECT_EQ(report->rows, rows);
  EXPECT_EQ(report->created, rows);
  EXPECT_EQ(report->customers_created, 2357);
  EXPECT_EQ(report->amount_minor, cents);

  // Read back what was stored: every order, its customer and its line.
  int64_t stored = 0, stored_cents = 0, stored_cds = 0;
  std::set<int64_t> customers;
  orders::ListRequest req{.limit = 500};
  for (;;) {
    auto page = svc.List(admin_, req);
    ASSERT_TRUE(page.ok()) << page.error().message;
    for (const auto& o : page->items) {
      ++stored;
      stored_cents += o.amount_minor;
      customers.insert(o.customer_id);
      EXPECT_EQ(o.currency, "USD");
      EXPECT_EQ(o.status, orders::OrderStatus::kPaid);
      ASSERT_EQ(o.lines.size(), 1u);
      stored_cds += o.lines[0].quantity;
    }
    if (!page->next_cursor) break;
    req.cursor = *page->next_cursor;
  }
  EXPECT_EQ(stored, rows);
  EXPECT_EQ(stored_cents, cents);
  EXPECT_EQ(stored_cds, cds);
  EXPECT_EQ(customers.size(), 2357u);
  auto c = customers_->List(admin_, customers::ListRequest{.q = "", .limit = 1});
  ASSERT_TRUE(c.ok());

  // Importing the same file again changes nothing.
  auto again = svc.Import(admin_, bytes, {.mapping = "cdnow", .create_customers = true});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->created, 0);
  EXPECT_EQ(again->unchanged, rows);
  EXPECT_EQ(again->customers_created, 0);
}

KEHU_DOMAIN_BACKENDS(CdnowImportTest);

}  // namespace
}  // namespace kehu::testing
