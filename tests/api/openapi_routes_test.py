"""Fails when the router has a route docs/openapi.yaml lacks (or the reverse), and checks that
the server serves the same document at /api/v1/openapi.json."""
import os
import re
import subprocess
import sys
import unittest

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kehu_harness import Server  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}


def norm(path):
    return re.sub(r"\{[^}]+\}", "{}", path)


class OpenApiRoutesTest(unittest.TestCase):
    def setUp(self):
        with open(os.path.join(ROOT, "docs", "openapi.yaml"), encoding="utf-8") as f:
            self.doc = yaml.safe_load(f)
        self.documented = {(m.upper(), norm(p)) for p, ops in self.doc["paths"].items()
                           for m in ops if m in METHODS}

    def test_every_router_route_is_documented(self):
        out = subprocess.run([os.environ["KEHU_BIN"], "routes"], capture_output=True, text=True, check=True).stdout
        routes = {(line.split()[0], norm(line.split()[1])) for line in out.splitlines() if line.strip()}
        self.assertGreater(len(routes), 20)
        self.assertEqual(sorted(routes - self.documented), [], "routes missing from docs/openapi.yaml")
        self.assertEqual(sorted(self.documented - routes), [], "documented routes the router lacks")

    def test_server_serves_the_document_as_json(self):
        s = Server().start()
        try:
            status, _, body = s.request("GET", "/api/v1/openapi.json")
            self.assertEqual(status, 200)
            self.assertEqual(body["paths"].keys(), self.doc["paths"].keys())
        finally:
            s.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
