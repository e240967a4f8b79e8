"""A write acknowledged to a client survives kill -9 of the server (SQLite; PostgreSQL's own
durability is PostgreSQL's), and SIGTERM stops the server cleanly."""
import os
import signal
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kehu_harness import Server  # noqa: E402


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

    def test_sigterm_exits_zero(self):
        s = Server().start()
        proc = s.proc
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(timeout=30), 0)
        s.proc = None


if __name__ == "__main__":
    unittest.main(verbosity=2)
