"""API tests for interactions, the customer timeline, follow-up tasks and the contact center
(signed telephony events, the screen-pop look-up and its Server-Sent Events stream), against a
real kehu server on SQLite or PostgreSQL (see kehu_harness.py).
"""
import hashlib
import hmac
import json
import os
import socket
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kehu_harness import Server  # noqa: E402

S = None
ADMIN = None
SALES = {}
PHONE_SEQ = [13700000000]


def next_phone():
    PHONE_SEQ[0] += 13
    return str(PHONE_SEQ[0])


def setUpModule():
    global S, ADMIN
    S = Server().start()
    ADMIN = S.login("admin", S.admin_password)
    for name in ("wang", "li"):
        s, _, b = S.request("POST", "/api/v1/users", {"username": name, "display_name": name, "role": "sales",
                                                     "password": "password-123"}, token=ADMIN)
        assert s == 201, b
        SALES[name] = {"id": b["id"], "token": S.login(name, "password-123")}


def tearDownModule():
    if S:
        S.stop()


class Base(unittest.TestCase):
    def req(self, method, path, body=None, token="admin", headers=None, raw=False):
        tok = ADMIN if token == "admin" else token
        return S.request(method, path, body, headers=headers, token=tok, raw=raw)

    def customer(self, token="admin", **fields):
        body = {"name": "客户" + uuid.uuid4().hex[:6], "phones": [next_phone()]}
        body.update(fields)
        s, _, b = self.req("POST", "/api/v1/customers", body, token=token)
        self.assertEqual(s, 201, b)
        return b

    def interaction(self, token="admin", **fields):
        s, h, b = self.req("POST", "/api/v1/interactions", fields, token=token)
        self.assertEqual(s, 201, b)
        return b

    def assertProblem(self, status, resp, field=None):
        s, h, b = resp
        self.assertEqual(s, status, b)
        self.assertTrue(h.get("content-type", "").startswith("application/problem+json"), h)
        if field:
            self.assertIn(field, [e["field"] for e in b.get("errors", [])], b)
        return b

    def count_interactions(self, customer_id):
        s, _, b = self.req("GET", "/api/v1/interactions?limit=500&customer_id=%d" % customer_id)
        self.assertEqual(s, 200, b)
        return len(b["items"])


class InteractionTest(Base):
    def test_create_get_patch_delete_with_audit(self):
        c = self.customer()
        i = self.interaction(type="event", subtype="tasting", direction="outbound", subject="品鉴会邀请",
                             body="邀请参加年末品鉴会", customer_ids=[c["id"]], duration_seconds=0,
                             occurred_at="2026-11-20T10:00:00Z")
        self.assertEqual(i["subtype"], "tasting")
        self.assertEqual(i["customer_ids"], [c["id"]])
        self.assertEqual(i["participants"], [{"kind": "user", "id": 1}])
        s, h, got = self.req("GET", "/api/v1/interactions/%d" % i["id"])
        self.assertEqual((s, got["subject"]), (200, "品鉴会邀请"))
        self.assertEqual(h["etag"], '"1"')
        self.assertProblem(428, self.req("PATCH", "/api/v1/interactions/%d" % i["id"], {"outcome": "accepted"}))
        s, _, b = self.req("PATCH", "/api/v1/interactions/%d" % i["id"], {"outcome": "accepted"},
                           headers={"If-Match": '"1"'})
        self.assertEqual((s, b["outcome"], b["version"]), (200, "accepted", 2))
        self.assertProblem(412, self.req("PATCH", "/api/v1/interactions/%d" % i["id"], {"outcome": "x"},
                                         headers={"If-Match": '"1"'}))
        s, _, _ = self.req("DELETE", "/api/v1/interactions/%d" % i["id"])
        self.assertEqual(s, 204)
        self.assertEqual(self.req("GET", "/api/v1/interactions/%d" % i["id"])[0], 404)

    def test_bad_input_names_every_field_and_writes_nothing(self):
        c = self.customer()
        b = self.assertProblem(400, self.req("POST", "/api/v1/interactions", {
            "type": "telegram", "direction": "sideways", "customer_ids": [c["id"], 999999],
            "duration_seconds": -1, "occurred_at": "yesterday", "participants": [{"kind": "robot", "id": 1}]}))
        fields = {e["field"] for e in b["errors"]}
        for f in ("type", "direction", "customer_ids[1]", "duration_seconds", "occurred_at", "participants[0].kind"):
            self.assertIn(f, fields)
        self.assertProblem(400, self.req("POST", "/api/v1/interactions", {"type": "note", "customer_ids": [c["id"]],
                                                                          "colour": "red"}), "colour")
        self.assertProblem(400, self.req("POST", "/api/v1/interactions", {"type": 3, "customer_ids": "x"}), "type")
        self.assertProblem(400, self.req("POST", "/api/v1/interactions", {"type": "call"}), "customer_ids")
        self.assertProblem(400, self.req("POST", "/api/v1/interactions", "[1,2]"))
        self.assertEqual(self.count_interactions(c["id"]), 0)

    def test_invisible_customer_hides_the_interaction(self):
        mine = self.customer(token=SALES["wang"]["token"])
        theirs = self.customer(token=SALES["li"]["token"])
        # wang cannot link li's customer: a field error, not a leak of its existence
        self.assertProblem(400, self.req("POST", "/api/v1/interactions",
                                         {"type": "note", "customer_ids": [mine["id"], theirs["id"]]},
                                         token=SALES["wang"]["token"]), "customer_ids[1]")
        both = self.interaction(type="meeting", customer_ids=[mine["id"], theirs["id"]])
        self.assertEqual(self.req("GET", "/api/v1/interactions/%d" % both["id"], token=SALES["wang"]["token"])[0], 404)
        self.assertEqual(self.req("GET", "/api/v1/interactions/%d" % both["id"], token=SALES["li"]["token"])[0], 404)
        s, _, b = self.req("GET", "/api/v1/interactions?customer_id=%d" % mine["id"], token=SALES["wang"]["token"])
        self.assertEqual(s, 200)
        self.assertNotIn(both["id"], [x["id"] for x in b["items"]])
        self.assertProblem(400, self.req("GET", "/api/v1/interactions?customer_id=%d" % theirs["id"],
                                         token=SALES["wang"]["token"]), "customer_id")
        own = self.interaction(token=SALES["wang"]["token"], type="visit", customer_ids=[mine["id"]])
        self.assertEqual(self.req("GET", "/api/v1/interactions/%d" % own["id"], token=SALES["wang"]["token"])[0], 200)
        # li may not change wang's interaction (not visible: 404)
        self.assertEqual(self.req("PATCH", "/api/v1/interactions/%d" % own["id"], {"subject": "x"},
                                  token=SALES["li"]["token"], headers={"If-Match": '"1"'})[0], 404)

    def test_list_filters_and_cursor(self):
        c = self.customer()
        ids = []
        for k, t in enumerate(["call", "visit", "call", "email", "call"]):
            ids.append(self.interaction(type=t, customer_ids=[c["id"]],
                                        occurred_at="2026-10-0%dT08:00:00Z" % (k + 1))["id"])
        s, _, b = self.req("GET", "/api/v1/interactions?customer_id=%d&type=call" % c["id"])
        self.assertEqual([x["id"] for x in b["items"]], [ids[4], ids[2], ids[0]])
        s, _, b = self.req("GET", "/api/v1/interactions?customer_id=%d&from=2026-10-02&to=2026-10-04" % c["id"])
        self.assertEqual([x["id"] for x in b["items"]], [ids[2], ids[1]])
        seen, cursor = [], None
        while True:
            path = "/api/v1/interactions?limit=2&customer_id=%d" % c["id"] + ("&cursor=" + cursor if cursor else "")
            s, _, b = self.req("GET", path)
            self.assertEqual(s, 200, b)
            seen += [x["id"] for x in b["items"]]
            cursor = b["next_cursor"]
            if not cursor:
                break
        self.assertEqual(seen, list(reversed(ids)))
        self.assertProblem(400, self.req("GET", "/api/v1/interactions?cursor=garbage"), "cursor")
        self.assertProblem(400, self.req("GET", "/api/v1/interactions?type=telex"), "type")
        self.assertProblem(400, self.req("GET", "/api/v1/interactions?sort=x"), "sort")


class TimelineTest(Base):
    def test_feed_merges_audit_and_interactions_and_pages_without_gaps(self):
        c = self.customer()
        self.req("PATCH", "/api/v1/customers/%d" % c["id"], {"note": "改过"}, headers={"If-Match": '"1"'})
        for k in range(3):
            self.interaction(type="call", customer_ids=[c["id"]], subject="第%d次" % k)
        s, _, full = self.req("GET", "/api/v1/customers/%d/timeline?limit=200" % c["id"])
        self.assertEqual(s, 200, full)
        kinds = [e["kind"] for e in full["items"]]
        self.assertEqual(kinds.count("audit"), 2)
        self.assertEqual(kinds.count("interaction"), 3)
        audit = [e for e in full["items"] if e["kind"] == "audit"]
        self.assertIn("changes", audit[0]["data"])
        paged, cursor = [], None
        while True:
            path = "/api/v1/customers/%d/timeline?limit=1" % c["id"] + ("&cursor=" + cursor if cursor else "")
            s, _, b = self.req("GET", path)
            self.assertEqual(s, 200, b)
            paged += [(e["kind"], e["id"]) for e in b["items"]]
            cursor = b["next_cursor"]
            if not cursor:
                break
        self.assertEqual(paged, [(e["kind"], e["id"]) for e in full["items"]])
        s, _, only = self.req("GET", "/api/v1/customers/%d/timeline?kinds=interaction" % c["id"])
        self.assertEqual({e["kind"] for e in only["items"]}, {"interaction"})
        self.assertProblem(400, self.req("GET", "/api/v1/customers/%d/timeline?cursor=xx" % c["id"]), "cursor")
        self.assertEqual(self.req("GET", "/api/v1/customers/%d/timeline" % c["id"],
                                  token=SALES["li"]["token"])[0], 404)


class TaskTest(Base):
    def test_create_today_complete_and_stale_version(self):
        c = self.customer()
        now = time.time()
        iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
        s, h, t = self.req("POST", "/api/v1/tasks", {"title": "回访", "customer_id": c["id"],
                                                     "due_at": iso(now - 3600), "remind_at": iso(now - 60)})
        self.assertEqual(s, 201, t)
        self.assertEqual(t["status"], "open")
        s, _, today = self.req("GET", "/api/v1/tasks/today")
        self.assertIn(t["id"], [x["id"] for x in today["overdue"]])
        self.assertGreaterEqual(today["count"], 1)
        # The task names its customer when written and when read.
        listed = [x for x in today["overdue"] if x["id"] == t["id"]][0]
        self.assertEqual((t["customer_name"], listed["customer_name"]), (c["name"], c["name"]))
        s, _, rem = self.req("GET", "/api/v1/tasks/reminders")
        self.assertIn(t["id"], [x["id"] for x in rem["items"]])
        s, _, d = self.req("POST", "/api/v1/tasks/%d/dismiss-reminder" % t["id"])
        self.assertEqual(s, 200, d)
        s, _, rem = self.req("GET", "/api/v1/tasks/reminders")
        self.assertNotIn(t["id"], [x["id"] for x in rem["items"]])
        s, _, done = self.req("PATCH", "/api/v1/tasks/%d" % t["id"], {"status": "done"},
                              headers={"If-Match": '"%d"' % d["version"]})
        self.assertEqual((s, done["status"], done["customer_name"]), (200, "done", c["name"]), done)
        self.assertIsNotNone(done["completed_at"])
        self.assertProblem(412, self.req("PATCH", "/api/v1/tasks/%d" % t["id"], {"status": "open"},
                                         headers={"If-Match": '"1"'}))
        s, _, today = self.req("GET", "/api/v1/tasks/today")
        self.assertNotIn(t["id"], [x["id"] for x in today["overdue"] + today["today"]])

    def test_bad_task_and_other_peoples_tasks(self):
        b = self.assertProblem(400, self.req("POST", "/api/v1/tasks", {"title": "", "due_at": "soon",
                                                                        "assignee_id": 99999, "status": "maybe"}))
        self.assertEqual({e["field"] for e in b["errors"]}, {"title", "due_at", "assignee_id", "status"})
        s, _, t = self.req("POST", "/api/v1/tasks", {"title": "wang's", "due_at": "2026-12-01T00:00:00Z"},
                           token=SALES["wang"]["token"])
        self.assertEqual(s, 201, t)
        self.assertEqual(t["assignee_id"], SALES["wang"]["id"])
        self.assertEqual(self.req("GET", "/api/v1/tasks/%d" % t["id"], token=SALES["li"]["token"])[0], 404)
        self.assertProblem(400, self.req("GET", "/api/v1/tasks?assignee=%d" % SALES["wang"]["id"],
                                         token=SALES["li"]["token"]), "assignee")
        s, _, mine = self.req("GET", "/api/v1/tasks?assignee=me", token=SALES["wang"]["token"])
        self.assertIn(t["id"], [x["id"] for x in mine["items"]])
        self.assertProblem(400, self.req("GET", "/api/v1/tasks?due=tomorrow"), "due")


class TelephonyTest(Base):
    @classmethod
    def setUpClass(cls):
        s, _, b = S.request("POST", "/api/v1/api-keys", {"name": "pbx", "role": "service"}, token=ADMIN)
        assert s == 201, b
        cls.key = b["key"]
        s, _, b = S.request("POST", "/api/v1/telephony/secret", token=ADMIN)
        assert s == 201, b
        cls.secret = b["secret"]

    def event(self, body, ts=None, secret=None, signature=None, key=None):
        raw = json.dumps(body).encode()
        ts = str(int(time.time()) if ts is None else ts)
        sig = hmac.new((secret or self.secret).encode(), ts.encode() + b"." + raw, hashlib.sha256).hexdigest()
        headers = {"X-Api-Key": key or self.key, "X-Kehu-Timestamp": ts,
                   "X-Kehu-Signature": signature or ("sha256=" + sig), "Content-Type": "application/json"}
        return S.request("POST", "/api/v1/telephony/events", raw, headers=headers)

    def test_only_admin_sets_the_secret(self):
        self.assertProblem(403, self.req("POST", "/api/v1/telephony/secret", token=SALES["wang"]["token"]))

    def test_signature_rules(self):
        body = {"event": "ringing", "call_id": "sig-" + uuid.uuid4().hex, "from": next_phone(), "to": "4008001234",
                "agent": "wang"}
        self.assertProblem(401, self.event(body, ts=int(time.time()) - 301))
        self.assertProblem(401, self.event(body, ts=int(time.time()) + 301))
        self.assertProblem(401, self.event(body, secret="wrong"))
        self.assertProblem(401, self.event(body, signature="sha256=xyz"))
        self.assertProblem(401, S.request("POST", "/api/v1/telephony/events", json.dumps(body),
                                          headers={"X-Kehu-Timestamp": str(int(time.time()))}))
        # a session token is not enough: events need the API key
        s, _, _ = self.req("POST", "/api/v1/telephony/events", body,
                           headers={"X-Kehu-Timestamp": str(int(time.time())), "X-Kehu-Signature": "sha256=" + "0" * 64})
        self.assertEqual(s, 401)
        ts = int(time.time())
        s, _, b = self.event(body, ts=ts)
        self.assertEqual(s, 200, b)
        self.assertProblem(401, self.event(body, ts=ts))  # exact replay
        self.assertProblem(400, self.event({"event": "ringing", "call_id": "x", "agent": "nobody"}), "agent")
        self.assertProblem(400, self.event({"event": "dialing", "call_id": "x", "agent": "wang"}), "event")

    def test_call_is_logged_on_hangup_and_repeats_change_nothing(self):
        c = self.customer(token=SALES["wang"]["token"])
        call = "call-" + uuid.uuid4().hex
        base = {"call_id": call, "from": c["phones"][0], "to": "4008001234", "agent": "wang"}
        s, _, b = self.event(dict(base, event="ringing", at="2026-11-23T02:00:00Z"))
        self.assertEqual((s, b["state"], b["customer_id"], b["direction"]), (200, "ringing", c["id"], "inbound"), b)
        s, _, b = self.event(dict(base, event="answered", at="2026-11-23T02:00:05Z"))
        self.assertEqual(b["state"], "answered")
        s, _, b = self.event(dict(base, event="answered", at="2026-11-23T02:00:06Z"))
        self.assertEqual((b["changed"], b["answered_at"]), (False, "2026-11-23T02:00:05.000Z"))
        s, _, b = self.event(dict(base, event="hangup", at="2026-11-23T02:03:05Z"))
        self.assertEqual((s, b["state"]), (200, "hangup"), b)
        iid = b["interaction_id"]
        s, _, b = self.event(dict(base, event="hangup", at="2026-11-23T02:09:00Z"))
        self.assertEqual((b["changed"], b["interaction_id"]), (False, iid))
        s, _, i = self.req("GET", "/api/v1/interactions/%d" % iid, token=SALES["wang"]["token"])
        self.assertEqual((i["type"], i["direction"], i["duration_seconds"], i["outcome"], i["customer_ids"]),
                         ("call", "inbound", 180, "answered", [c["id"]]))
        self.assertEqual(i["participants"], [{"kind": "user", "id": SALES["wang"]["id"]}])
        s, _, tl = self.req("GET", "/api/v1/customers/%d/timeline" % c["id"], token=SALES["wang"]["token"])
        self.assertIn(("interaction", iid), [(e["kind"], e["id"]) for e in tl["items"]])

    def test_missed_call_and_out_of_order_answer(self):
        call = "ooo-" + uuid.uuid4().hex
        base = {"call_id": call, "from": next_phone(), "to": "4008001234", "agent": "wang"}
        s, _, b = self.event(dict(base, event="hangup", at="2026-11-23T03:00:30Z"))
        self.assertEqual((s, b["state"]), (200, "hangup"), b)
        s, _, i = self.req("GET", "/api/v1/interactions/%d" % b["interaction_id"])
        self.assertEqual((i["outcome"], i["duration_seconds"], i["customer_ids"]), ("missed", 0, []))
        s, _, b = self.event(dict(base, event="answered", at="2026-11-23T03:00:10Z"))
        self.assertEqual((s, b["state"]), (200, "hangup"))
        s, _, i = self.req("GET", "/api/v1/interactions/%d" % b["interaction_id"])
        self.assertEqual((i["outcome"], i["duration_seconds"]), ("answered", 20))
        s, _, b = self.event(dict(base, event="ringing", at="2026-11-23T03:00:00Z"))
        self.assertEqual((s, b["state"]), (200, "hangup"))

    def test_pop_lookup_respects_visibility(self):
        c = self.customer(token=SALES["wang"]["token"], vip=True, category="distributor",
                          relationship_level="partnership")
        self.interaction(token=SALES["wang"]["token"], type="visit", customer_ids=[c["id"]], subject="拜访")
        s, _, pop = self.req("GET", "/api/v1/telephony/pop?phone=" + c["phones"][0], token=SALES["wang"]["token"])
        self.assertEqual(s, 200, pop)
        self.assertEqual((pop["customer"]["id"], pop["customer"]["vip"], pop["customer"]["category"],
                          pop["customer"]["relationship_level"]), (c["id"], True, "distributor", "partnership"))
        self.assertEqual(pop["customer"]["owner"]["id"], SALES["wang"]["id"])
        self.assertEqual([x["subject"] for x in pop["recent_interactions"]], ["拜访"])
        s, _, other = self.req("GET", "/api/v1/telephony/pop?phone=" + c["phones"][0], token=SALES["li"]["token"])
        self.assertEqual((s, other["customer"]), (200, None))
        s, _, unknown = self.req("GET", "/api/v1/telephony/pop?phone=13000000001")
        self.assertEqual((s, unknown["customer"], unknown["phone"]), (200, None, "+8613000000001"))
        self.assertProblem(400, self.req("GET", "/api/v1/telephony/pop"), "phone")

    def test_ringing_pops_on_the_agents_stream(self):
        c = self.customer(token=SALES["wang"]["token"])
        sock = socket.create_connection(("127.0.0.1", S.port), timeout=10)
        sock.sendall(("GET /api/v1/telephony/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n"
                      % SALES["wang"]["token"]).encode())
        buf = b""
        while b": connected" not in buf:
            buf += sock.recv(4096)
        self.assertIn(b"text/event-stream", buf)
        s, _, b = self.event({"event": "ringing", "call_id": "pop-" + uuid.uuid4().hex, "from": c["phones"][0],
                              "to": "4008001234", "agent": "wang"})
        self.assertEqual(s, 200, b)
        deadline = time.time() + 10
        while b"event: pop" not in buf or not buf.rstrip().endswith(b"}") and time.time() < deadline:
            if b"event: pop" in buf and b"\n\n" in buf[buf.index(b"event: pop"):]:
                break
            buf += sock.recv(65536)
        start = buf.index(b"data: ", buf.index(b"event: pop")) + len(b"data: ")
        end = buf.index(b"\n", start)
        pop = json.loads(buf[start:end])
        self.assertEqual(pop["customer"]["id"], c["id"])
        sock.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
