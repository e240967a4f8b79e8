"""API tests of the customer-value analytics against a real kehu (SQLite or PostgreSQL).

The server starts with --demo-if-empty, which creates demo customers with orders and churn
records and runs one analytics pass before it listens; every bad input is checked for its
problem+json answer and for writing nothing.
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kehu_harness import Server  # noqa: E402

S = None
ADMIN = None
USERS = {}


def setUpModule():
    global S, ADMIN
    S = Server(extra_args=["--demo-if-empty", "150"]).start()
    ADMIN = S.login("admin", S.admin_password)
    for role in ("sales", "marketing"):
        name = "api_" + role
        s, _, b = S.request("POST", "/api/v1/users", {"username": name, "display_name": name, "role": role,
                                                      "password": "password-123"}, token=ADMIN)
        assert s == 201, b
        USERS[role] = S.login(name, "password-123")


def tearDownModule():
    if S:
        S.stop()


def wait_idle(test):
    """Waits until no run is in progress (a run started by another test)."""
    deadline = time.time() + 120
    while time.time() < deadline:
        s, _, b = S.request("GET", "/api/v1/analytics/runs", token=ADMIN)
        test.assertEqual(s, 200, b)
        if not any(r["status"] == "running" for r in b["items"]):
            return b["items"]
        time.sleep(0.2)  # polling a real background computation, not a time-based rule
    test.fail("analytics run did not finish")


class AnalyticsApiTest(unittest.TestCase):
    def req(self, method, path, body=None, token=None):
        return S.request(method, path, body, token=token or ADMIN)

    def assertProblem(self, status, resp, field=None):
        s, h, b = resp
        self.assertEqual(s, status, b)
        self.assertIn("application/problem+json", h.get("content-type", ""))
        self.assertEqual(b["status"], status)
        if field:
            self.assertIn(field, [e["field"] for e in b.get("errors", [])], b)

    def test_demo_run_gives_every_view_with_its_run(self):
        runs = wait_idle(self)
        latest = next(r for r in runs if r["status"] == "succeeded")
        self.assertGreater(latest["customers"], 50)
        self.assertTrue(latest["diagnostics"]["bgnbd"]["fitted"], latest["diagnostics"]["bgnbd"])
        self.assertEqual(latest["diagnostics"]["bgnbd"]["reason"], "")
        churn = latest["diagnostics"]["churn"]
        self.assertEqual(churn["reason"] == "", churn["trained"], churn)
        s, _, rfm = self.req("GET", "/api/v1/analytics/rfm")
        self.assertEqual(s, 200, rfm)
        for key in ("run_id", "computed_at", "model_version", "as_of"):
            self.assertIn(key, rfm)
        self.assertEqual(len(rfm["cells"]), 25)
        self.assertEqual(sum(c["customers"] for c in rfm["cells"]), sum(g["customers"] for g in rfm["segments"]))
        self.assertTrue(all(g["segment_zh"] for g in rfm["segments"]))

        s, _, clv = self.req("GET", "/api/v1/analytics/clv")
        self.assertEqual(s, 200, clv)
        self.assertEqual(sum(b["count"] for b in clv["histogram"]), clv["scored"])
        self.assertIn("r", clv["fits"]["bgnbd"]["params"])
        self.assertEqual(clv["settings"]["clv_months"], 12)

        s, _, churn = self.req("GET", "/api/v1/analytics/churn")
        self.assertEqual(s, 200, churn)
        self.assertEqual(len(churn["risk_distribution"]), 10)
        self.assertEqual(sum(b["count"] for b in churn["risk_distribution"]), churn["scored"])
        self.assertGreater(len(churn["trend"]), 0)
        self.assertIn("holdout_auc", churn["model"])
        self.assertLessEqual(churn["at_risk"]["total"], churn["customers"])
        # Churn by RFM segment: every valued customer in one segment; the demo has churn records.
        segs = churn["by_segment"]
        self.assertEqual(sum(g["customers"] for g in segs), churn["customers"])
        self.assertGreater(sum(g["churned"] for g in segs), 0)
        rates = [g["churn_rate"] for g in segs]
        self.assertEqual(rates, sorted(rates, reverse=True))
        for g in segs:
            self.assertAlmostEqual(g["churn_rate"], g["churned"] / g["customers"])
            self.assertTrue(g["segment_zh"])

        s, _, abc = self.req("GET", "/api/v1/analytics/abc")
        self.assertEqual(s, 200, abc)
        self.assertEqual(abc["curve"][0], {"customer_share": 0.0, "margin_share": 0.0})
        self.assertAlmostEqual(abc["curve"][-1]["customer_share"], 1.0)
        self.assertAlmostEqual(abc["curve"][-1]["margin_share"], 1.0)
        shares = [p["margin_share"] for p in abc["curve"]]
        self.assertEqual(shares, sorted(shares))
        self.assertEqual([c["class"] for c in abc["classes"]], ["A", "B", "C"])

        s, _, rel = self.req("GET", "/api/v1/analytics/relationship-levels")
        self.assertEqual(s, 200, rel)
        self.assertEqual(len(rel["matrix"]), 9)
        self.assertIn({"customers": "few", "margin": "high", "level": "partnership"}, rel["matrix"])
        levels = {"basic", "reactive", "accountable", "proactive", "partnership"}
        for seg in rel["segments"]:
            self.assertIn(seg["recommended"], levels)
            self.assertEqual(sum(seg["recorded"].values()), seg["customers"])

    def test_customer_value_shows_its_inputs_and_follows_visibility(self):
        wait_idle(self)
        s, _, page = self.req("GET", "/api/v1/customers?limit=50")
        self.assertEqual(s, 200)
        found = None
        for c in page["items"]:
            s, _, v = self.req("GET", "/api/v1/customers/%d/value" % c["id"])
            self.assertEqual(s, 200, v)
            self.assertIsNotNone(v["computed_at"])
            if v["value"] and v["value"]["p_alive"] is not None:
                found = (c, v)
                break
        self.assertIsNotNone(found, "no demo customer with a value")
        c, v = found
        val = v["value"]
        self.assertIn(val["rfm"]["r_score"], range(1, 6))
        self.assertTrue(val["rfm"]["segment_zh"])
        self.assertGreaterEqual(val["p_alive"], 0.0)
        self.assertLessEqual(val["p_alive"], 1.0)
        self.assertIn("x", val["clv"]["inputs"])
        self.assertIn(val["abc_class"], ("A", "B", "C"))
        self.assertIn("flag", val["at_risk"])
        # marketing sees every customer; a sales user only their own
        s, _, _ = self.req("GET", "/api/v1/customers/%d/value" % c["id"], token=USERS["marketing"])
        self.assertEqual(s, 200)
        self.assertProblem(404, self.req("GET", "/api/v1/customers/%d/value" % c["id"], token=USERS["sales"]))
        self.assertProblem(404, self.req("GET", "/api/v1/customers/987654321/value"))
        self.assertProblem(401, S.request("GET", "/api/v1/customers/%d/value" % c["id"]))

    def test_org_analytics_are_for_marketing_manager_and_admin(self):
        wait_idle(self)
        for path in ("/api/v1/analytics/rfm", "/api/v1/analytics/clv", "/api/v1/analytics/churn",
                     "/api/v1/analytics/abc", "/api/v1/analytics/relationship-levels", "/api/v1/analytics/runs"):
            self.assertProblem(403, self.req("GET", path, token=USERS["sales"]))
            self.assertProblem(401, S.request("GET", path))
            s, _, b = self.req("GET", path, token=USERS["marketing"])
            self.assertEqual(s, 200, b)
        self.assertProblem(403, self.req("POST", "/api/v1/analytics/runs", {}, token=USERS["sales"]))

    def test_run_on_demand_shows_progress_and_swaps_results(self):
        before = wait_idle(self)
        s, h, run = self.req("POST", "/api/v1/analytics/runs", {})
        self.assertEqual(s, 202, run)
        self.assertEqual(h["location"], "/api/v1/analytics/runs/%d" % run["id"])
        self.assertIn(run["status"], ("running", "succeeded"))
        # A second run while one is in progress is refused (unless the first already finished).
        s2, _, b2 = self.req("POST", "/api/v1/analytics/runs", {})
        if s2 == 409:
            self.assertEqual(b2["status"], 409)
        else:
            self.assertEqual(s2, 202, b2)
        wait_idle(self)
        s, _, done = self.req("GET", "/api/v1/analytics/runs/%d" % run["id"])
        self.assertEqual(s, 200)
        self.assertEqual(done["status"], "succeeded", done)
        self.assertEqual(done["progress"], 1)
        self.assertEqual(done["trigger"], "api")
        s, _, rfm = self.req("GET", "/api/v1/analytics/rfm")
        self.assertGreaterEqual(rfm["run_id"], run["id"])
        self.assertGreater(len(wait_idle(self)), len(before))
        self.assertProblem(404, self.req("GET", "/api/v1/analytics/runs/99999999"))

    def test_bad_run_requests_are_400_and_start_nothing(self):
        before = wait_idle(self)
        self.assertProblem(400, self.req("POST", "/api/v1/analytics/runs", {"as_of": "2026-02-30"}), "as_of")
        self.assertProblem(400, self.req("POST", "/api/v1/analytics/runs", {"bogus": 1}), "bogus")
        self.assertProblem(400, self.req("POST", "/api/v1/analytics/runs", "[1,2"))
        self.assertEqual(len(wait_idle(self)), len(before))

    def test_settings_are_validated_admin_only_and_used(self):
        s, _, cur = self.req("GET", "/api/v1/analytics/settings")
        self.assertEqual(s, 200, cur)
        self.assertProblem(400, self.req("PUT", "/api/v1/analytics/settings", {"margin": 2}), "margin")
        self.assertProblem(400, self.req("PUT", "/api/v1/analytics/settings", {"abc_a_share": "x"}), "abc_a_share")
        self.assertProblem(400, self.req("PUT", "/api/v1/analytics/settings", {"nope": 1}), "nope")
        self.assertProblem(400, self.req("PUT", "/api/v1/analytics/settings",
                                         {"rfm_rules": ["Champions:5:5:5"]}))
        self.assertProblem(403, self.req("PUT", "/api/v1/analytics/settings", {"margin": 0.4},
                                         token=USERS["marketing"]))
        s, _, same = self.req("GET", "/api/v1/analytics/settings")
        self.assertEqual(same, cur)  # nothing written
        s, _, new = self.req("PUT", "/api/v1/analytics/settings", {"p_alive_threshold": 0.25})
        self.assertEqual(s, 200, new)
        self.assertEqual(new["p_alive_threshold"], 0.25)
        s, _, back = self.req("GET", "/api/v1/analytics/settings", token=USERS["marketing"])
        self.assertEqual(back["p_alive_threshold"], 0.25)
        s, _, _ = self.req("PUT", "/api/v1/analytics/settings", {"p_alive_threshold": cur["p_alive_threshold"]})
        self.assertEqual(s, 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
