"""API tests of the complaint desk against a real kehu (SQLite or PostgreSQL, see kehu_harness.py),
started with --manual-clock so SLA and escalation rules are tested by moving time, never sleeping.
"""
import datetime
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kehu_harness import Server  # noqa: E402

S = None
ADMIN = None
U = {}     # users by name
TOK = {}   # tokens by name
TEAM = None
PHONE = [13700000000]


def phone():
    PHONE[0] += 13
    return str(PHONE[0])


def req(method, path, body=None, token=None):
    return S.request(method, path, body, token=ADMIN if token is None else token)


def setUpModule():
    global S, ADMIN, TEAM
    S = Server(extra_args=["--manual-clock", "--survey-secret", "test-secret-0123456789"]).start()
    ADMIN = S.login("admin", S.admin_password)
    for name, role in [("svc1", "service"), ("svc2", "service"), ("lead", "manager"), ("boss", "manager"),
                       ("seller", "sales")]:
        s, _, u = req("POST", "/api/v1/users", {"username": name, "display_name": name, "role": role,
                                                "password": "secret-pass-1"})
        assert s == 201, u
        U[name] = u
    s, _, TEAM = req("POST", "/api/v1/teams", {"name": "团购客服组", "lead_user_id": U["lead"]["id"],
                                                "member_ids": [U["svc1"]["id"], U["svc2"]["id"], U["boss"]["id"]]})
    assert s == 201, TEAM
    for n in U:
        TOK[n] = S.login(n, "secret-pass-1")
    # Business time = wall time for the test: every day 00:00-24:00, no holidays this year or next.
    s, _, b = req("PUT", "/api/v1/service/calendar/hours", {"weekdays": [0, 1, 2, 3, 4, 5, 6],
                                                           "start": "00:00", "end": "24:00"})
    assert s == 200, b
    year = datetime.datetime.utcnow().year
    for y in (year, year + 1):
        s, _, b = req("PUT", "/api/v1/service/calendar/%d" % y, {"days": []})
        assert s == 200, b


def tearDownModule():
    if S:
        S.stop()


class Base(unittest.TestCase):
    def assertProblem(self, status, resp, field=None):
        s, h, b = resp
        self.assertEqual(s, status, b)
        self.assertTrue(h.get("content-type", "").startswith("application/problem+json"), h)
        if field:
            self.assertIn(field, [e["field"] for e in b.get("errors", [])], b)
        return b

    def customer(self, category="group_purchase", vip=False):
        s, _, c = req("POST", "/api/v1/customers", {"name": "投诉客户", "category": category, "vip": vip,
                                                    "phones": [phone()]})
        self.assertEqual(s, 201, c)
        return c

    def complaint(self, cust, severity=2, token=None, **extra):
        body = {"customer_id": cust["id"], "channel": "hotline", "category": "product_quality",
                "severity": severity, "description": "酒瓶封口破损，要求退换"}
        body.update(extra)
        s, _, b = req("POST", "/api/v1/complaints", body, token=token)
        self.assertEqual(s, 201, b)
        return b

    def count(self, cust):
        s, _, b = req("GET", "/api/v1/customers/%d/complaints" % cust["id"])
        self.assertEqual(s, 200, b)
        return len(b["items"])

    def events(self, cid, kind=None):
        s, _, b = req("GET", "/api/v1/complaints/%d/events" % cid)
        self.assertEqual(s, 200, b)
        return [e for e in b["items"] if kind is None or e["kind"] == kind]

    def advance(self, minutes):
        s, _, b = req("POST", "/api/v1/system/clock", {"advance_minutes": minutes})
        self.assertEqual(s, 200, b)
        return b


class RoutingAndCreateTest(Base):
    @classmethod
    def setUpClass(cls):
        s, _, b = req("PUT", "/api/v1/service/routing", {
            "routes": [{"customer_category": "group_purchase", "team_id": TEAM["id"]}],
            "teams": [{"team_id": TEAM["id"], "strategy": "round_robin"}]})
        assert s == 200, b

    def test_number_status_and_round_robin_inside_the_team(self):
        cust = self.customer()
        a, b, c = self.complaint(cust), self.complaint(cust), self.complaint(cust)
        year = a["number"][3:7]
        self.assertRegex(a["number"], r"^TS-\d{4}-\d{6}$")
        self.assertTrue(year.isdigit())
        self.assertEqual(a["status"], "assigned")
        self.assertEqual(a["team_id"], TEAM["id"])
        members = sorted([U["svc1"]["id"], U["svc2"]["id"], U["boss"]["id"]])
        got = [a["assignee_id"], b["assignee_id"], c["assignee_id"]]
        self.assertEqual(len(set(got)), 3, got)  # three members, three different assignees in turn
        for x in got:
            self.assertIn(x, members)
        self.assertEqual(len({a["number"], b["number"], c["number"]}), 3)
        self.assertEqual(a["allowed_transitions"], ["in_progress"])

    def test_least_loaded_picks_the_member_with_fewest_open(self):
        s, _, b = req("PUT", "/api/v1/service/routing", {
            "routes": [{"customer_category": "group_purchase", "team_id": TEAM["id"]}],
            "teams": [{"team_id": TEAM["id"], "strategy": "least_loaded"}]})
        self.assertEqual(s, 200, b)
        try:
            # A member's load is every open complaint assigned to them (their "mine" queue).
            load = {}
            for name in ["svc1", "svc2", "boss"]:
                s, _, q = req("GET", "/api/v1/complaints/queue?scope=mine", token=TOK[name])
                self.assertEqual(s, 200, q)
                load[U[name]["id"]] = len(q["items"])
            expect = min(load, key=lambda m: (load[m], m))
            got = self.complaint(self.customer())
            self.assertEqual(got["assignee_id"], expect)
        finally:
            req("PUT", "/api/v1/service/routing", {
                "routes": [{"customer_category": "group_purchase", "team_id": TEAM["id"]}],
                "teams": [{"team_id": TEAM["id"], "strategy": "round_robin"}]})

    def test_unrouted_category_stays_new(self):
        c = self.complaint(self.customer(category="online_consumer"))
        self.assertEqual(c["status"], "new")
        self.assertIsNone(c["assignee_id"])

    def test_bad_input_is_400_with_fields_and_writes_nothing(self):
        cust = self.customer()
        before = self.count(cust)
        b = self.assertProblem(400, req("POST", "/api/v1/complaints", {
            "customer_id": cust["id"], "channel": "telegram", "category": "nope", "severity": 9,
            "description": " "}))
        fields = {e["field"] for e in b["errors"]}
        self.assertTrue({"channel", "category", "severity", "description"} <= fields, fields)
        self.assertProblem(400, req("POST", "/api/v1/complaints", {"customer_id": cust["id"], "extra": 1,
                                                                   "channel": "web", "category": "other",
                                                                   "severity": 1, "description": "x"}), "extra")
        self.assertProblem(400, req("POST", "/api/v1/complaints", "not json"))
        self.assertEqual(self.count(cust), before)

    def test_invisible_customer_is_404_and_sales_may_not_file(self):
        self.assertProblem(404, req("POST", "/api/v1/complaints", {
            "customer_id": 987654321, "channel": "web", "category": "other", "severity": 3, "description": "x"}))
        cust = self.customer()
        self.assertProblem(403, req("POST", "/api/v1/complaints", {
            "customer_id": cust["id"], "channel": "web", "category": "other", "severity": 3, "description": "x"},
            token=TOK["seller"]))
        c = self.complaint(cust)
        # The seller cannot see this customer (not the owner): the complaint is a 404 too.
        self.assertProblem(404, req("GET", "/api/v1/complaints/%d" % c["id"], token=TOK["seller"]))

    def test_routing_validation(self):
        self.assertProblem(400, req("PUT", "/api/v1/service/routing", {
            "routes": [{"customer_category": "martians", "team_id": 999999}]}), "routes[0].customer_category")
        self.assertProblem(403, req("PUT", "/api/v1/service/routing", {"routes": []}, token=TOK["svc1"]))


class TransitionsTest(Base):
    def test_invalid_transition_is_409_listing_the_allowed(self):
        c = self.complaint(self.customer(category="distributor"))
        self.assertEqual(c["status"], "new")
        b = self.assertProblem(409, req("POST", "/api/v1/complaints/%d/transition" % c["id"], {"to": "resolved"}))
        self.assertEqual(b.get("allowed", []), [])  # new: assign someone first
        s, _, c = req("POST", "/api/v1/complaints/%d/assign" % c["id"], {"assignee_id": U["svc1"]["id"]})
        self.assertEqual(s, 200, c)
        self.assertEqual(c["status"], "assigned")
        b = self.assertProblem(409, req("POST", "/api/v1/complaints/%d/transition" % c["id"], {"to": "closed"}))
        self.assertEqual(b["allowed"], ["in_progress"])
        self.assertProblem(400, req("POST", "/api/v1/complaints/%d/transition" % c["id"], {"to": "flying"}), "to")
        for to in ["in_progress", "waiting_customer", "in_progress", "resolved", "closed", "in_progress"]:
            s, _, c = req("POST", "/api/v1/complaints/%d/transition" % c["id"], {"to": to, "note": "ok"})
            self.assertEqual(s, 200, c)
            self.assertEqual(c["status"], to)
        kinds = [e["kind"] for e in self.events(c["id"])]
        self.assertEqual(kinds[0], "created")
        self.assertIn("reopen", kinds)
        self.assertIsNotNone(c["first_response_at"])

    def test_stale_version_is_412(self):
        c = self.complaint(self.customer())
        self.assertProblem(412, req("POST", "/api/v1/complaints/%d/transition" % c["id"],
                                    {"to": "in_progress", "version": c["version"] + 5}))

    def test_sla_clock_pauses_while_waiting_on_the_customer(self):
        c = self.complaint(self.customer(), severity=4)
        req("POST", "/api/v1/complaints/%d/transition" % c["id"], {"to": "in_progress"})
        self.advance(10)
        s, _, c = req("POST", "/api/v1/complaints/%d/transition" % c["id"], {"to": "waiting_customer"})
        paused = c["sla"]["elapsed_ms"]
        self.assertFalse(c["sla"]["running"])
        self.assertGreaterEqual(paused, 10 * 60000)
        self.advance(120)
        s, _, c = req("GET", "/api/v1/complaints/%d" % c["id"])
        self.assertEqual(c["sla"]["elapsed_ms"], paused)
        self.assertIsNone(c["next_escalation_at"])
        s, _, c = req("POST", "/api/v1/complaints/%d/transition" % c["id"], {"to": "in_progress"})
        self.advance(5)
        s, _, c = req("GET", "/api/v1/complaints/%d" % c["id"])
        self.assertEqual(c["sla"]["elapsed_ms"], paused + 5 * 60000)

    def test_resolution_and_reward_pending_loyalty(self):
        c = self.complaint(self.customer())
        s, _, r = req("PUT", "/api/v1/complaints/%d/resolution" % c["id"], {
            "root_cause": "运输破损", "note": "已补发", "compensation_minor": 5000, "compensation_currency": "CNY",
            "compensation_text": "补偿50元", "reward": True})
        self.assertEqual(s, 200, r)
        self.assertEqual(r["resolution"]["compensation_minor"], 5000)
        self.assertEqual(r["resolution"]["reward_status"], "pending_loyalty")
        # The event says what the agent wrote, not a fixed phrase.
        self.assertEqual([e["body"] for e in self.events(c["id"], "resolution")], ["运输破损 · 已补发 · 补偿50元"])
        self.assertProblem(400, req("PUT", "/api/v1/complaints/%d/resolution" % c["id"],
                                    {"compensation_minor": -1, "compensation_currency": "yuan"}), "compensation_minor")
        s, _, again = req("GET", "/api/v1/complaints/%d" % c["id"])
        self.assertEqual(again["version"], r["version"])


class EscalationTest(Base):
    def test_ladder_fires_each_step_once_with_notification_and_email(self):
        s, _, _ = req("PUT", "/api/v1/notifications/email", {"email": "svc2@example.cn"}, token=TOK["svc2"])
        self.assertEqual(s, 204)
        cust = self.customer(category="consignment")
        c = self.complaint(cust, severity=1, assignee_id=U["svc2"]["id"])  # response target 60 business min
        self.assertEqual(c["sla"]["response_target_ms"], 60 * 60000)
        self.advance(44)
        self.assertEqual(self.events(c["id"], "escalation"), [])
        self.advance(2)  # 46 min: past 75% of the response target
        esc = self.events(c["id"], "escalation")
        self.assertEqual([(e["target"], e["step"]) for e in esc], [("response", 75)])
        s, _, n = req("GET", "/api/v1/notifications", token=TOK["svc2"])
        mine = [x for x in n["items"] if x["complaint_id"] == c["id"] and x["kind"] == "escalation"]
        self.assertEqual(len(mine), 1)
        self.assertFalse(mine[0]["read"])
        self.advance(0)
        self.assertEqual(len(self.events(c["id"], "escalation")), 1)  # never repeated
        self.advance(15)  # 61 min: 100% -> team lead (no team: the org's managers)
        self.advance(30)  # 91 min: 150% -> manager
        esc = self.events(c["id"], "escalation")
        self.assertEqual([(e["target"], e["step"]) for e in esc],
                         [("response", 75), ("response", 100), ("response", 150)])
        s, _, outbox = req("GET", "/api/v1/service/outbox")
        self.assertEqual(s, 200, outbox)
        mails = [m for m in outbox["items"] if c["number"] in m["subject"]]
        self.assertTrue(any(m["to"] == "svc2@example.cn" and m["status"] == "queued" for m in mails), mails)
        self.assertTrue(any(m["status"] == "no_address" for m in mails), mails)  # never "sent" without SMTP
        self.assertFalse(any(m["status"] == "sent" for m in mails))
        # Mark read: unread first, then read; someone else's notification is a 404.
        s, _, _ = req("POST", "/api/v1/notifications/%d/read" % mine[0]["id"], token=TOK["svc2"])
        self.assertEqual(s, 204)
        self.assertProblem(404, req("POST", "/api/v1/notifications/%d/read" % mine[0]["id"], token=TOK["svc1"]))
        s, _, n = req("GET", "/api/v1/notifications", token=TOK["svc2"])
        reads = [x["read"] for x in n["items"]]
        self.assertEqual(reads, sorted(reads))
        self.assertProblem(403, req("GET", "/api/v1/service/outbox", token=TOK["svc2"]))

    def test_queue_sorts_by_priority(self):
        low = self.complaint(self.customer(category="online_consumer"), severity=4, assignee_id=U["svc1"]["id"])
        high = self.complaint(self.customer(category="group_purchase", vip=True), severity=1,
                              assignee_id=U["svc1"]["id"])
        s, _, q = req("GET", "/api/v1/complaints/queue?scope=mine", token=TOK["svc1"])
        self.assertEqual(s, 200, q)
        ids = [x["id"] for x in q["items"]]
        self.assertLess(ids.index(high["id"]), ids.index(low["id"]))
        prios = [x["priority"] for x in q["items"]]
        self.assertEqual(prios, sorted(prios, reverse=True))
        # Each complaint names its customer, in the queue as on create and read.
        self.assertEqual({x["customer_name"] for x in q["items"]}, {"投诉客户"})
        self.assertEqual(high["customer_name"], "投诉客户")
        self.assertEqual(req("GET", "/api/v1/complaints/%d" % low["id"])[2]["customer_name"], "投诉客户")
        self.assertProblem(400, req("GET", "/api/v1/complaints/queue?scope=everyone", token=TOK["svc1"]), "scope")
        self.assertProblem(403, req("GET", "/api/v1/complaints/queue", token=TOK["seller"]))

    def test_value_percentile_from_the_latest_analytics_run_raises_priority(self):
        rich, poor = self.customer(category="online_consumer"), self.customer(category="online_consumer")
        before = self.complaint(rich, severity=3)
        self.assertIsNone(before["value_percentile"])
        for cust, amount in ((rich, 880000), (poor, 1200)):
            for day in ("2026-03-02", "2026-06-01", "2026-09-01"):
                s, _, o = req("POST", "/api/v1/orders", {"customer_id": cust["id"], "ordered_at": day,
                                                         "amount_minor": amount})
                self.assertEqual(s, 201, o)
        s, _, run = req("POST", "/api/v1/analytics/runs", {})
        if s == 409:  # the start-up run is still going: wait for it, then ask again
            run = None
        deadline = datetime.datetime.now() + datetime.timedelta(seconds=120)
        while datetime.datetime.now() < deadline:
            s, _, runs = req("GET", "/api/v1/analytics/runs")
            self.assertEqual(s, 200, runs)
            if not any(r["status"] == "running" for r in runs["items"]):
                if run is None:
                    s, _, run = req("POST", "/api/v1/analytics/runs", {})
                    self.assertEqual(s, 202, run)
                    continue
                break
        self.assertEqual([r for r in runs["items"] if r["id"] == run["id"]][0]["status"], "succeeded")
        s, _, vr = req("GET", "/api/v1/customers/%d/value" % rich["id"])
        self.assertEqual(s, 200, vr)
        s, _, vp = req("GET", "/api/v1/customers/%d/value" % poor["id"])
        hi, lo = vr["value"]["value_percentile"], vp["value"]["value_percentile"]
        self.assertGreater(hi, lo, (vr, vp, [r["diagnostics"] for r in runs["items"] if r["id"] == run["id"]]))
        a, b = self.complaint(rich, severity=3), self.complaint(poor, severity=3)
        self.assertAlmostEqual(a["value_percentile"], round(hi, 3), places=3)
        self.assertAlmostEqual(b["value_percentile"], round(lo, 3), places=3)
        # Same category, severity and SLA time: the priorities differ by 20 x the percentiles.
        self.assertAlmostEqual(a["priority"] - b["priority"], 20 * (hi - lo), delta=0.11)
        s, _, again = req("GET", "/api/v1/complaints/%d" % before["id"])
        self.assertAlmostEqual(again["value_percentile"], round(hi, 3), places=3)

    def test_clock_route_is_admin_only(self):
        self.assertProblem(403, req("POST", "/api/v1/system/clock", {"advance_minutes": 1}, token=TOK["svc1"]))
        self.assertProblem(400, req("POST", "/api/v1/system/clock", {"advance_minutes": -5}), "advance_minutes")


class SurveyTest(Base):
    def closed(self):
        cust = self.customer()
        c = self.complaint(cust)
        for to in ["in_progress", "resolved", "closed"]:
            s, _, c = req("POST", "/api/v1/complaints/%d/transition" % c["id"], {"to": to})
            self.assertEqual(s, 200, c)
        self.assertIn("survey_token", c)
        return cust, c

    def test_signed_link_answers_once_without_login(self):
        cust, c = self.closed()
        tok = c["survey_token"]
        s, _, v = S.request("GET", "/api/v1/surveys/" + tok)
        self.assertEqual(s, 200, v)
        self.assertEqual(v["number"], c["number"])
        self.assertFalse(v["answered"])
        self.assertProblem(400, S.request("POST", "/api/v1/surveys/" + tok, {"csat": 6, "nps": 11}), "csat")
        s, _, v = S.request("POST", "/api/v1/surveys/" + tok, {"csat": 5, "nps": 9, "comment": "处理及时"})
        self.assertEqual(s, 201, v)
        self.assertProblem(409, S.request("POST", "/api/v1/surveys/" + tok, {"csat": 1, "nps": 0}))
        s, _, sat = req("GET", "/api/v1/customers/%d/satisfaction" % cust["id"])
        self.assertEqual([(x["csat"], x["nps"], x["comment"]) for x in sat["items"]], [(5, 9, "处理及时")])
        s, _, got = req("GET", "/api/v1/complaints/%d" % c["id"])
        self.assertEqual(got["survey"]["csat"], 5)

    def test_forged_and_expired_tokens(self):
        _, c = self.closed()
        tok = c["survey_token"]
        parts = tok.split("-")
        forged = "-".join([parts[0], str(int(parts[1]) + 1), parts[2], parts[3]])
        self.assertProblem(404, S.request("GET", "/api/v1/surveys/" + forged))
        self.assertProblem(404, S.request("POST", "/api/v1/surveys/" + forged, {"csat": 1, "nps": 1}))
        self.assertProblem(404, S.request("GET", "/api/v1/surveys/garbage"))
        longer = "-".join([parts[0], parts[1], str(int(parts[2]) + 10**9), parts[3]])
        self.assertProblem(404, S.request("GET", "/api/v1/surveys/" + longer))
        self.advance(31 * 24 * 60)
        self.assertProblem(409, S.request("GET", "/api/v1/surveys/" + tok))
        self.assertProblem(409, S.request("POST", "/api/v1/surveys/" + tok, {"csat": 3, "nps": 5}))

    def test_other_routes_still_need_a_session(self):
        self.assertProblem(401, S.request("GET", "/api/v1/complaints/queue"))
        self.assertProblem(401, S.request("GET", "/api/v1/notifications"))


class AdminTest(Base):
    def test_calendar_policies_and_stats(self):
        s, _, cal = req("GET", "/api/v1/service/calendar?year=2026")
        self.assertEqual(s, 200, cal)
        self.assertIn(2026, cal["shipped_years"])
        self.assertProblem(400, req("PUT", "/api/v1/service/calendar/2030", {"days": [
            {"date": "2031-01-01", "kind": "holiday"}, {"date": "2030-02-30", "kind": "holiday"},
            {"date": "2030-03-01", "kind": "party"}]}), "days[1].date")
        self.assertProblem(400, req("PUT", "/api/v1/service/calendar/2030", {"days": [
            {"date": "2031-01-01", "kind": "holiday"}]}), "days[0].date")
        self.assertProblem(403, req("PUT", "/api/v1/service/calendar/2030", {"days": []}, token=TOK["lead"]))
        s, _, cal = req("PUT", "/api/v1/service/calendar/2030", {"days": [
            {"date": "2030-10-01", "kind": "holiday", "name": "国庆节"},
            {"date": "2030-10-12", "kind": "workday", "name": "调休上班"}]})
        self.assertEqual(s, 200, cal)
        self.assertEqual([d["date"] for d in cal["days"]], ["2030-10-01", "2030-10-12"])
        self.assertProblem(400, req("PUT", "/api/v1/service/calendar/hours", {"start": "18:00", "end": "09:00"}), "end")
        s, _, pol = req("GET", "/api/v1/service/sla-policies")
        self.assertEqual(s, 200, pol)
        self.assertEqual(len(pol["items"]), 8)
        items = pol["items"] + [{"severity": 1, "customer_category": "distributor", "vip": True,
                                 "response_minutes": 15, "resolution_minutes": 120}]
        s, _, pol2 = req("PUT", "/api/v1/service/sla-policies", {"items": items})
        self.assertEqual(s, 200, pol2)
        self.assertEqual(len(pol2["items"]), 9)
        self.assertProblem(400, req("PUT", "/api/v1/service/sla-policies", {"items": [
            {"severity": 7, "response_minutes": 10, "resolution_minutes": 5}]}), "items[0].severity")
        c = self.complaint(self.customer(category="distributor", vip=True), severity=1)
        self.assertEqual(c["sla"]["response_target_ms"], 15 * 60000)
        today = datetime.datetime.utcnow().date()
        frm = (today - datetime.timedelta(days=2)).isoformat()
        to = (today + datetime.timedelta(days=60)).isoformat()
        s, _, st = req("GET", "/api/v1/service/stats?from=%s&to=%s" % (frm, to))
        self.assertEqual(s, 200, st)
        self.assertGreater(st["total"], 0)
        self.assertEqual(sum(st["by_channel"].values()), st["total"])
        self.assertEqual(sum(d["count"] for d in st["requests_per_day"]), st["total"])
        # A bare date is local midnight (+08:00): 16:00 UTC of the day before.
        self.assertTrue(st["from"].startswith((today - datetime.timedelta(days=3)).isoformat() + "T16:00:00"), st["from"])
        self.assertProblem(400, req("GET", "/api/v1/service/stats?from=yesterday&to=" + to), "from")


class RestartTest(Base):
    def test_escalation_neither_missed_nor_repeated_across_a_restart(self):
        global S, ADMIN, TOK
        c = self.complaint(self.customer(category="consignment"), severity=1, assignee_id=U["svc1"]["id"])
        self.advance(50)  # 75% of the 60-minute response target fired
        self.assertEqual([e["step"] for e in self.events(c["id"], "escalation")], [75])
        db, password = S.db, S.admin_password
        S.stop()
        # A new process: its manual clock starts again at the real time, and its first pass runs at
        # start. The step fired before the restart must not fire again.
        S = Server(db_url=db, extra_args=["--manual-clock", "--survey-secret", "test-secret-0123456789"]).start()
        S.admin_password = password
        ADMIN = S.login("admin", password)
        TOK = {n: S.login(n, "secret-pass-1") for n in U}
        self.advance(0)
        self.assertEqual([e["step"] for e in self.events(c["id"], "escalation")], [75])
        s, _, cur = req("GET", "/api/v1/complaints/%d" % c["id"])
        due = datetime.datetime.fromisoformat(cur["next_escalation_at"].replace("Z", "+00:00"))
        now = datetime.datetime.fromisoformat(self.advance(0)["now"].replace("Z", "+00:00"))
        self.advance(int((due - now).total_seconds() // 60) + 2)  # past 100% (not 150%) of the target
        self.assertEqual([e["step"] for e in self.events(c["id"], "escalation")], [75, 100])
        self.advance(0)
        self.assertEqual([e["step"] for e in self.events(c["id"], "escalation")], [75, 100])


class FakeSmtp:
    """A minimal SMTP server on a loopback port that records each message (no TLS, no auth)."""

    def __init__(self):
        import socket
        import threading
        self.messages = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                f = conn.makefile("rb")
                conn.sendall(b"220 fake ESMTP\r\n")
                rcpt, data = [], None
                while True:
                    line = f.readline()
                    if not line:
                        break
                    cmd = line.decode(errors="replace").strip()
                    up = cmd.upper()
                    if up.startswith("EHLO") or up.startswith("HELO"):
                        conn.sendall(b"250 fake\r\n")
                    elif up.startswith("RCPT TO:"):
                        rcpt.append(cmd[8:].strip())
                        conn.sendall(b"250 ok\r\n")
                    elif up == "DATA":
                        conn.sendall(b"354 go\r\n")
                        body = []
                        while True:
                            l2 = f.readline()
                            if not l2 or l2 in (b".\r\n", b".\n"):
                                break
                            body.append(l2)
                        data = b"".join(body).decode(errors="replace")
                        self.messages.append({"rcpt": rcpt, "data": data})
                        conn.sendall(b"250 queued\r\n")
                    elif up == "QUIT":
                        conn.sendall(b"221 bye\r\n")
                        break
                    else:
                        conn.sendall(b"250 ok\r\n")

    def close(self):
        self.sock.close()


class SmtpDeliveryTest(unittest.TestCase):
    """Queued escalation emails are delivered through SMTP when --smtp-url is set, and stay
    queued (never marked sent) when the server cannot be reached."""

    def outbox(self, srv, token):
        s, _, b = srv.request("GET", "/api/v1/service/outbox", token=token)
        self.assertEqual(s, 200, b)
        return b["items"]

    def test_outbox_is_delivered_by_smtp_and_failures_stay_queued(self):
        import socket
        import time
        dead = socket.socket()
        dead.bind(("127.0.0.1", 0))
        dead_port = dead.getsockname()[1]
        dead.close()  # nothing listens here
        srv = Server(extra_args=["--manual-clock", "--smtp-url", "smtp://127.0.0.1:%d" % dead_port,
                                 "--smtp-from", "desk@example.cn"]).start()
        smtp = FakeSmtp()
        try:
            admin = srv.login("admin", srv.admin_password)
            s, _, _ = srv.request("PUT", "/api/v1/notifications/email", {"email": "boss@example.cn"}, token=admin)
            self.assertEqual(s, 204)
            s, _, b = srv.request("PUT", "/api/v1/service/calendar/hours",
                                  {"weekdays": [0, 1, 2, 3, 4, 5, 6], "start": "00:00", "end": "24:00"}, token=admin)
            self.assertEqual(s, 200, b)
            year = datetime.datetime.utcnow().year
            for y in (year, year + 1):
                srv.request("PUT", "/api/v1/service/calendar/%d" % y, {"days": []}, token=admin)
            s, _, cust = srv.request("POST", "/api/v1/customers", {"name": "邮件客户", "phones": [phone()]}, token=admin)
            self.assertEqual(s, 201, cust)
            s, _, c = srv.request("POST", "/api/v1/complaints", {
                "customer_id": cust["id"], "channel": "web", "category": "logistics", "severity": 1,
                "description": "物流延误"}, token=admin)
            self.assertEqual(s, 201, c)
            s, _, b = srv.request("POST", "/api/v1/system/clock", {"advance_minutes": 46}, token=admin)
            self.assertEqual(b["escalations"], 1, b)
            mails = [m for m in self.outbox(srv, admin) if c["number"] in m["subject"]]
            self.assertEqual([m["status"] for m in mails], ["queued"])
            db, pw = srv.db, srv.admin_password
            srv.stop()
            # Restart: the job's first pass runs at start and tries the unreachable server.
            srv = Server(db_url=db, extra_args=["--manual-clock", "--smtp-url", "smtp://127.0.0.1:%d" % dead_port]).start()
            admin = srv.login("admin", pw)
            deadline = time.time() + 30
            while time.time() < deadline:
                m = [x for x in self.outbox(srv, admin) if c["number"] in x["subject"]][0]
                if m["attempts"] >= 1:
                    break
                time.sleep(0.2)
            self.assertEqual(m["status"], "queued")  # retried later, never pretended sent
            self.assertGreaterEqual(m["attempts"], 1)
            self.assertNotEqual(m["last_error"], "")
            srv.stop()
            srv = Server(db_url=db, extra_args=["--manual-clock", "--smtp-url", "smtp://127.0.0.1:%d" % smtp.port,
                                                "--smtp-from", "desk@example.cn"]).start()
            admin = srv.login("admin", pw)
            deadline = time.time() + 30
            while time.time() < deadline and not smtp.messages:
                time.sleep(0.2)
            self.assertEqual(len(smtp.messages), 1)
            self.assertEqual(smtp.messages[0]["rcpt"], ["<boss@example.cn>"])
            self.assertIn("Subject: =?UTF-8?B?", smtp.messages[0]["data"])
            deadline = time.time() + 10
            while time.time() < deadline:
                m = [x for x in self.outbox(srv, admin) if c["number"] in x["subject"]][0]
                if m["status"] == "sent":
                    break
                time.sleep(0.2)
            self.assertEqual(m["status"], "sent")
            self.assertIsNotNone(m["sent_at"])
        finally:
            smtp.close()
            srv.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)


class ErasureTest(Base):
    def test_erasing_a_customer_blanks_complaint_and_interaction_text(self):
        cust = self.customer()
        c = self.complaint(cust)
        cid = c["complaint"]["id"] if "complaint" in c else c["id"]
        s, _, note = req("POST", "/api/v1/complaints/%d/notes" % cid, {"body": "客户电话 13712345678，住址某小区"})
        self.assertIn(s, (200, 201), note)
        self.assertTrue(any("13712345678" in e.get("body", "") for e in self.events(cid)))
        s, _, i = req("POST", "/api/v1/interactions", {"type": "call", "direction": "inbound",
                                                       "customer_ids": [cust["id"]], "subject": "投诉来电",
                                                       "body": "客户王某说酒瓶破损"})
        self.assertEqual(s, 201, i)
        s, _, b = req("POST", "/api/v1/customers/%d/erase" % cust["id"])
        self.assertEqual(s, 200, b)
        s, _, after = req("GET", "/api/v1/complaints/%d" % cid)
        self.assertEqual(s, 200, after)
        got = after["complaint"] if "complaint" in after else after
        self.assertEqual(got["description"], "")
        self.assertEqual(got["number"], (c["complaint"] if "complaint" in c else c)["number"])  # aggregates stay
        self.assertTrue(all(e.get("body", "") == "" for e in self.events(cid)))
        s, _, ia = req("GET", "/api/v1/interactions/%d" % i["id"])
        self.assertEqual(s, 200, ia)
        self.assertEqual((ia["subject"], ia["body"]), ("", ""))


class AuditOfOtherObjectsTest(Base):
    def test_complaint_and_interaction_histories_follow_their_visibility(self):
        cust = self.customer()
        c = self.complaint(cust)
        cid = c["complaint"]["id"] if "complaint" in c else c["id"]
        s, _, b = req("GET", "/api/v1/audit?entity=complaint&id=%d" % cid)
        self.assertEqual(s, 200, b)
        self.assertIn("create", [e["action"] for e in b["items"]])
        s, _, i = req("POST", "/api/v1/interactions", {"type": "note", "direction": "internal",
                                                       "customer_ids": [cust["id"]], "body": "备注"})
        self.assertEqual(s, 201, i)
        s, _, b = req("GET", "/api/v1/audit?entity=interaction&id=%d" % i["id"])
        self.assertEqual(s, 200, b)
        self.assertEqual([e["action"] for e in b["items"]], ["create"])
        # sales may not see this customer (not the owner): the histories are 404 like the objects
        s, _, b = req("GET", "/api/v1/audit?entity=interaction&id=%d" % i["id"], token=TOK["seller"])
        self.assertEqual(s, 404, b)
        s, _, t = req("POST", "/api/v1/tasks", {"title": "回访投诉客户", "customer_id": cust["id"],
                                                "due_at": "2030-01-01T01:00:00Z"})
        self.assertEqual(s, 201, t)
        s, _, t2 = S.request("PATCH", "/api/v1/tasks/%d" % t["id"], {"status": "done"}, token=ADMIN,
                             headers={"If-Match": '"%d"' % t["version"]})
        self.assertEqual(s, 200, t2)
        s, _, b = req("GET", "/api/v1/audit?entity=task&id=%d" % t["id"])
        self.assertEqual(s, 200, b)
        self.assertEqual([e["action"] for e in b["items"]], ["update", "create"])
        self.assertIn({"field": "status", "before": "open", "after": "done"}, b["items"][0]["changes"])
        s, _, b = req("GET", "/api/v1/audit?entity=nonsense&id=1")
        self.assertEqual(s, 400, b)
