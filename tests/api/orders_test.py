"""API tests of orders, churn records, churn statistics, retention economics and the purchase
cycle against a real kehu server (SQLite or PostgreSQL, see kehu_harness.py). Every bad input
checks the 4xx problem+json answer and that nothing was written."""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kehu_harness import Server, xlsx_workbook  # noqa: E402

S = None
ADMIN = None


def setUpModule():
    global S, ADMIN
    S = Server().start()
    ADMIN = S.login("admin", S.admin_password)


def tearDownModule():
    if S:
        S.stop()


class Base(unittest.TestCase):
    def req(self, method, path, body=None, token="admin", headers=None):
        return S.request(method, path, body, headers=headers, token=ADMIN if token == "admin" else token)

    def customer(self, token="admin", **fields):
        body = {"name": "订单客户"}
        body.update(fields)
        s, _, b = self.req("POST", "/api/v1/customers", body, token=token)
        self.assertEqual(s, 201, b)
        return b

    def order(self, customer_id, token="admin", **fields):
        body = {"customer_id": customer_id, "ordered_at": "2026-11-01T10:00:00Z", "amount_minor": 10000}
        body.update(fields)
        body = {k: v for k, v in body.items() if v is not None}
        s, h, b = self.req("POST", "/api/v1/orders", body, token=token)
        self.assertEqual(s, 201, b)
        self.assertEqual(h.get("location"), "/api/v1/orders/%d" % b["id"])
        return b

    def user(self, name, role):
        s, _, u = self.req("POST", "/api/v1/users", {"username": name, "display_name": name, "role": role,
                                                     "password": "password-123"})
        self.assertEqual(s, 201, u)
        return S.login(name, "password-123")

    def problem(self, status, resp, field=None):
        s, h, b = resp
        self.assertEqual(s, status, b)
        self.assertTrue(h.get("content-type", "").startswith("application/problem+json"), h)
        if field:
            self.assertIn(field, [e["field"] for e in b.get("errors", [])], b)
        return b

    def orders_of(self, cid):
        s, _, b = self.req("GET", "/api/v1/customers/%d/orders?limit=500" % cid)
        self.assertEqual(s, 200, b)
        return b["items"]


class OrdersTest(Base):
    def test_create_with_lines_read_back_and_list(self):
        c = self.customer()
        o = self.order(c["id"], amount_minor=None, channel="group_purchase", external_id="API-SO-1",
                       lines=[{"sku": "MT", "name": "飞天茅台", "quantity": 2, "unit_price_minor": 149900,
                               "cost_minor": 200000}])
        self.assertEqual(o["amount_minor"], 299800)
        self.assertEqual(o["margin_minor"], 99800)
        self.assertEqual(o["status"], "placed")
        self.assertEqual(o["allowed_transitions"], ["paid", "cancelled"])
        s, h, got = self.req("GET", "/api/v1/orders/%d" % o["id"])
        self.assertEqual(s, 200)
        self.assertEqual(h.get("etag"), '"1"')
        self.assertEqual(got["lines"][0]["name"], "飞天茅台")
        self.assertEqual([x["id"] for x in self.orders_of(c["id"])], [o["id"]])
        s, _, page = self.req("GET", "/api/v1/orders?customer_id=%d&channel=group_purchase" % c["id"])
        self.assertEqual([x["id"] for x in page["items"]], [o["id"]])
        # Every order names its customer as they are now: on create, read, list and after a rename.
        self.assertEqual([o["customer_name"], got["customer_name"], page["items"][0]["customer_name"]], ["订单客户"] * 3)
        s, _, _ = self.req("PATCH", "/api/v1/customers/%d" % c["id"], {"name": "改名客户"}, headers={"If-Match": '"1"'})
        self.assertEqual(s, 200)
        self.assertEqual(self.orders_of(c["id"])[0]["customer_name"], "改名客户")

    def test_bad_input_is_400_with_fields_and_writes_nothing(self):
        c = self.customer()
        cases = [
            ({"ordered_at": "2026-11-01", "amount_minor": 1}, "customer_id"),
            ({"customer_id": c["id"], "amount_minor": 1}, "ordered_at"),
            ({"customer_id": c["id"], "ordered_at": "2026-11-01", "amount_minor": "10"}, "amount_minor"),
            ({"customer_id": c["id"], "ordered_at": "2026-11-01", "amount_minor": 1, "channel": "tv"}, "channel"),
            ({"customer_id": c["id"], "ordered_at": "2026-11-01", "amount_minor": 1, "colour": "red"}, "colour"),
            ({"customer_id": c["id"], "ordered_at": "2026-11-01", "lines": [{"name": "x", "quantity": 0,
                                                                            "unit_price_minor": 1}]},
             "lines[0].quantity"),
            ({"customer_id": c["id"], "ordered_at": "2026-11-01", "lines": [{"name": "x", "qty": 1}]},
             "lines[0].qty"),
            ({"customer_id": 99999999, "ordered_at": "2026-11-01", "amount_minor": 1}, "customer_id"),
        ]
        for body, field in cases:
            self.problem(400, self.req("POST", "/api/v1/orders", body), field)
        self.problem(400, self.req("POST", "/api/v1/orders", "not json"))
        self.assertEqual(self.orders_of(c["id"]), [])
        self.problem(400, self.req("GET", "/api/v1/orders?bogus=1"), "bogus")
        self.problem(400, self.req("GET", "/api/v1/orders?cursor=xyz"), "cursor")

    def test_patch_needs_if_match_follows_transitions_and_refuses_stale_versions(self):
        c = self.customer()
        o = self.order(c["id"], status="placed")
        path = "/api/v1/orders/%d" % o["id"]
        self.problem(428, self.req("PATCH", path, {"status": "paid"}))
        s, h, b = self.req("PATCH", path, {"status": "paid"}, headers={"If-Match": '"1"'})
        self.assertEqual(s, 200, b)
        self.assertEqual(b["version"], 2)
        b = self.problem(409, self.req("PATCH", path, {"status": "cancelled"}, headers={"If-Match": '"2"'}))
        self.assertEqual(b["allowed"], ["returned"])
        b = self.problem(412, self.req("PATCH", path, {"note": "x"}, headers={"If-Match": '"1"'}))
        self.assertEqual(b["current"]["version"], 2)
        self.problem(400, self.req("PATCH", path, {"customer_id": c["id"] + 1}, headers={"If-Match": '"2"'}),
                     "customer_id")

    def test_duplicate_external_id_is_409_with_the_holder(self):
        c = self.customer()
        o = self.order(c["id"], external_id="API-DUP-1")
        b = self.problem(409, self.req("POST", "/api/v1/orders", {"customer_id": c["id"], "ordered_at": "2026-11-02",
                                                                  "amount_minor": 5, "external_id": "API-DUP-1"}))
        self.assertEqual(b["conflict_id"], o["id"])
        self.assertEqual(len(self.orders_of(c["id"])), 1)

    def test_orders_of_invisible_customers_are_404_and_read_only_roles_cannot_write(self):
        owner = self.user("ord_owner", "sales")
        other = self.user("ord_other", "sales")
        c = self.customer(token=owner)
        o = self.order(c["id"], token=owner)
        self.problem(404, self.req("GET", "/api/v1/orders/%d" % o["id"], token=other))
        self.problem(404, self.req("GET", "/api/v1/customers/%d/orders" % c["id"], token=other))
        s, _, page = self.req("GET", "/api/v1/orders?limit=500", token=other)
        self.assertNotIn(o["id"], [x["id"] for x in page["items"]])
        self.problem(400, self.req("POST", "/api/v1/orders", {"customer_id": c["id"], "ordered_at": "2026-11-01",
                                                              "amount_minor": 1}, token=other), "customer_id")
        svc = self.user("ord_service", "service")
        self.problem(403, self.req("POST", "/api/v1/orders", {"customer_id": c["id"], "ordered_at": "2026-11-01",
                                                              "amount_minor": 1}, token=svc))
        self.assertEqual(len(self.orders_of(c["id"])), 1)
        self.problem(401, S.request("GET", "/api/v1/orders"))

    def test_purchase_cycle_and_timeline(self):
        c = self.customer()
        for d in ("2026-08-01", "2026-09-01", "2026-10-01"):
            self.order(c["id"], ordered_at=d, status="paid", cost_minor=4000)
        s, _, y = self.req("GET", "/api/v1/customers/%d/purchase-cycle" % c["id"])
        self.assertEqual(s, 200, y)
        self.assertEqual(y["purchase_days"], 3)
        self.assertEqual(y["typical_gap_days"], 30.5)  # gaps 31 and 30 days
        self.assertEqual(y["overdue_factor"], 2)
        self.assertIn(y["lost_profit_basis"], ("trailing_margin",))
        self.assertEqual(y["lost_profit_minor"], 3 * 6000)


class OrderImportTest(Base):
    CDNOW = (" 90001 19970101  2   29.33\r\n"
             " 90001 19970101  1   10.00\r\n"
             " 90002 19970305  3   41.07\r\n")

    def imp(self, query, body):
        return self.req("POST", "/api/v1/imports?" + query, body, headers={"Content-Type": "text/csv"})

    def test_cdnow_file_through_the_import_job(self):
        s, _, r = self.imp("kind=orders&format=cdnow&dry_run=true", self.CDNOW)
        self.assertEqual(s, 200, r)
        self.assertEqual(r["error_count"], 3, r)  # both customers unknown without create_customers
        s, _, r = self.imp("kind=orders&format=cdnow&dry_run=true&create_customers=true", self.CDNOW)
        self.assertEqual((r["rows"], r["created"], r["customers_created"], r["amount_minor"]), (3, 3, 2, 8040))
        self.assertFalse(r["applied"])
        s, _, page = self.req("GET", "/api/v1/orders?limit=500")
        self.assertFalse([o for o in page["items"] if (o["external_id"] or "").startswith("cdnow-9000")])
        s, h, job = self.imp("kind=orders&format=cdnow&create_customers=true", self.CDNOW)
        self.assertEqual(s, 202, job)
        for _ in range(200):
            s, _, job = self.req("GET", h["location"])
            if job["status"] != "running":
                break
            time.sleep(0.05)
        self.assertEqual(job["status"], "succeeded", job)
        self.assertEqual(job["order_report"]["created"], 3)
        s, _, page = self.req("GET", "/api/v1/orders?limit=500")
        mine = [o for o in page["items"] if (o["external_id"] or "").startswith("cdnow-9000")]
        self.assertEqual(sorted(o["amount_minor"] for o in mine), [1000, 2933, 4107])
        self.assertEqual({o["currency"] for o in mine}, {"USD"})
        # The same file again: nothing new.
        s, _, r = self.imp("kind=orders&format=cdnow&dry_run=true&create_customers=true", self.CDNOW)
        self.assertEqual((r["created"], r["unchanged"], r["customers_created"]), (0, 3, 0))

    def test_an_xlsx_workbook_of_orders_with_date_time_cells(self):
        import datetime
        c = self.customer(external_id="xlsx-order-cust")
        rows = {1: ["客户编号", "下单时间", "金额", "订单号", "渠道"],
                2: ["xlsx-order-cust", datetime.datetime(2026, 3, 8, 20, 30), 1499, "xlsx-o-1", "门店"],
                3: ["xlsx-order-cust", datetime.date(2026, 3, 9), 88.5, "xlsx-o-2", "线上"],
                5: ["xlsx-order-cust", "昨天", 10, "xlsx-o-3", "线上"]}
        s, _, r = self.imp("kind=orders&dry_run=true", xlsx_workbook(rows))
        self.assertEqual(s, 200, r)
        # the bad date is reported on the sheet's row 5 (row 4 is empty)
        self.assertEqual([(e["row"], e["line"], e["field"]) for e in r["errors"]], [(3, 5, "ordered_at")], r)
        del rows[5]
        s, _, r = self.imp("kind=orders&dry_run=false", xlsx_workbook(rows))
        self.assertEqual(s, 202, r)
        for _ in range(200):
            s, _, job = self.req("GET", "/api/v1/imports/%d" % r["id"])
            if job["status"] != "running":
                break
            time.sleep(0.05)
        self.assertEqual(job["status"], "succeeded", job)
        s, _, page = self.req("GET", "/api/v1/orders?customer_id=%d" % c["id"])
        got = {o["external_id"]: o for o in page["items"]}
        # 20:30 on 8 March in the business zone (UTC+8) is 12:30 UTC
        self.assertEqual(got["xlsx-o-1"]["ordered_at"], "2026-03-08T12:30:00.000Z")
        self.assertEqual(got["xlsx-o-1"]["amount_minor"], 149900)
        self.assertEqual(got["xlsx-o-1"]["channel"], "store")
        self.assertEqual(got["xlsx-o-2"]["amount_minor"], 8850)
        b = self.problem(400, self.imp("kind=orders&format=cdnow&dry_run=true", xlsx_workbook(rows)))
        self.assertIn("not a workbook", b["detail"])

    def test_bad_order_import_options_are_400(self):
        self.problem(400, self.imp("kind=invoices", "x"), "kind")
        self.problem(400, self.imp("kind=orders&format=excel", "x"), "format")
        self.problem(400, self.imp("kind=orders&encoding=gbk", "x"), "encoding")
        self.problem(400, self.imp("kind=orders&dry_run=true", "who,when\nx,y\n"))


class ChurnTest(Base):
    def test_record_churn_sets_stage_lost_and_win_back(self):
        c = self.customer(category="distributor", lifecycle_stage="active")
        self.order(c["id"], status="paid", cost_minor=2500)
        self.problem(400, self.req("POST", "/api/v1/customers/%d/churn" % c["id"], {"reason": "boredom"}), "reason")
        self.problem(400, self.req("POST", "/api/v1/customers/%d/churn" % c["id"], {"reason": "price",
                                                                                   "churned_on": "2099-01-01"}),
                     "churned_on")
        s, _, cu = self.req("GET", "/api/v1/customers/%d" % c["id"])
        self.assertEqual(cu["lifecycle_stage"], "active")
        s, h, r = self.req("POST", "/api/v1/customers/%d/churn" % c["id"],
                           {"reason": "relocation", "note": "搬到外地", "churned_on": "2026-11-02"})
        self.assertEqual(s, 201, r)
        self.assertEqual(r["reason"], "market")
        self.assertEqual(r["lost_profit_minor"], 7500)
        self.assertEqual(r["lost_profit_basis"], "trailing_margin")
        s, _, cu = self.req("GET", "/api/v1/customers/%d" % c["id"])
        self.assertEqual(cu["lifecycle_stage"], "lost")
        s, _, audit = self.req("GET", "/api/v1/audit?entity=customer&id=%d" % c["id"])
        self.assertEqual(audit["items"][0]["changes"][0]["field"], "lifecycle_stage")
        self.problem(409, self.req("POST", "/api/v1/customers/%d/churn" % c["id"], {"reason": "price"}))
        s, _, lst = self.req("GET", "/api/v1/churn-records?customer_id=%d" % c["id"])
        self.assertEqual([x["id"] for x in lst["items"]], [r["id"]])
        s, _, won = self.req("POST", "/api/v1/churn-records/%d/win-back" % r["id"])
        self.assertEqual(s, 200, won)
        self.assertIsNotNone(won["won_back_at"])
        s, _, cu = self.req("GET", "/api/v1/customers/%d" % c["id"])
        self.assertEqual(cu["lifecycle_stage"], "won_back")
        self.problem(409, self.req("POST", "/api/v1/churn-records/%d/win-back" % r["id"]))
        self.problem(404, self.req("POST", "/api/v1/churn-records/99999999/win-back"))

    def test_stats_retention_economics_and_win_back_list(self):
        cat = "consignment"
        cs = [self.customer(name="代销%d" % i, category=cat) for i in range(4)]
        for c in cs:
            self.order(c["id"], ordered_at="2026-01-05", status="paid", amount_minor=100000, cost_minor=40000)
        for c, reason in zip(cs[:2], ("price", "service")):
            s, _, b = self.req("POST", "/api/v1/customers/%d/churn" % c["id"],
                               {"reason": reason, "churned_on": "2026-10-15"})
            self.assertEqual(s, 201, b)
        s, _, st = self.req("GET", "/api/v1/churn/stats?period=month&from=2026-10-01&to=2026-11-01&category=" + cat)
        self.assertEqual(s, 200, st)
        self.assertEqual(st["overall"]["exposed"], 4)
        self.assertEqual(st["overall"]["churned"], 2)
        self.assertEqual(st["overall"]["rate"], 0.5)
        self.assertEqual({r["reason"]: r["count"] for r in st["reasons"]}["service"], 1)
        self.assertEqual(st["lost_profit_minor"], 2 * 60000)
        self.problem(400, self.req("GET", "/api/v1/churn/stats?period=week"), "period")
        # The default range ends with the month still running; as_of (the org's today, Beijing
        # time) tells the workspace that this month's rate covers only the days so far.
        import datetime
        beijing = datetime.timezone(datetime.timedelta(hours=8))
        before = datetime.datetime.now(beijing).date()
        s, _, st = self.req("GET", "/api/v1/churn/stats?period=month")
        after = datetime.datetime.now(beijing).date()
        self.assertEqual(s, 200, st)
        self.assertIn(st["as_of"], {before.isoformat(), after.isoformat()})
        self.assertEqual(st["periods"][-1]["key"], st["as_of"][:8] + "01")
        self.assertGreater(st["to"], st["as_of"])
        body = {"population": "churned", "category": cat, "action_cost_minor": 20000, "success_rate": 0.5}
        s, _, e = self.req("POST", "/api/v1/churn/retention-economics", body)
        self.assertEqual(s, 200, e)
        self.assertEqual(e["customers_at_risk"], 2)
        self.assertEqual(e["saved_profit_minor"], 60000)
        self.assertEqual(e["cost_minor"], 40000)
        self.assertEqual(e["net_minor"], 20000)
        self.assertEqual(e["recommendation"], "retain")
        body["action_cost_minor"] = 40000
        s, _, e = self.req("POST", "/api/v1/churn/retention-economics", body)
        self.assertEqual(e["recommendation"], "do_not_retain")
        self.problem(400, self.req("POST", "/api/v1/churn/retention-economics", {"success_rate": 2, "action_cost_minor": 1}),
                     "success_rate")
        self.problem(400, self.req("POST", "/api/v1/churn/retention-economics", {"action_cost_minor": 1}),
                     "success_rate")
        s, _, wb = self.req("GET", "/api/v1/churn/win-back?min_lost_profit_minor=59999")
        self.assertEqual(s, 200, wb)
        ids = [x["customer_id"] for x in wb["items"]]
        self.assertIn(cs[0]["id"], ids)
        self.assertIn(cs[1]["id"], ids)

    def test_settings_are_admin_only_and_validated(self):
        s, _, b = self.req("GET", "/api/v1/churn/settings")
        self.assertEqual(s, 200, b)
        self.problem(400, self.req("PUT", "/api/v1/churn/settings", {"overdue_factor": 0, "horizon_months": 12}),
                     "overdue_factor")
        sales = self.user("set_sales", "sales")
        self.problem(403, self.req("PUT", "/api/v1/churn/settings", {"overdue_factor": 3, "horizon_months": 12},
                                   token=sales))
        s, _, b = self.req("PUT", "/api/v1/churn/settings", {"overdue_factor": 2.5, "horizon_months": 6})
        self.assertEqual(s, 200, b)
        self.assertEqual(b["overdue_factor"], 2.5)
        s, _, b = self.req("PUT", "/api/v1/churn/settings", {"overdue_factor": 2, "horizon_months": 12})
        self.assertEqual(s, 200, b)


if __name__ == "__main__":
    unittest.main(verbosity=2)
