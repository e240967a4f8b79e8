"""Starts a real `kehu serve` on a loopback port for API tests (SQLite file or PostgreSQL).

Environment:
  KEHU_BIN            path of the kehu binary (required)
  KEHU_TEST_DB        "sqlite" (default) or "postgres"
  KEHU_TEST_PG_URL    libpq URL of a throwaway server (set by scripts/with-postgres.sh)
"""
import http.client
import json
import os
import re
import signal
import subprocess
import tempfile
import time
import uuid


class Server:
    def __init__(self, db_url=None, extra_args=()):
        self.bin = os.environ["KEHU_BIN"]
        self.tmp = tempfile.mkdtemp(prefix="kehu-api-")
        self.kind = os.environ.get("KEHU_TEST_DB", "sqlite")
        if db_url:
            self.db = db_url
        elif self.kind == "postgres":
            self.db = fresh_pg_database()
        else:
            self.db = "sqlite:" + os.path.join(self.tmp, "kehu.db")
        self.extra_args = list(extra_args)
        self.proc = None
        self.port = None
        self.admin_password = None

    def start(self):
        self.log = open(os.path.join(self.tmp, "server.log"), "ab")
        self.proc = subprocess.Popen(
            [self.bin, "serve", "--db", self.db, "--listen", "127.0.0.1:0", "--web-root", self.tmp]
            + self.extra_args,
            stdout=subprocess.PIPE, stderr=self.log, cwd=self.tmp)
        deadline = time.time() + 60
        while time.time() < deadline:
            line = self.proc.stdout.readline().decode()
            if not line:
                raise RuntimeError("kehu exited early; log in " + self.log.name)
            m = re.match(r"admin password: (\S+)", line)
            if m:
                self.admin_password = m.group(1)
            m = re.match(r"kehu listening on http://127\.0\.0\.1:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                return self
        raise RuntimeError("kehu did not start")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        self.proc = None

    def request(self, method, path, body=None, headers=None, token=None, raw=False):
        """Returns (status, headers dict (lower-case names, Set-Cookie as list), parsed body)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        data = None
        if body is not None:
            data = body if isinstance(body, (bytes, str)) else json.dumps(body)
            if isinstance(data, str):
                data = data.encode()
            h.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        payload = r.read()
        hdrs = {}
        for k, v in r.getheaders():
            k = k.lower()
            if k == "set-cookie":
                hdrs.setdefault(k, []).append(v)
            else:
                hdrs[k] = v
        conn.close()
        if raw:
            return r.status, hdrs, payload
        ctype = hdrs.get("content-type", "")
        parsed = json.loads(payload) if payload and "json" in ctype else payload.decode(errors="replace")
        return r.status, hdrs, parsed

    def login(self, username, password):
        s, _, b = self.request("POST", "/api/v1/auth/login", {"username": username, "password": password})
        if s != 200:
            raise AssertionError("login %s failed: %s %s" % (username, s, b))
        return b["token"]


def fresh_pg_database():
    """Creates an empty database on the throwaway server and returns its URL."""
    base = os.environ.get("KEHU_TEST_PG_URL")
    if not base:
        raise SystemExit(77)  # ctest SKIP_RETURN_CODE
    name = "kehu_api_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", base, "-q", "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE " + name],
                   check=True, stdout=subprocess.DEVNULL)
    return re.sub(r"dbname=\S+", "dbname=" + name, base)


def xlsx_workbook(rows):
    """An XLSX workbook as Chinese Excel saves one, built with the standard library: shared
    strings, numbers as numbers, dates and date-times as serial numbers in a 年月日 or a
    yyyy-mm-dd hh:mm format. rows: {sheet row: [cell, ...]} for a workbook of one sheet, Sheet1,
    or [(sheet name, {sheet row: [cell, ...]}), ...] for its tabs in order; a cell is None (left
    out), str, int, float, datetime.date or datetime.datetime."""
    import datetime
    import io
    import zipfile
    from xml.sax.saxutils import escape, quoteattr
    sheets = [("Sheet1", rows)] if isinstance(rows, dict) else list(rows)
    strings, sheet_xml = [], []
    for _, sheet_rows in sheets:
        rows_xml = []
        for r in sorted(sheet_rows):
            cells = []
            for c, v in enumerate(sheet_rows[r]):
                ref = "%s%d" % (chr(ord("A") + c), r)
                if v is None:
                    continue
                if isinstance(v, datetime.datetime):
                    serial = (v - datetime.datetime(1899, 12, 30)).total_seconds() / 86400
                    cells.append('<c r="%s" s="2"><v>%r</v></c>' % (ref, serial))
                elif isinstance(v, datetime.date):
                    cells.append('<c r="%s" s="1"><v>%d</v></c>' % (ref, (v - datetime.date(1899, 12, 30)).days))
                elif isinstance(v, (int, float)):
                    cells.append('<c r="%s"><v>%r</v></c>' % (ref, v))
                else:
                    strings.append(v)
                    cells.append('<c r="%s" t="s"><v>%d</v></c>' % (ref, len(strings) - 1))
            rows_xml.append('<row r="%d">%s</row>' % (r, "".join(cells)))
        sheet_xml.append("".join(rows_xml))
    ns = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    n = len(sheets)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("_rels/.rels", '<Relationships xmlns="%s"><Relationship Id="rId1" Type="%sofficeDocument" '
                   'Target="xl/workbook.xml"/></Relationships>' % (pkg, rel))
        z.writestr("xl/workbook.xml", '<workbook %s><sheets>%s</sheets></workbook>' % (ns, "".join(
            '<sheet name=%s sheetId="%d" r:id="rId%d"/>' % (quoteattr(name), i + 1, i + 1)
            for i, (name, _) in enumerate(sheets))))
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<Relationships xmlns="%s">%s<Relationship Id="rId%d" Type="%ssharedStrings" '
                   'Target="sharedStrings.xml"/><Relationship Id="rId%d" Type="%sstyles" Target="styles.xml"/>'
                   '</Relationships>' % (pkg, "".join(
                       '<Relationship Id="rId%d" Type="%sworksheet" Target="worksheets/sheet%d.xml"/>'
                       % (i + 1, rel, i + 1) for i in range(n)), n + 1, rel, n + 2, rel))
        z.writestr("xl/sharedStrings.xml", '<sst %s>%s</sst>' % (ns, "".join(
            "<si><t>%s</t></si>" % escape(x) for x in strings)))
        z.writestr("xl/styles.xml", '<styleSheet %s><numFmts count="2"><numFmt numFmtId="176" formatCode='
                   '"yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/><numFmt numFmtId="177" '
                   'formatCode="yyyy-mm-dd hh:mm"/></numFmts><cellXfs count="3"><xf numFmtId="0"/>'
                   '<xf numFmtId="176"/><xf numFmtId="177"/></cellXfs></styleSheet>' % ns)
        for i, xml in enumerate(sheet_xml):
            z.writestr("xl/worksheets/sheet%d.xml" % (i + 1),
                       '<worksheet %s><sheetData>%s</sheetData></worksheet>' % (ns, xml))
    return out.getvalue()
