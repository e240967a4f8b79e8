#!/usr/bin/env python3
"""Writes COUNT distinct signed telephony events (calls of three events each: ringing, answered,
hangup) for bench/telephony/events.lua: "timestamp<TAB>signature<TAB>body" per line, signed now
(they stay valid for 5 minutes). Callers' numbers come from PHONES_FILE.

usage: sign_events.py SECRET AGENT PHONES_FILE COUNT OUT
"""
import hashlib
import hmac
import json
import sys
import time

secret, agent, phones_file, count, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
phones = [p.strip() for p in open(phones_file) if p.strip()]
key = secret.encode()
ts = str(int(time.time()))
run = "%x" % int(time.time() * 1000)
with open(out, "w") as f:
    for n in range(count):
        call, step = divmod(n, 3)
        body = json.dumps({"event": ("ringing", "answered", "hangup")[step], "call_id": "bench-%s-%d" % (run, call),
                           "from": phones[call % len(phones)], "to": "4008001234", "agent": agent},
                          separators=(",", ":"))
        sig = hmac.new(key, (ts + "." + body).encode(), hashlib.sha256).hexdigest()
        f.write("%s\t%s\t%s\n" % (ts, sig, body))
