"""A write acknowledged to a client survives kill -9 of the server (SQLite; PostgreSQL's own
durability is PostgreSQL's), and SIGTERM stops the server cleanly."""
import os
import re
import signal
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kehu_harness import Server  # noqa: E402

# The binary's search-text version (kSearchTextVersion), read from the header it is built from.
_HEADER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "domain", "customers",
                       "customer_search.h")
with open(_HEADER, encoding="utf-8") as f:
    SEARCH_TEXT_VERSION = int(re.search(r"kSearchTextVersion = (\d+);", f.read()).group(1))


class DurabilityTest(unittest.TestCase):
    def test_acknowledged_creates_survive_kill_9(self):
        s = Server().start()
        token = s.login("admin", s.admin_password)
        ids = []
        for i in range(50):
            status, _, b = s.request("POST", "/api/v1/customers", {"name": "持久%d" % i,
                                                                   "phones": ["1390000%04d" % i]}, token=token)
            self.assertEqual(status, 201, b)
            ids.append(b["id"])
        s.stop(sig=signal.SIGKILL)
        s2 = Server(db_url=s.db)
        s2.tmp = s.tmp
        s2.start()
        try:
            token = s2.login("admin", s.admin_password)
            for i, cid in enumerate(ids):
                status, _, b = s2.request("GET", "/api/v1/customers/%d" % cid, token=token)
                self.assertEqual(status, 200, b)
                self.assertEqual(b["name"], "持久%d" % i)
        finally:
            s2.stop()

    def test_backup_while_serving_is_a_complete_copy(self):
        import subprocess
        s = Server().start()
        try:
            token = s.login("admin", s.admin_password)
            status, _, c = s.request("POST", "/api/v1/customers", {"name": "备份客户"}, token=token)
            self.assertEqual(status, 201)
            dest = os.path.join(s.tmp, "backup.db")
            r = subprocess.run([s.bin, "backup", "--db", s.db, dest], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            # the server kept serving during the backup
            self.assertEqual(s.request("GET", "/api/v1/customers/%d" % c["id"], token=token)[0], 200)
        finally:
            s.stop()
        copy = Server(db_url="sqlite:" + dest).start()
        try:
            token = copy.login("admin", s.admin_password)
            status, _, got = copy.request("GET", "/api/v1/customers/%d" % c["id"], token=token)
            self.assertEqual(status, 200)
            self.assertEqual(got["name"], "备份客户")
        finally:
            copy.stop()

    def test_cli_user_add_and_migrate(self):
        import subprocess
        s = Server().start()
        try:
            r = subprocess.run([s.bin, "user", "add", "wangfang", "--role", "sales", "--password-stdin",
                                "--display-name", "王芳", "--db", s.db], input="long-enough-pw\n",
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertTrue(s.login("wangfang", "long-enough-pw"))
            r = subprocess.run([s.bin, "user", "add", "wangfang", "--role", "sales", "--password-stdin",
                                "--db", s.db], input="long-enough-pw\n", capture_output=True, text=True)
            self.assertEqual(r.returncode, 2)
            self.assertIn("taken", r.stderr)
            r = subprocess.run([s.bin, "user", "add", "x2", "--role", "pilot", "--password-stdin", "--db", s.db],
                               input="long-enough-pw\n", capture_output=True, text=True)
            self.assertEqual(r.returncode, 2)
            self.assertIn("role", r.stderr)
            r = subprocess.run([s.bin, "migrate", "--db", s.db], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("applied 0", r.stdout)
        finally:
            s.stop()

    def test_old_search_texts_are_rebuilt_at_start_and_by_the_cli(self):
        """A database whose rows hold an older binary's search texts (a Beijing landline indexed
        without its trunk 0, as version 1 did): a server rebuilds them in the background at
        start, and `kehu reindex` in the foreground."""
        import sqlite3
        import subprocess
        import time
        s = Server().start()
        token = s.login("admin", s.admin_password)
        status, _, c = s.request("POST", "/api/v1/customers", {"name": "座机客户", "phones": ["010-65529988"]},
                                 token=token)
        self.assertEqual(status, 201, c)
        s.stop()
        path = s.db[len("sqlite:"):]

        def make_old():
            con = sqlite3.connect(path)
            with con:
                for table, text in (("customers_fts", "座机客户 | zuojikehu | zjkh | 861065529988"),
                                    ("customers_fts_tok", "座 机 客 户 zuojikehu zjkh 1065529988")):
                    con.execute("DELETE FROM %s WHERE rowid = ?" % table, (c["id"],))
                    con.execute("INSERT INTO %s(rowid, doc) VALUES (?, ?)" % table, (c["id"], text))
                con.execute("INSERT INTO search_text_state(org_id, version, updated_at) VALUES (1, 1, 0) "
                            "ON CONFLICT (org_id) DO UPDATE SET version = 1")
            con.close()

        def state():
            con = sqlite3.connect(path)
            try:
                return (con.execute("SELECT version FROM search_text_state WHERE org_id = 1").fetchone()[0],
                        con.execute("SELECT doc FROM customers_fts WHERE rowid = ?", (c["id"],)).fetchone()[0])
            finally:
                con.close()

        make_old()
        s2 = Server(db_url=s.db)
        s2.tmp = s.tmp
        s2.start()
        try:
            token = s2.login("admin", s.admin_password)
            found = []
            deadline = time.time() + 30
            while time.time() < deadline:
                status, _, page = s2.request("GET", "/api/v1/customers?q=01065529988", token=token)
                self.assertEqual(status, 200, page)
                found = [x["id"] for x in page["items"]]
                if found:
                    break
                time.sleep(0.1)
            self.assertEqual(found, [c["id"]])
            while time.time() < deadline and state()[0] != SEARCH_TEXT_VERSION:  # recorded just after the last batch
                time.sleep(0.1)
        finally:
            s2.stop()
        version, doc = state()
        self.assertEqual(version, SEARCH_TEXT_VERSION)
        self.assertNotIn(" | ", doc)

        make_old()
        r = subprocess.run([s.bin, "reindex", "--db", s.db], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("1 customers read, 1 rewritten", r.stderr)
        self.assertEqual(state()[0], SEARCH_TEXT_VERSION)
        r = subprocess.run([s.bin, "reindex", "--db", s.db], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")  # nothing older: nothing to do
        r = subprocess.run([s.bin, "reindex", "--all", "--db", s.db], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("1 customers read, 0 rewritten", r.stderr)
        r = subprocess.run([s.bin, "reindex", "--db", s.db, "--bogus"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)

    def test_sigterm_exits_zero(self):
        s = Server().start()
        proc = s.proc
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(timeout=30), 0)
        s.proc = None


if __name__ == "__main__":
    unittest.main(verbosity=2)
