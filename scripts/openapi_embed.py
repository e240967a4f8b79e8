#!/usr/bin/env python3
"""Converts docs/openapi.yaml to JSON and writes a C++ source that embeds it.

Usage: openapi_embed.py IN.yaml OUT.cc
Fails (exit 1) when the YAML is invalid, so a broken API document breaks the build.
"""
import json
import sys

import yaml

src, out = sys.argv[1], sys.argv[2]
with open(src, encoding="utf-8") as f:
    doc = yaml.safe_load(f)
if not isinstance(doc, dict) or "paths" not in doc:
    sys.exit("openapi_embed: %s has no paths" % src)
text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
data = text.encode("utf-8")
with open(out, "w", encoding="ascii") as f:
    f.write("// Generated from docs/openapi.yaml by scripts/openapi_embed.py. Do not edit.\n")
    f.write("#include <string_view>\n\nnamespace kehu::http {\n\n")
    f.write("static const unsigned char kOpenApi[] = {\n")
    for i in range(0, len(data), 20):
        f.write("  " + ", ".join(str(b) for b in data[i:i + 20]) + ",\n")
    f.write("};\n\n")
    f.write("std::string_view OpenApiJson() {\n")
    f.write("  return {reinterpret_cast<const char*>(kOpenApi), sizeof(kOpenApi)};\n}\n\n")
    f.write("}  // namespace kehu::http\n")
