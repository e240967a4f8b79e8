"""API tests against a real kehu server (SQLite or PostgreSQL, see kehu_harness.py).

Each bad-input test checks both the 4xx problem+json answer and that nothing was written.
"""
import json
import os
import signal
import socket
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kehu_harness import Server, xlsx_workbook  # noqa: E402

S = None          # the shared server
ADMIN = None      # admin token
PHONE_SEQ = [13900000000]


def next_phone():
    PHONE_SEQ[0] += 7
    return str(PHONE_SEQ[0])


def setUpModule():
    global S, ADMIN
    S = Server().start()
    ADMIN = S.login("admin", S.admin_password)


def tearDownModule():
    if S:
        S.stop()


class Base(unittest.TestCase):
    def req(self, method, path, body=None, token="admin", headers=None, raw=False):
        tok = ADMIN if token == "admin" else token
        return S.request(method, path, body, headers=headers, token=tok, raw=raw)

    def create(self, token="admin", **fields):
        body = {"name": "测试客户"}
        body.update(fields)
        s, h, b = self.req("POST", "/api/v1/customers", body, token=token)
        self.assertEqual(s, 201, b)
        return b

    def count_customers(self):
        n, cursor = 0, None
        while True:
            path = "/api/v1/customers?limit=500" + ("&cursor=" + cursor if cursor else "")
            s, _, b = self.req("GET", path)
            self.assertEqual(s, 200, b)
            n += len(b["items"])
            cursor = b["next_cursor"]
            if not cursor:
                return n

    def assertProblem(self, status, resp, field=None):
        s, h, b = resp
        self.assertEqual(s, status, b)
        self.assertTrue(h.get("content-type", "").startswith("application/problem+json"), h)
        self.assertEqual(b["status"], status)
        self.assertIn("type", b)
        self.assertIn("title", b)
        if field:
            fields = [e["field"] for e in b.get("errors", [])]
            self.assertIn(field, fields, b)
        return b


class HealthTest(Base):
    def test_health_ready_and_metrics_answer(self):
        self.assertEqual(S.request("GET", "/healthz")[0], 200)
        self.assertEqual(S.request("GET", "/readyz")[0], 200)
        s, h, body = S.request("GET", "/metrics")
        self.assertEqual(s, 200)
        self.assertIn("kehu_http_requests_total", body)
        self.assertIn("kehu_http_request_duration_seconds_bucket", body)
        self.assertIn("kehu_db_readers", body)
        # The histogram is cumulative: each bucket holds the ones below it, +Inf every request.
        label = 'route="GET /healthz"'
        buckets = [int(line.rsplit(" ", 1)[1]) for line in body.splitlines()
                   if line.startswith("kehu_http_request_duration_seconds_bucket{" + label)]
        total = sum(int(line.rsplit(" ", 1)[1]) for line in body.splitlines()
                    if line.startswith("kehu_http_requests_total{" + label))
        self.assertGreaterEqual(len(buckets), 2)
        self.assertEqual(buckets, sorted(buckets))
        self.assertEqual(buckets[-1], total)
        self.assertGreaterEqual(total, 1)

    def test_request_id_is_echoed_or_created(self):
        _, h, _ = S.request("GET", "/healthz", headers={"X-Request-Id": "abc-123"})
        self.assertEqual(h["x-request-id"], "abc-123")
        _, h, _ = S.request("GET", "/healthz")
        self.assertTrue(h["x-request-id"])


class CustomerCrudTest(Base):
    def test_create_normalises_phones_and_emails(self):
        c = self.create(name="王小明", phones=["+86 138-1111-0001", "010-6552 9988"],
                        emails=[" Wang.XM@Example.COM "], birthday="1985-02-17", birthday_lunar=True,
                        kind="person", category="group_purchase", tags=["白酒", "VIP"])
        self.assertEqual(c["phones"], ["+8613811110001", "+861065529988"])
        self.assertEqual(c["emails"], ["wang.xm@example.com"])
        self.assertEqual(c["birthday"], "1985-02-17")
        self.assertTrue(c["birthday_lunar"])
        self.assertEqual(c["version"], 1)
        s, _, got = self.req("GET", "/api/v1/customers/%d" % c["id"])
        self.assertEqual(s, 200)
        self.assertEqual(got["name"], "王小明")
        self.assertEqual(got["category"], "group_purchase")

    def test_patch_with_if_match_updates_and_bumps_version(self):
        c = self.create(name="李雷")
        s, h, b = self.req("PATCH", "/api/v1/customers/%d" % c["id"], {"lifecycle_stage": "active"},
                           headers={"If-Match": '"1"'})
        self.assertEqual(s, 200, b)
        self.assertEqual(b["lifecycle_stage"], "active")
        self.assertEqual(b["version"], 2)
        self.assertEqual(h["etag"], '"2"')

    def test_stale_version_is_412_with_current_and_writes_nothing(self):
        c = self.create(name="韩梅梅")
        self.assertEqual(self.req("PATCH", "/api/v1/customers/%d" % c["id"], {"note": "first"},
                                  headers={"If-Match": '"1"'})[0], 200)
        b = self.assertProblem(412, self.req("PATCH", "/api/v1/customers/%d" % c["id"], {"note": "second"},
                                             headers={"If-Match": '"1"'}))
        self.assertEqual(b["current"]["note"], "first")
        self.assertEqual(self.req("GET", "/api/v1/customers/%d" % c["id"])[2]["note"], "first")

    def test_patch_without_if_match_is_428(self):
        c = self.create(name="赵敏")
        self.assertProblem(428, self.req("PATCH", "/api/v1/customers/%d" % c["id"], {"note": "x"}))

    def test_delete_is_soft_and_audited(self):
        c = self.create(name="周芷若", phones=[next_phone()])
        s, _, _ = self.req("DELETE", "/api/v1/customers/%d" % c["id"])
        self.assertEqual(s, 204)
        self.assertProblem(404, self.req("GET", "/api/v1/customers/%d" % c["id"]))
        s, _, audit = self.req("GET", "/api/v1/audit?entity=customer&id=%d" % c["id"])
        self.assertEqual(s, 404)  # a deleted customer is not visible, nor its audit
        # its phone is free again
        self.create(name="周芷若二", phones=c["phones"])

    def test_audit_records_each_changed_field(self):
        c = self.create(name="张三", category="distributor")
        self.req("PATCH", "/api/v1/customers/%d" % c["id"], {"name": "张三丰", "vip": True},
                 headers={"If-Match": '"1"'})
        s, _, b = self.req("GET", "/api/v1/audit?entity=customer&id=%d" % c["id"])
        self.assertEqual(s, 200, b)
        self.assertEqual([e["action"] for e in b["items"]], ["update", "create"])
        changes = {ch["field"]: ch for ch in b["items"][0]["changes"]}
        self.assertEqual(changes["name"]["before"], "张三")
        self.assertEqual(changes["name"]["after"], "张三丰")
        self.assertEqual(changes["vip"]["after"], True)
        self.assertEqual(b["items"][0]["actor_id"], 1)
        # The create: each field set, from nothing (before null), and no field left empty.
        created = {ch["field"]: ch for ch in b["items"][1]["changes"]}
        self.assertEqual(created["name"], {"field": "name", "before": None, "after": "张三"})
        self.assertEqual(created["category"], {"field": "category", "before": None, "after": "distributor"})
        self.assertTrue(all(ch["before"] is None for ch in created.values()), created)
        self.assertNotIn("note", created)
        self.assertNotIn("phones", created)

    def test_consent_and_custom_fields(self):
        s, _, f = self.req("POST", "/api/v1/custom-fields",
                           {"key": "banquet_size", "label": "宴席桌数", "type": "number"})
        self.assertIn(s, (201, 409), f)
        s, _, f = self.req("POST", "/api/v1/custom-fields",
                           {"key": "liquor", "label": "偏好酒品", "type": "select", "options": ["浓香", "酱香"]})
        self.assertIn(s, (201, 409), f)
        c = self.create(name="钱多多", custom_fields={"banquet_size": 12, "liquor": "酱香"},
                        consents=[{"channel": "sms", "granted": True, "source": "门店登记"}])
        self.assertEqual(c["custom_fields"], {"banquet_size": 12, "liquor": "酱香"})
        self.assertEqual(c["consents"][0]["channel"], "sms")
        self.assertTrue(c["consents"][0]["at"].endswith("Z"))
        before = self.count_customers()
        self.assertProblem(400, self.req("POST", "/api/v1/customers",
                                         {"name": "坏", "custom_fields": {"liquor": "清香"}}),
                           "custom_fields.liquor")
        self.assertProblem(400, self.req("POST", "/api/v1/customers",
                                         {"name": "坏", "custom_fields": {"nope": 1}}), "custom_fields.nope")
        self.assertEqual(self.count_customers(), before)

    def test_list_filters_sort_and_cursor_pagination(self):
        for i in range(7):
            self.create(name="分页%d" % i, category="consignment", tags=["翻页测试"])
        seen, cursor = [], None
        while True:
            path = "/api/v1/customers?tag=%E7%BF%BB%E9%A1%B5%E6%B5%8B%E8%AF%95&limit=3&sort=name" + (
                "&cursor=" + cursor if cursor else "")
            s, _, b = self.req("GET", path)
            self.assertEqual(s, 200, b)
            seen += [c["name"] for c in b["items"]]
            cursor = b["next_cursor"]
            if not cursor:
                break
        self.assertEqual(seen, ["分页%d" % i for i in range(7)])
        s, _, b = self.req("GET", "/api/v1/customers?category=consignment&limit=500")
        self.assertTrue(all(c["category"] == "consignment" for c in b["items"]))

    def test_idempotency_key_returns_the_first_result(self):
        before = self.count_customers()
        body = {"name": "幂等客户", "phones": [next_phone()]}
        s1, h1, b1 = self.req("POST", "/api/v1/customers", body, headers={"Idempotency-Key": "k-1"})
        s2, h2, b2 = self.req("POST", "/api/v1/customers", body, headers={"Idempotency-Key": "k-1"})
        self.assertEqual((s1, s2), (201, 201))
        self.assertEqual(b1["id"], b2["id"])
        self.assertEqual(h2.get("idempotent-replayed"), "true")
        self.assertEqual(self.count_customers(), before + 1)
        s3, _, _ = self.req("POST", "/api/v1/customers", {"name": "别的"}, headers={"Idempotency-Key": "k-1"})
        self.assertEqual(s3, 422)


class SearchTest(Base):
    @classmethod
    def setUpClass(cls):
        t = Base()
        cls.wxm = t.create(name="王小明", phones=["13700137000"], organization="茅台经销商",
                           emails=["xiaoming@example.cn"], tags=["年节礼品"])
        cls.wf = t.create(name="王芳", phones=["13700137001"])
        cls.org = t.create(name="客户关系管理有限公司", kind="organization", category="distributor")

    def search(self, q):
        s, _, b = self.req("GET", "/api/v1/customers?limit=500&q=" + __import__("urllib.parse").parse.quote(q))
        self.assertEqual(s, 200, b)
        return [c["id"] for c in b["items"]]

    def test_finds_by_chinese_name_including_two_characters(self):
        self.assertIn(self.wf["id"], self.search("王芳"))
        self.assertIn(self.wxm["id"], self.search("王小明"))
        self.assertIn(self.wxm["id"], self.search("小明"))
        self.assertIn(self.org["id"], self.search("关系"))

    def test_traditional_matches_simplified(self):
        self.assertIn(self.org["id"], self.search("客戶關係"))

    def test_pinyin_full_and_initials(self):
        self.assertIn(self.wxm["id"], self.search("wangxiaoming"))
        self.assertIn(self.wxm["id"], self.search("wxm"))
        self.assertIn(self.wxm["id"], self.search("wang xiao ming"))

    def test_phone_in_any_format_and_email_and_organisation_and_tag(self):
        for q in ["13700137000", "137 0013 7000", "+86 137-0013-7000", "00137"]:
            self.assertIn(self.wxm["id"], self.search(q), q)
        self.assertIn(self.wxm["id"], self.search("xiaoming@example"))
        self.assertIn(self.wxm["id"], self.search("茅台"))
        self.assertIn(self.wxm["id"], self.search("年节"))

    def test_no_false_match(self):
        self.assertNotIn(self.wf["id"], self.search("wxm"))
        self.assertEqual(self.search("zzzqqq"), [])

    def test_lookup_by_phone_for_screen_pop(self):
        for q in ["13700137000", "+86 137 0013 7000", "0086-137-0013-7000"]:
            s, _, b = self.req("GET", "/api/v1/customers/lookup?phone=" + __import__("urllib.parse").parse.quote(q))
            self.assertEqual(s, 200, b)
            self.assertEqual(b["customer"]["id"], self.wxm["id"])
            self.assertEqual(b["category"]["key"], "online_consumer")
        self.assertProblem(404, self.req("GET", "/api/v1/customers/lookup?phone=13600000009"))
        self.assertProblem(400, self.req("GET", "/api/v1/customers/lookup?phone=12345"), "phone")


class DuplicatesMergeEraseTest(Base):
    def test_same_phone_or_email_is_409_naming_the_holder(self):
        p = next_phone()
        a = self.create(name="甲", phones=[p], emails=["dup@example.com"])
        before = self.count_customers()
        b = self.assertProblem(409, self.req("POST", "/api/v1/customers", {"name": "乙", "phones": ["+86" + p]}))
        self.assertEqual(b["conflict_id"], a["id"])
        b = self.assertProblem(409, self.req("POST", "/api/v1/customers", {"name": "乙", "emails": ["DUP@example.com"]}))
        self.assertEqual(b["conflict_id"], a["id"])
        self.assertEqual(self.count_customers(), before)

    def test_duplicates_by_name_and_contact_phone(self):
        a = self.create(name="孙悟空", phones=[next_phone()])
        b = self.create(name="孫悟空")  # Traditional form of the same name
        c = self.create(name="花果山水帘洞", kind="organization", category="distributor")
        s, _, ct = self.req("POST", "/api/v1/customers/%d/contacts" % c["id"],
                            {"name": "孙悟空", "role": "decider", "phones": a["phones"]})
        self.assertEqual(s, 201, ct)
        s, _, d = self.req("GET", "/api/v1/customers/%d/duplicates" % a["id"])
        self.assertEqual(s, 200)
        found = {x["customer"]["id"]: x["reasons"] for x in d["items"]}
        self.assertIn("name", found[b["id"]])
        self.assertIn("phone", found[c["id"]])

    def test_merge_moves_everything_and_old_id_redirects(self):
        a = self.create(name="猪八戒", phones=[next_phone()], tags=["甲"])
        b = self.create(name="猪八戒", phones=[next_phone()], emails=["bajie@example.com"], tags=["乙"])
        s, _, ct = self.req("POST", "/api/v1/customers/%d/contacts" % b["id"], {"name": "嫦娥", "role": "buyer"})
        self.assertEqual(s, 201)
        s, _, m = self.req("POST", "/api/v1/customers/%d/merge" % a["id"], {"from_id": b["id"]})
        self.assertEqual(s, 200, m)
        self.assertEqual(set(m["phones"]), set(a["phones"] + b["phones"]))
        self.assertIn("bajie@example.com", m["emails"])
        self.assertEqual(set(m["tags"]), {"甲", "乙"})
        s, h, body = self.req("GET", "/api/v1/customers/%d" % b["id"])
        self.assertEqual(s, 301)
        self.assertEqual(h["location"], "/api/v1/customers/%d" % a["id"])
        s, _, contacts = self.req("GET", "/api/v1/customers/%d/contacts" % a["id"])
        self.assertEqual([x["name"] for x in contacts["items"]], ["嫦娥"])
        s, _, audit = self.req("GET", "/api/v1/audit?entity=customer&id=%d" % a["id"])
        self.assertEqual(audit["items"][0]["action"], "merge")
        # the phones are the survivor's now: lookup finds it
        s, _, lk = self.req("GET", "/api/v1/customers/lookup?phone=" + b["phones"][0].replace("+", "%2B"))
        self.assertEqual(lk["customer"]["id"], a["id"])

    def test_erase_blanks_personal_data_and_keeps_aggregates(self):
        a = self.create(name="沙和尚", phones=[next_phone()], emails=["sha@example.com"], birthday="1980-01-01",
                        category="distributor", lifecycle_stage="active")
        s, _, e = self.req("POST", "/api/v1/customers/%d/erase" % a["id"])
        self.assertEqual(s, 200, e)
        self.assertEqual(e["phones"], [])
        self.assertEqual(e["emails"], [])
        self.assertIsNone(e["birthday"])
        self.assertNotIn("沙和尚", json.dumps(e, ensure_ascii=False))
        self.assertEqual(e["category"], "distributor")
        self.assertEqual(e["lifecycle_stage"], "active")
        s, _, audit = self.req("GET", "/api/v1/audit?entity=customer&id=%d" % a["id"])
        self.assertEqual(audit["items"][0]["action"], "erase")
        self.assertNotIn("沙和尚", json.dumps(audit, ensure_ascii=False))
        self.assertNotIn("sha@example.com", json.dumps(audit, ensure_ascii=False))
        created = {ch["field"]: ch for ch in audit["items"][-1]["changes"]}
        self.assertEqual(audit["items"][-1]["action"], "create")
        self.assertEqual(created["name"], {"field": "name", "before": None, "after": "[erased]"})
        self.assertEqual(created["category"]["after"], "distributor")
        # the erased phone is free
        self.create(name="新客户", phones=a["phones"])


class AccessTest(Base):
    @classmethod
    def setUpClass(cls):
        t = Base()
        cls.users = {}
        for name, role in [("sales_a", "sales"), ("sales_b", "sales"), ("mgr", "manager"),
                           ("svc", "service"), ("mkt", "marketing")]:
            s, _, u = t.req("POST", "/api/v1/users", {"username": name, "display_name": name, "role": role,
                                                       "password": "secret-pass-1"})
            assert s == 201, u
            cls.users[name] = u
        s, _, team = t.req("POST", "/api/v1/teams", {"name": "华北团购组", "lead_user_id": cls.users["mgr"]["id"],
                                                     "member_ids": [cls.users["sales_a"]["id"]]})
        assert s == 201, team
        cls.tok = {n: S.login(n, "secret-pass-1") for n in cls.users}

    def test_sales_sees_own_not_others(self):
        mine = self.create(token=self.tok["sales_a"], name="销售甲的客户")
        self.assertEqual(mine["owner_id"], self.users["sales_a"]["id"])
        self.assertEqual(self.req("GET", "/api/v1/customers/%d" % mine["id"], token=self.tok["sales_a"])[0], 200)
        before = self.req("GET", "/api/v1/customers/%d" % mine["id"])[2]["version"]
        self.assertProblem(404, self.req("GET", "/api/v1/customers/%d" % mine["id"], token=self.tok["sales_b"]))
        self.assertProblem(404, self.req("PATCH", "/api/v1/customers/%d" % mine["id"], {"note": "x"},
                                         token=self.tok["sales_b"], headers={"If-Match": '"1"'}))
        self.assertEqual(self.req("GET", "/api/v1/customers/%d" % mine["id"])[2]["version"], before)
        ids = [c["id"] for c in self.req("GET", "/api/v1/customers?limit=500", token=self.tok["sales_b"])[2]["items"]]
        self.assertNotIn(mine["id"], ids)

    def test_sharing_grants_access(self):
        c = self.create(token=self.tok["sales_a"], name="共享客户", shared_with=[self.users["sales_b"]["id"]])
        self.assertEqual(self.req("GET", "/api/v1/customers/%d" % c["id"], token=self.tok["sales_b"])[0], 200)

    def test_manager_sees_team_records(self):
        c = self.create(token=self.tok["sales_a"], name="团队客户")
        self.assertEqual(self.req("GET", "/api/v1/customers/%d" % c["id"], token=self.tok["mgr"])[0], 200)
        other = self.create(token=self.tok["sales_b"], name="别组客户")
        self.assertProblem(404, self.req("GET", "/api/v1/customers/%d" % other["id"], token=self.tok["mgr"]))

    def test_service_and_marketing_read_but_do_not_write(self):
        c = self.create(name="只读客户")
        for who in ("svc", "mkt"):
            self.assertEqual(self.req("GET", "/api/v1/customers/%d" % c["id"], token=self.tok[who])[0], 200)
            self.assertProblem(403, self.req("POST", "/api/v1/customers", {"name": "x"}, token=self.tok[who]))
            self.assertProblem(403, self.req("PATCH", "/api/v1/customers/%d" % c["id"], {"note": "x"},
                                             token=self.tok[who], headers={"If-Match": '"1"'}))

    def test_only_admin_erases_and_manages_users(self):
        c = self.create(token=self.tok["sales_a"], name="不可擦除")
        self.assertProblem(403, self.req("POST", "/api/v1/customers/%d/erase" % c["id"], token=self.tok["sales_a"]))
        self.assertProblem(403, self.req("POST", "/api/v1/users", {"username": "x1", "role": "admin",
                                                                    "password": "12345678"}, token=self.tok["mgr"]))

    def test_api_key_authenticates_with_its_role_and_can_be_revoked(self):
        s, _, k = self.req("POST", "/api/v1/api-keys", {"name": "呼叫中心", "role": "service"})
        self.assertEqual(s, 201, k)
        self.assertTrue(k["key"].startswith("kehu_"))
        s, _, lst = self.req("GET", "/api/v1/api-keys")
        self.assertNotIn(k["key"], json.dumps(lst))
        self.assertEqual(self.req("GET", "/api/v1/customers?limit=1", token=k["key"])[0], 200)
        self.assertProblem(403, self.req("POST", "/api/v1/customers", {"name": "x"}, token=k["key"]))
        self.assertEqual(self.req("DELETE", "/api/v1/api-keys/%d" % k["id"])[0], 204)
        self.assertProblem(401, self.req("GET", "/api/v1/customers?limit=1", token=k["key"]))


class SessionTest(Base):
    def test_cookie_session_needs_csrf_header_for_writes(self):
        s, h, b = S.request("POST", "/api/v1/auth/login", {"username": "admin", "password": S.admin_password})
        cookies = {c.split(";")[0].split("=")[0]: c.split(";")[0].split("=", 1)[1] for c in h["set-cookie"]}
        self.assertTrue(any("HttpOnly" in c and c.startswith("kehu_session=") for c in h["set-cookie"]))
        self.assertTrue(all("SameSite=Strict" in c for c in h["set-cookie"]))
        cookie = "kehu_session=%s; kehu_csrf=%s" % (cookies["kehu_session"], cookies["kehu_csrf"])
        self.assertEqual(S.request("GET", "/api/v1/auth/me", headers={"Cookie": cookie})[0], 200)
        before = self.count_customers()
        self.assertProblem(403, S.request("POST", "/api/v1/customers", {"name": "cookie"}, headers={"Cookie": cookie}))
        self.assertEqual(self.count_customers(), before)
        s, _, b = S.request("POST", "/api/v1/customers", {"name": "cookie"},
                            headers={"Cookie": cookie, "X-CSRF-Token": cookies["kehu_csrf"]})
        self.assertEqual(s, 201, b)

    def test_logout_ends_the_session(self):
        tok = S.login("admin", S.admin_password)
        self.assertEqual(S.request("GET", "/api/v1/auth/me", token=tok)[0], 200)
        self.assertEqual(S.request("POST", "/api/v1/auth/logout", token=tok)[0], 204)
        self.assertProblem(401, S.request("GET", "/api/v1/auth/me", token=tok))


class BadInputTest(Base):
    """Section 7 of the spine issue: each gets a 4xx problem+json and writes nothing."""

    def setUp(self):
        self.before = self.count_customers()

    def tearDown(self):
        self.assertEqual(self.count_customers(), self.before, "a rejected request wrote something")

    def post(self, body, **kw):
        return self.req("POST", "/api/v1/customers", body, **kw)

    def test_malformed_json(self):
        self.assertProblem(400, self.post('{"name": "王'))

    def test_wrong_types(self):
        self.assertProblem(400, self.post({"name": 42}), "name")
        self.assertProblem(400, self.post({"name": "x", "phones": "13800138000"}), "phones")
        self.assertProblem(400, self.post({"name": "x", "vip": "yes"}), "vip")
        self.assertProblem(400, self.post([1, 2]))

    def test_unknown_fields(self):
        self.assertProblem(400, self.post({"name": "x", "colour": "red"}), "colour")

    def test_missing_required_fields(self):
        self.assertProblem(400, self.post({"kind": "person"}), "name")
        self.assertProblem(400, self.post({"name": "   "}), "name")

    def test_over_long_strings(self):
        self.assertProblem(400, self.post({"name": "王" * 100}), "name")
        self.assertProblem(400, self.post({"name": "x", "note": "a" * 5000}), "note")

    def test_invalid_utf8(self):
        self.assertProblem(400, self.post(b'{"name": "\xff\xfe"}'))

    def test_invalid_phone_email_date_and_enums(self):
        self.assertProblem(400, self.post({"name": "x", "phones": ["12345"]}), "phones[0]")
        self.assertProblem(400, self.post({"name": "x", "phones": ["13800138000", "abc"]}), "phones[1]")
        self.assertProblem(400, self.post({"name": "x", "emails": ["not-an-email"]}), "emails[0]")
        self.assertProblem(400, self.post({"name": "x", "birthday": "2026-02-30"}), "birthday")
        self.assertProblem(400, self.post({"name": "x", "kind": "robot"}), "kind")
        self.assertProblem(400, self.post({"name": "x", "category": "nope"}), "category")

    def test_body_over_the_limit_is_413(self):
        big = json.dumps({"name": "x", "note": "a" * (2 * 1024 * 1024)})
        s, h, b = self.post(big)
        self.assertEqual(s, 413)

    def test_unknown_route_is_404_and_wrong_method_405(self):
        self.assertProblem(404, self.req("GET", "/api/v1/nothing-here"))
        b = self.assertProblem(405, self.req("PUT", "/api/v1/customers"))
        self.assertIn("detail", b)

    def test_no_session_is_401(self):
        self.assertProblem(401, S.request("POST", "/api/v1/customers", {"name": "x"}))
        self.assertProblem(401, S.request("GET", "/api/v1/customers", token="bogus"))

    def test_bad_query_parameters(self):
        self.assertProblem(400, self.req("GET", "/api/v1/customers?limit=0"), "limit")
        self.assertProblem(400, self.req("GET", "/api/v1/customers?sort=colour"), "sort")
        self.assertProblem(400, self.req("GET", "/api/v1/customers?cursor=%%%"), None)
        self.assertProblem(400, self.req("GET", "/api/v1/customers?cursor=bm90YWN1cnNvcg"), "cursor")

    def test_odd_search_text_never_fails(self):
        import urllib.parse
        for q in ['"', '*', '!!!', 'AND', 'NEAR(', '-', '()', "'", '\\', '%', '_', 'a"b', '王"', '^', ':',
                  'OR x', '""', "'':*", 'a & b', '!王', '<->', '1-', '@']:
            s, _, b = self.req("GET", "/api/v1/customers?q=" + urllib.parse.quote(q))
            self.assertEqual(s, 200, (q, b))

    def test_invalid_utf8_in_query_parameters_is_400(self):
        self.assertProblem(400, self.req("GET", "/api/v1/customers?category=%FF"), "category")
        self.assertProblem(400, self.req("GET", "/api/v1/customers?q=%C3%28"), "q")
        self.assertProblem(400, self.req("POST", "/api/v1/customers", {"name": "x"},
                                         headers={"Idempotency-Key": "bad key"}))

    def test_too_many_logins_is_429_with_retry_after(self):
        s, _, u = self.req("POST", "/api/v1/users", {"username": "victim", "role": "sales", "password": "right-password"})
        self.assertEqual(s, 201, u)
        codes = [S.request("POST", "/api/v1/auth/login", {"username": "victim", "password": "wrong"})[0]
                 for _ in range(5)]
        self.assertEqual(codes, [401] * 5)
        s, h, b = S.request("POST", "/api/v1/auth/login", {"username": "victim", "password": "right-password"})
        self.assertEqual(s, 429, b)
        self.assertGreater(int(h["retry-after"]), 0)


class ImportExportTest(Base):
    GBK = ("姓名,手机号,邮箱,客户类别,性别,生日,标签\n"
           "导入王五,13600136001,ww@example.com,经销商,男,1985/2/7,白酒、高端\n"
           "导入赵六,13600136002,,团购客户,女,1990-01-01,\n"
           "坏数据,12345,not-email,火星人,男,2026-02-30,\n").encode("gbk")
    GOOD = ("\ufeff姓名,手机号,客户类别,备注\n"
            "导入孙七,13600136011,经销商,第一批\n"
            "导入周八,\"136 0013 6012\",线上消费者,\"逗号,在引号里\"\n").encode("utf-8")

    def upload(self, body, query=""):
        return self.req("POST", "/api/v1/imports" + query, body, headers={"Content-Type": "text/csv"})

    def wait_job(self, location):
        import time
        for _ in range(600):
            s, _, job = self.req("GET", location)
            self.assertEqual(s, 200, job)
            if job["status"] != "running":
                return job
            time.sleep(0.05)
        self.fail("import job did not finish")

    def test_gbk_dry_run_reports_the_bad_row_and_writes_nothing(self):
        before = self.count_customers()
        s, _, r = self.upload(self.GBK, "?dry_run=true")
        self.assertEqual(s, 200, r)
        self.assertEqual(r["encoding"], "gb18030")
        self.assertEqual(r["mapping"]["手机号"], "phones")
        self.assertEqual(r["rows"], 3)
        self.assertEqual({e["row"] for e in r["errors"]}, {3})
        self.assertEqual({e["field"] for e in r["errors"]}, {"phones[0]", "emails[0]", "category", "birthday"})
        self.assertFalse(r["applied"])
        # the real import of the same file fails as a whole
        s, h, job = self.upload(self.GBK)
        self.assertEqual(s, 202, job)
        job = self.wait_job(h["location"])
        self.assertEqual(job["status"], "failed")
        self.assertEqual(self.count_customers(), before)

    def test_import_job_then_reimport_creates_no_duplicates(self):
        before = self.count_customers()
        s, h, job = self.upload(self.GOOD)
        self.assertEqual(s, 202, job)
        job = self.wait_job(h["location"])
        self.assertEqual(job["status"], "succeeded", job)
        self.assertEqual(job["report"]["created"], 2)
        self.assertEqual(job["progress"], {"phase": "rows", "done": 2, "total": 2})
        self.assertEqual(self.count_customers(), before + 2)
        s, h, job = self.upload(self.GOOD)
        job = self.wait_job(h["location"])
        self.assertEqual(job["report"]["unchanged"], 2, job)
        self.assertEqual(self.count_customers(), before + 2)
        s, _, found = self.req("GET", "/api/v1/customers/lookup?phone=13600136012")
        self.assertEqual(found["customer"]["note"], "逗号,在引号里")

    def test_a_large_file_is_checked_in_parallel_with_the_report_in_file_order(self):
        # Over a few thousand rows the import checks rows on several threads; the report and
        # the counts must be the same as a single pass in file order would give.
        rows = ["姓名,手机号,编号"]
        for i in range(6000):
            rows.append("并行%d,1370%07d,par-%d" % (i, i, i))
        rows[4001] = "并行重复,13700000010,par-dup"          # row 4001: same phone as row 11
        rows[4500] = "并行坏号,12345,par-bad"                # row 4500: invalid phone
        rows[5999] = "并行重复号,1370%07d,par-1" % 5999      # row 5999: same external id as row 2
        body = ("\n".join(rows) + "\n").encode("utf-8")
        before = self.count_customers()
        s, _, r = self.upload(body, "?dry_run=true")
        self.assertEqual(s, 200, r)
        self.assertEqual(r["rows"], 6000)
        self.assertEqual([e["row"] for e in r["errors"]], [4001, 4500, 5999])
        self.assertIn("row 11", r["errors"][0]["message"])
        self.assertEqual(r["errors"][2]["field"], "external_id")
        self.assertIn("row 2", r["errors"][2]["message"])
        self.assertEqual(self.count_customers(), before)
        good = [rows[0]] + [x for k, x in enumerate(rows[1:], 1) if k not in (4001, 4500, 5999)]
        s, h, job = self.upload(("\n".join(good) + "\n").encode("utf-8"))
        self.assertEqual(s, 202, job)
        job = self.wait_job(h["location"])
        self.assertEqual(job["status"], "succeeded", job)
        self.assertEqual(job["report"]["created"], 5997)
        self.assertEqual(job["progress"], {"phase": "rows", "done": 5997, "total": 5997})
        self.assertEqual(self.count_customers(), before + 5997)

    def test_bad_files_get_clear_messages(self):
        before = self.count_customers()
        b = self.assertProblem(400, self.upload("姓名,鞋码\n张三,42\n".encode(), "?dry_run=true"))
        self.assertIn("鞋码", b["detail"])
        s, _, r = self.upload("姓名,鞋码\n张三,42\n".encode(), "?dry_run=true&mapping=" +
                              __import__("urllib.parse").parse.quote('{"鞋码":"ignore"}'))
        self.assertEqual(s, 200, r)
        s, _, r = self.upload("姓名,手机号\n张三\n李四,13600136099\n".encode(), "?dry_run=true")
        self.assertEqual(r["errors"][0]["row"], 1)
        self.assertIn("columns", r["errors"][0]["message"])
        self.assertProblem(400, self.upload("姓名,备注\n\"没有结束的引号,x\n".encode(), "?dry_run=true"))
        self.assertProblem(400, self.upload(b"\xff\xfe\x00\x01\x80\x81", "?dry_run=true&encoding=utf-8"))
        self.assertProblem(400, self.upload("手机号\n13600136098\n".encode(), "?dry_run=true"))
        b = self.assertProblem(400, self.upload(b"PK\x03\x04rest-of-a-zip", "?dry_run=true"))
        self.assertIn("ZIP", b["detail"])
        b = self.assertProblem(400, self.upload(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "?dry_run=true"))
        self.assertIn(".xls", b["detail"])
        self.assertEqual(self.count_customers(), before)

    def test_import_an_xlsx_workbook_like_a_csv_file(self):
        import datetime
        head = ["姓名", "手机号", "客户类别", "生日", "编号"]
        rows = {1: head,
                2: ["表格赵一", 13600136031, "经销商", datetime.date(1985, 2, 7), "xlsx-1"],
                # row 3 is empty, as a user leaves one
                4: ["表格钱二", 13600136032, "线上消费者", None, "xlsx-2"],
                5: ["表格孙三", 12345, "经销商", None, "xlsx-3"]}
        before = self.count_customers()
        s, _, r = self.upload(xlsx_workbook(rows), "?dry_run=true&encoding=gbk")
        self.assertEqual(s, 200, r)
        self.assertEqual(r["encoding"], "xlsx")
        self.assertEqual(r["mapping"]["生日"], "birthday")
        self.assertEqual(r["rows"], 3)
        # the bad phone is reported on the sheet's own row number
        self.assertEqual([(e["row"], e["line"], e["field"]) for e in r["errors"]], [(3, 5, "phones[0]")])
        self.assertEqual(self.count_customers(), before)
        del rows[5]
        s, h, job = self.upload(xlsx_workbook(rows))
        self.assertEqual(s, 202, job)
        job = self.wait_job(h["location"])
        self.assertEqual(job["status"], "succeeded", job)
        self.assertEqual(job["report"]["created"], 2)
        self.assertEqual(job["progress"], {"phase": "rows", "done": 2, "total": 2})
        self.assertEqual(self.count_customers(), before + 2)
        # A workbook that cannot be read fails its job while it is being read.
        s, h, job = self.upload(b"PK\x03\x04" + b"\0" * 64)
        self.assertEqual(s, 202, job)
        job = self.wait_job(h["location"])
        self.assertEqual((job["status"], job["progress"]["phase"]), ("failed", "reading"), job)
        self.assertIn("ZIP", job["error"]["message"])
        s, _, found = self.req("GET", "/api/v1/customers/lookup?phone=13600136031")
        self.assertEqual(s, 200, found)
        self.assertEqual(found["customer"]["birthday"], "1985-02-07")
        self.assertEqual(found["customer"]["category"], "distributor")
        # the same workbook again changes nothing
        s, _, r = self.upload(xlsx_workbook(rows), "?dry_run=true")
        self.assertEqual((r["created"], r["unchanged"]), (0, 2), r)
        # and an XLSX export of a view imports back unchanged
        s, _, body = self.req("GET", "/api/v1/customers/export?format=xlsx&q=%E8%A1%A8%E6%A0%BC", raw=True)
        self.assertEqual(s, 200)
        s, _, r = self.upload(body, "?dry_run=true")
        self.assertEqual(s, 200, r)
        self.assertEqual((r["rows"], r["unchanged"], r["error_count"]), (2, 2, 0), r)

    def test_import_reads_the_worksheet_the_user_chooses(self):
        from urllib.parse import quote
        # The customers are on the second tab, behind a tab of instructions (as a company's own
        # workbook often has them); the third holds something else.
        book = xlsx_workbook([("填写说明", {1: ["请在第二页填写客户"]}),
                              ("客户名单", {1: ["姓名", "手机号", "编号"],
                                            2: ["分页周一", 13600136041, "tab-1"],
                                            3: ["分页吴二", 13600136042, "tab-2"]}),
                              ("订单", {1: ["单号"], 2: ["A-1"]})])
        before = self.count_customers()
        tabs = ["填写说明", "客户名单", "订单"]
        # The first tab's header is refused, and the refusal lists the tabs to choose from.
        s, _, p = self.upload(book, "?dry_run=true")
        self.assertEqual(s, 400, p)
        self.assertEqual(p["sheets"], tabs)
        self.assertIn("mapping.请在第二页填写客户", [e["field"] for e in p["errors"]])
        # Chosen by name, the second tab reads like a CSV file of its cells.
        s, _, r = self.upload(book, "?dry_run=true&sheet=" + quote("客户名单"))
        self.assertEqual(s, 200, r)
        self.assertEqual((r["encoding"], r["sheet"], r["sheets"]), ("xlsx", "客户名单", tabs))
        self.assertEqual((r["rows"], r["created"], r["error_count"]), (2, 2, 0), r)
        # A tab the workbook lacks is a 400 naming the tabs; nothing was written.
        s, _, p = self.upload(book, "?dry_run=true&sheet=Customers")
        self.assertEqual(s, 400, p)
        self.assertEqual([e["field"] for e in p["errors"]], ["sheet"])
        self.assertEqual(p["sheets"], tabs)
        self.assertIn("客户名单", p["detail"])
        # A sheet for a CSV file is refused too.
        s, _, p = self.upload("姓名\n表格\n".encode(), "?dry_run=true&sheet=Sheet1")
        self.assertEqual((s, [e["field"] for e in p["errors"]]), (400, ["sheet"]), p)
        self.assertEqual(self.count_customers(), before)
        # A job given a tab the workbook lacks fails while reading, and says which tabs there are.
        s, h, job = self.upload(book, "?sheet=Customers")
        self.assertEqual(s, 202, job)
        job = self.wait_job(h["location"])
        self.assertEqual((job["status"], job["progress"]["phase"]), ("failed", "reading"), job)
        self.assertIn("客户名单", job["error"]["message"])
        # The job reads the chosen tab, and a CSV file's report has no sheet.
        s, h, job = self.upload(book, "?sheet=" + quote("客户名单"))
        self.assertEqual(s, 202, job)
        job = self.wait_job(h["location"])
        self.assertEqual(job["status"], "succeeded", job)
        self.assertEqual((job["report"]["sheet"], job["report"]["created"]), ("客户名单", 2))
        self.assertEqual(self.count_customers(), before + 2)
        s, _, r = self.upload("姓名\n分页郑三\n".encode(), "?dry_run=true")
        self.assertEqual((s, r["sheet"], r["sheets"]), (200, None, []), r)

    def test_a_chinese_export_reads_as_the_workspace_shows_it_and_imports_back_unchanged(self):
        import csv
        import io
        import urllib.parse
        c = self.create(name="中文导出", category="distributor", lifecycle_stage="won_back",
                        relationship_level="partnership", gender="female", vip=True, phones=[next_phone()],
                        tags=["中文导出测试"], owner_id=1)
        q = "tag=" + urllib.parse.quote("中文导出测试")
        s, h, body = self.req("GET", "/api/v1/customers/export?format=csv&lang=zh-CN&" + q, raw=True)
        self.assertEqual(s, 200, body)
        rows = list(csv.reader(io.StringIO(body.decode("utf-8")[1:])))
        self.assertEqual(rows[0][:4], ["ID", "姓名", "类型", "客户类别"])
        got = dict(zip(rows[0], rows[1]))
        self.assertEqual((got["ID"], got["类型"], got["客户类别"], got["生命周期"], got["关系层级"], got["性别"], got["VIP"]),
                         (str(c["id"]), "个人", "经销商", "已挽回", "伙伴型", "女", "是"))
        self.assertNotEqual(got["负责人"], "1", "the owner's name, not the id")
        self.assertRegex(got["创建时间"], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
        # Both forms import back without a change.
        for fmt in ("csv", "xlsx"):
            s, _, body = self.req("GET", "/api/v1/customers/export?format=%s&lang=zh-CN&%s" % (fmt, q), raw=True)
            s, _, r = self.upload(body, "?dry_run=true")
            self.assertEqual(s, 200, r)
            self.assertEqual((r["rows"], r["unchanged"], r["error_count"]), (1, 1, 0), (fmt, r))
            self.assertEqual(r["mapping"]["负责人"], "ignore")
        self.assertProblem(400, self.req("GET", "/api/v1/customers/export?lang=fr"), "lang")

    @staticmethod
    def sheet_rows(xlsx, n):
        """The rows of sheet n (1-based) of an XLSX written with inline strings, as lists of text."""
        import io
        import re
        import zipfile
        from xml.etree import ElementTree
        ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
        root = ElementTree.fromstring(zipfile.ZipFile(io.BytesIO(xlsx)).read("xl/worksheets/sheet%d.xml" % n))
        rows = []
        for row in root.iter(ns + "row"):
            cells = {}
            for c in row.iter(ns + "c"):
                col = re.match(r"[A-Z]+", c.get("r")).group(0)
                cells[ord(col) - ord("A")] = "".join(t.text or "" for t in c.iter(ns + "t"))
            rows.append([cells.get(i, "") for i in range(max(cells) + 1)] if cells else [])
        return rows

    def test_the_import_template_maps_and_its_examples_import(self):
        import csv
        import io
        for lang, name_header in (("zh-CN", "姓名"), ("en", "name")):
            s, h, body = self.req("GET", "/api/v1/imports/template?lang=" + lang, raw=True)
            self.assertEqual(s, 200)
            self.assertIn("customer-import-template.xlsx", h["content-disposition"])
            header = self.sheet_rows(body, 1)
            self.assertEqual(len(header), 1, "the first sheet is the header alone")
            self.assertEqual(header[0][0], name_header)
            guide = [g + [""] * (3 - len(g)) for g in self.sheet_rows(body, 2)[1:]]
            self.assertEqual([g[0] for g in guide], header[0], "one line of guidance per column")
            # An untouched template is a file without rows; every column maps.
            s, _, r = self.upload(body, "?dry_run=true")
            self.assertEqual(s, 200, r)
            self.assertEqual((r["rows"], r["error_count"]), (0, 0), r)
            self.assertNotIn("ignore", r["mapping"].values())
            self.assertEqual(len(r["mapping"]), 20)
            # The examples, filled into the CSV template, make a row that imports.
            s, h, text = self.req("GET", "/api/v1/imports/template?format=csv&lang=" + lang, raw=True)
            self.assertEqual(s, 200)
            text = text.decode("utf-8")
            self.assertTrue(text.startswith("\ufeff"))
            self.assertEqual(next(csv.reader(io.StringIO(text[1:]))), header[0])
            out = io.StringIO()
            csv.writer(out).writerow([g[2] for g in guide])
            s, _, r = self.upload((text + out.getvalue()).encode("utf-8"), "?dry_run=true")
            self.assertEqual(s, 200, r)
            self.assertEqual((r["rows"], r["error_count"]), (1, 0), r)
        self.assertProblem(400, self.req("GET", "/api/v1/imports/template?format=pdf"), "format")
        self.assertProblem(400, self.req("GET", "/api/v1/imports/template?lang=fr"), "lang")
        self.assertProblem(400, self.req("GET", "/api/v1/imports/template?sheet=2"), "sheet")

    def test_a_huge_upload_is_refused_before_its_body_is_sent(self):
        sock = socket.create_connection(("127.0.0.1", S.port), timeout=30)
        sock.sendall(("POST /api/v1/imports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                      "Content-Length: 2147483648\r\n\r\n" % ADMIN).encode())
        answer = sock.recv(4096).decode(errors="replace")
        sock.close()
        self.assertTrue(answer.startswith("HTTP/1.1 413"), answer)

    def test_export_csv_and_xlsx_with_filters(self):
        self.create(name="导出客户", category="consignment", phones=[next_phone()], tags=["导出测试"])
        s, h, body = self.req("GET", "/api/v1/customers/export?format=csv&tag=%E5%AF%BC%E5%87%BA%E6%B5%8B%E8%AF%95",
                              raw=True)
        self.assertEqual(s, 200)
        self.assertIn("attachment", h["content-disposition"])
        text = body.decode("utf-8")
        self.assertTrue(text.startswith("\ufeffid,name,"))
        lines = text.strip().split("\r\n")
        self.assertEqual(len(lines), 2)
        self.assertIn("导出客户", lines[1])
        s, h, body = self.req("GET", "/api/v1/customers/export?format=xlsx", raw=True)
        self.assertEqual(s, 200)
        self.assertTrue(body.startswith(b"PK\x03\x04"))
        import io
        import zipfile
        names = zipfile.ZipFile(io.BytesIO(body)).namelist()
        self.assertIn("xl/worksheets/sheet1.xml", names)
        shared = zipfile.ZipFile(io.BytesIO(body)).read("xl/sharedStrings.xml").decode() if \
            "xl/sharedStrings.xml" in names else zipfile.ZipFile(io.BytesIO(body)).read("xl/worksheets/sheet1.xml").decode()
        self.assertIn("导出客户", shared)
        self.assertProblem(400, self.req("GET", "/api/v1/customers/export?format=pdf"), "format")


class CliTest(unittest.TestCase):
    def test_bad_arguments_exit_2_with_a_message(self):
        import subprocess
        r = subprocess.run([S.bin, "serve", "--listen", "nonsense", "--db", "sqlite:/nonexistent/x.db"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("--listen", r.stderr)
        r = subprocess.run([S.bin, "frobnicate"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        r = subprocess.run([S.bin, "--version"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0)
        self.assertIn("kehu", r.stdout)

    def test_import_reads_the_sheet_named_by_sheet(self):
        import subprocess
        import tempfile
        book = xlsx_workbook([("说明", {1: ["请看第二页"]}),
                              ("客户", {1: ["姓名", "手机号"], 2: ["命令行周一", 13600136051]})])
        with tempfile.TemporaryDirectory() as d:
            path, db = os.path.join(d, "two.xlsx"), "sqlite:" + os.path.join(d, "k.db")
            with open(path, "wb") as f:
                f.write(book)
            # The first sheet's header is refused, and the message names the sheets to choose from.
            r = subprocess.run([S.bin, "import", "customers", path, "--db", db, "--dry-run"],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn('the workbook\'s sheets: "说明", "客户" (choose one with --sheet)', r.stderr)
            r = subprocess.run([S.bin, "import", "customers", path, "--db", db, "--sheet", "客户"],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn('worksheet "客户" (the workbook has 2: "说明", "客户"; choose with --sheet)', r.stdout)
            self.assertIn("1 rows: 1 new", r.stdout)
            r = subprocess.run([S.bin, "import", "customers", path, "--db", db, "--sheet", "Nope"],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 2)
            self.assertIn("no worksheet named “Nope”", r.stderr)


    def test_demo_and_import_leave_a_whole_database_in_wal_mode(self):
        # `kehu demo` and `kehu import customers` write their bulk through a rollback journal
        # when they have the file to themselves (store::OpenOptions::one_shot_load); the demo
        # then goes on with orders, complaints and an analytics pass in WAL mode. Afterwards the
        # file is whole, back in WAL mode (bytes 18-19 of its header are 2), and re-importing the
        # demo's own export changes nothing.
        import sqlite3
        import subprocess
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "demo.db")
            db = "sqlite:" + path
            r = subprocess.run([S.bin, "demo", "--customers", "300", "--db", db], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)

            def header_mode():
                with open(path, "rb") as f:
                    head = f.read(20)
                return head[18], head[19]

            def counts():
                con = sqlite3.connect(path)
                try:
                    ok = con.execute("PRAGMA integrity_check").fetchone()[0]
                    n = con.execute("SELECT count(*) FROM customers").fetchone()[0]
                    orders = con.execute("SELECT count(*) FROM orders").fetchone()[0]
                    return ok, n, orders
                finally:
                    con.close()

            self.assertEqual(header_mode(), (2, 2))
            ok, n, orders = counts()
            self.assertEqual((ok, n), ("ok", 300))
            self.assertGreater(orders, 0)
            self.assertFalse(os.path.exists(path + "-journal"))
            csv = os.path.join(d, "all.csv")
            r = subprocess.run([S.bin, "export", "customers", "--db", db, "--out", csv], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            r = subprocess.run([S.bin, "import", "customers", csv, "--db", db], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("300 rows: 0 new, 0 updated, 300 unchanged, 0 errors", r.stdout)
            self.assertEqual(header_mode(), (2, 2))
            self.assertEqual(counts()[:2], ("ok", 300))

if __name__ == "__main__":
    unittest.main(verbosity=2)
