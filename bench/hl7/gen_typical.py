#!/usr/bin/python3
"""Writes the parser benchmark's input: typical ORM/ORU messages, separated by FS (0x1C).

gen_typical.py HARNESS_DIR CORPUS_DIR OUT: 1000 ORM^O01 from the load generator's template
(the messages the ingest benchmark sends) plus every ORM/ORU message of the corpus, split
as on the wire (the harness's own splitter: CR terminators, no batch envelopes).
"""
import os
import sys

harness, corpus, out = sys.argv[1:4]
sys.path.insert(0, harness)
import mllp_load  # noqa: E402

messages = []
source = mllp_load.TemplateSource("PBEN")
for i in range(1000):
    payload, _ = source.message(i)
    messages.append(payload.strip(b"\x0b\x1c\r") + b"\r")
corpus_count = 0
for name in sorted(os.listdir(corpus)):
    if not name.endswith(".hl7"):
        continue
    with open(os.path.join(corpus, name), "rb") as f:
        split, _ = mllp_load.split_hl7_bytes(f.read())
    for m in split:
        msh = m.split(b"\r", 1)[0]
        fields = msh.split(msh[3:4]) if len(msh) > 3 else []
        if len(fields) > 8 and fields[8][:3] in (b"ORM", b"ORU"):
            messages.append(m)
            corpus_count += 1
with open(out, "wb") as f:
    for m in messages:
        f.write(m + b"\x1c")
total = sum(len(m) for m in messages)
print(f"typical: {len(messages)} messages (1000 template ORM, {corpus_count} corpus ORM/ORU), "
      f"{total / len(messages):.0f} bytes on average -> {out}")
