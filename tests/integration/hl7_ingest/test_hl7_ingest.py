"""HL7 ingest through `sundial serve`: real MLLP clients against the running engine.

python3-hl7's mllp_send sends every ORM/OMI/ORU/ADT message of the shared corpus; each must
get the ACK the rules call for (AA/CA once stored, AR/AE otherwise, none when MSH-15 asks for
none) and each accepted (site, sender, control id) must be in the Redis inbox exactly once,
also after everything is sent a second time. Bad input (garbage, a frame without its end, an
oversize frame, a wrong MSH) gets a NAK or a closed connection with a logged reason, while
another connection carries on. The engine's embedded Redis is read with redis-cli.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
import harness  # noqa: E402

MLLP_SEND = "/usr/bin/mllp_send"
EXAMPLES = os.environ.get("SUNDIAL_EXAMPLES", os.path.join(os.path.dirname(__file__), "../../../examples"))
ACCEPTED_TYPES = {"ORM^O01", "OMI^O23", "ADT^A01", "ADT^A04", "ADT^A08", "ADT^A40", "ORU^R01"}
VT, FS, CR = b"\x0b", b"\x1c", b"\r"
INBOX_KEY = "sundial:v1:hl7:inbox"  # the stream (entries leave it once processed)


def required_segments(msg_type):
    if msg_type in ("ORM^O01", "OMI^O23"):
        return ["PID", "ORC", "OBR"]
    if msg_type == "ADT^A40":
        return ["PID", "MRG"]
    if msg_type.startswith("ADT^"):
        return ["PID"]
    if msg_type == "ORU^R01":
        return ["OBR"]
    return []


class CorpusMessage:
    """One message of a corpus file, as it goes on the wire (segments ended by CR)."""

    def __init__(self, file, segments):
        self.file = file
        self.text = CR.join(segments) + CR
        msh = segments[0]
        self.field_sep = msh[3:4]
        fields = msh.split(self.field_sep)
        comp = fields[1][:1] if len(fields) > 1 and fields[1] else b"^"

        def field(n):  # MSH-n (MSH-1 is the separator itself)
            return fields[n - 1] if len(fields) > n - 1 else b""

        self.application = field(3).split(comp)[0].decode("latin-1")
        self.facility = field(4).split(comp)[0].decode("latin-1")
        self.sender = (field(3) + b"|" + field(4)).decode("latin-1")
        parts = field(9).split(comp)
        self.type = (parts[0] + b"^" + (parts[1] if len(parts) > 1 else b"")).decode("latin-1")
        self.control_id = field(10).decode("latin-1")
        self.msh15 = field(15).decode("latin-1").strip()
        self.msh16 = field(16).decode("latin-1").strip()
        self.segment_ids = {s[:3].decode("latin-1") for s in segments}

    @property
    def acceptable(self):
        return (self.type in ACCEPTED_TYPES and self.control_id != ""
                and (self.application or self.facility)
                and all(s in self.segment_ids for s in required_segments(self.type)))

    @property
    def ack_expected(self):
        enhanced = self.msh15 != "" or self.msh16 != ""
        if not enhanced:
            return True
        if self.msh15 == "NE":
            return False
        if self.msh15 == "ER":
            return not self.acceptable
        if self.msh15 == "SU":
            return self.acceptable
        return True


def corpus_messages():
    """Every ORM/OMI/ORU/ADT message of the corpus, split as on the wire (MANIFEST order)."""
    messages = []
    corpus = os.path.join(harness.CORPUS, "hl7")
    with open(os.path.join(corpus, "MANIFEST.tsv")) as f:
        next(f)
        names = [line.split("\t")[0] for line in f if line.strip()]
    for name in names:
        with open(os.path.join(corpus, name), "rb") as f:
            data = f.read()
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        data = data.replace(VT, b"").replace(FS, b"").replace(b"\r\n", CR).replace(b"\n", CR)
        current = None
        for segment in data.split(CR):
            if not segment.strip() or segment[:3] in (b"FHS", b"BHS", b"BTS", b"FTS"):
                continue
            if segment.startswith(b"MSH"):
                current = [segment]
                messages.append((name, current))
            elif current is not None:
                current.append(segment)
    out = [CorpusMessage(name, segments) for name, segments in messages]
    return [m for m in out if m.type[:3] in ("ORM", "OMI", "ORU", "ADT")]


def yaml_string(text):
    return json.dumps(text)  # a JSON string is a YAML string


def read_frames(data):
    """The MLLP frames in `data`, without framing."""
    frames = []
    while True:
        start = data.find(VT)
        end = data.find(FS + CR, start + 1)
        if start < 0 or end < 0:
            return frames
        frames.append(data[start + 1:end])
        data = data[end + 2:]


def msa(ack):
    """(MSA-1, MSA-2, whole ack text) of an ACK."""
    sep = ack[3:4]
    for segment in ack.split(CR):
        if segment.startswith(b"MSA"):
            fields = segment.split(sep)
            return (fields[1].decode() if len(fields) > 1 else "",
                    fields[2].decode("latin-1") if len(fields) > 2 else "", ack)
    return ("", "", ack)


class Hl7IngestTest(harness.EndToEndTest):
    def start_sundial(self, messages=(), extra_hl7=""):
        self.hl7_port = harness.free_port()
        pairs = sorted({(m.application, m.facility) for m in messages if m.application or m.facility})
        senders = "".join(
            f"        - {{application: {yaml_string(a)}, facility: {yaml_string(f)}}}\n" for a, f in pairs)
        senders += "        - {application: DEMO_RIS, facility: DEMO_HOSPITAL}\n        - {facility: DEMO_ER}\n"
        extra = (f"    hl7:\n      senders:\n{senders}"
                 f"hl7:\n  bind: 127.0.0.1\n  port: {self.hl7_port}\n  idle_timeout_ms: 1000\n"
                 f"  max_message_bytes: 65536\n{extra_hl7}")
        self.sundial = self.track(harness.Sundial(
            self.workdir, [{"name": "ARCHIVE", "ae": "ARCHIVE", "port": harness.free_port()}],
            extra_config=extra))
        harness.wait_until(lambda: harness.port_listening(self.hl7_port), 20, "the MLLP listener")

    def redis(self, *args):
        socket_path = os.path.join(self.workdir, "data", "redis", "redis.sock")
        result = subprocess.run(["redis-cli", "-s", socket_path, "--raw", *args], capture_output=True, timeout=20)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout.decode("utf-8", "replace")

    def inbox(self):
        """[(site, sender, control id)] of every message stored in the HL7 inbox.

        Read from the duplicate keys (one per stored message; the orders processor deletes
        stream entries once it has processed them), and checked against the stream's own
        count of XADDs, so a message stored twice would show."""
        prefix = "sundial:v1:hl7:seen:"
        keys = [k for k in self.redis("KEYS", prefix + "*").splitlines() if k.strip()]
        stored = []
        for key in keys:
            site, sender, control_id = key[len(prefix):].split(":")
            stored.append(tuple(urllib.parse.unquote_to_bytes(part).decode("latin-1")
                                for part in (site, sender, control_id)))
        info = self.redis("XINFO", "STREAM", INBOX_KEY).splitlines() if stored else []
        added = int(info[info.index("entries-added") + 1]) if "entries-added" in info else 0
        self.assertEqual(added, len(stored), "XADDs to the inbox != distinct messages stored")
        return stored

    def mllp_send(self, messages, timeout=60):
        path = os.path.join(self.workdir, f"send-{time.monotonic_ns()}.hl7")
        with open(path, "wb") as f:
            for m in messages:
                f.write(m.text + FS)
        result = subprocess.run([MLLP_SEND, "-p", str(self.hl7_port), "-f", path, "127.0.0.1"],
                                capture_output=True, timeout=timeout)
        return [msa(frame) for frame in read_frames(result.stdout)], result

    def setUp(self):
        super().setUp()
        if not os.path.exists(MLLP_SEND):
            self.skipTest("mllp_send missing: apt-get install python3-hl7")

    def test_corpus_flows_in_with_the_right_acks_and_each_message_is_stored_once(self):
        messages = corpus_messages()
        self.assertGreater(len(messages), 60)
        self.start_sundial(messages)
        codes = {}
        for m in messages:
            acks, result = self.mllp_send([m])
            if not m.ack_expected:
                self.assertEqual(acks, [], f"{m.file}: MSH-15 {m.msh15} wants no accept ACK")
                continue
            if not acks and not m.acceptable:
                # Unparseable without a readable control ID: closed, the reason logged.
                codes["closed"] = codes.get("closed", 0) + 1
                continue
            self.assertEqual(len(acks), 1, f"{m.file}: no ACK; mllp_send said {result.stderr[-300:]!r}")
            code, acked_id, text = acks[0]
            codes[code] = codes.get(code, 0) + 1
            self.assertEqual(acked_id, m.control_id, f"{m.file}: MSA-2 names another message")
            if m.acceptable:
                self.assertIn(code, ("AA", "CA"), f"{m.file} ({m.type}): {text!r}")
            else:
                self.assertIn(code, ("AE", "AR", "CE", "CR"), f"{m.file} ({m.type}) was accepted")
                self.assertIn(b"ERR", text, f"{m.file}: a NAK names its reason in ERR")
        print(f"\ncorpus: {len(messages)} messages, ACKs by code {codes}")
        if "closed" in codes:
            self.assertIn("mllp_closed_without_ack", self.sundial.text())

        expected = {("DEMO", m.sender, m.control_id) for m in messages if m.acceptable}
        stored = self.inbox()
        self.assertEqual(len(stored), len(set(stored)), "a message is in the inbox twice")
        self.assertEqual(set(stored), expected)

        # Everything again (in one connection): acknowledged again, nothing stored twice.
        again = [m for m in messages if m.acceptable and m.ack_expected]
        acks, result = self.mllp_send(again)
        self.assertEqual(len(acks), len(again), result.stderr[-500:])
        for m, (code, acked_id, _) in zip(again, acks):
            self.assertIn(code, ("AA", "CA"), m.file)
            self.assertEqual(acked_id, m.control_id)
        self.assertEqual(sorted(self.inbox()), sorted(stored))
        metrics = self.sundial.metrics()
        self.assertIn("sundial_hl7_duplicates_total", metrics)
        self.assertIn('sundial_hl7_acks_total{code="AA"}', metrics)
        self.assertIn("sundial_hl7_store_seconds_bucket", metrics)

    def test_bad_input_is_refused_with_a_reason_and_other_connections_carry_on(self):
        self.start_sundial()
        good = socket.create_connection(("127.0.0.1", self.hl7_port), timeout=10)
        good_acks, stop = [], threading.Event()

        def order(control_id, facility="DEMO_HOSPITAL"):
            return (f"MSH|^~\\&|DEMO_RIS|{facility}|SUNDIAL|TELERAD|20261130010101||ORM^O01|{control_id}|P|2.3\r"
                    "PID|1||SYN1^^^DEMO^MR||SYNTHETIC^PAT\rORC|NW|P1|F1\rOBR|1|P1|F1|CT^CT HEAD\r").encode()

        def exchange(sock, payload):
            sock.sendall(payload)
            data = b""
            while FS + CR not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    return None
                data += chunk
            return msa(read_frames(data)[0])

        self.assertEqual(exchange(good, VT + order("GOOD-1") + FS + CR)[0], "AA")

        def keep_sending():  # a well-behaved sender, busy while the others misbehave
            n = 0
            while not stop.is_set():
                n += 1
                reply = exchange(good, VT + order(f"GOOD-BG-{n}") + FS + CR)
                good_acks.append(reply[0] if reply else "closed")
                stop.wait(0.2)

        sender = threading.Thread(target=keep_sending)
        sender.start()

        # Garbage without any frame: closed (after the idle timeout), reason logged.
        with socket.create_connection(("127.0.0.1", self.hl7_port), timeout=10) as bad:
            bad.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual(bad.recv(4096), b"")
        # A frame without its end: AR naming the control ID, then closed.
        with socket.create_connection(("127.0.0.1", self.hl7_port), timeout=10) as bad:
            bad.sendall(VT + order("OPEN-1"))
            data = b""
            while True:
                chunk = bad.recv(4096)
                if not chunk:
                    break
                data += chunk
            frames = read_frames(data)
            self.assertEqual(len(frames), 1)
            self.assertEqual(msa(frames[0])[:2], ("AR", "OPEN-1"))
        # Oversize: AR naming the control ID, closed.
        with socket.create_connection(("127.0.0.1", self.hl7_port), timeout=10) as bad:
            big = order("BIG-1") + b"NTE|1||" + b"x" * 70000 + CR
            code = exchange(bad, VT + big + FS + CR)
            self.assertEqual(code[:2], ("AR", "BIG-1"))
            self.assertEqual(bad.recv(4096), b"")
        # A wrong MSH (no message type): AR naming the control ID, connection stays usable.
        with socket.create_connection(("127.0.0.1", self.hl7_port), timeout=10) as bad:
            wrong = b"MSH|^~\\&|DEMO_RIS|DEMO_HOSPITAL|SUNDIAL|TELERAD|20261130|||WRONG-1|P|2.3\r"
            self.assertEqual(exchange(bad, VT + wrong + FS + CR)[:2], ("AR", "WRONG-1"))
            self.assertEqual(exchange(bad, VT + order("AFTER-WRONG") + FS + CR)[0], "AA")
        # Not for us, and an unknown type: AR, nothing stored.
        with socket.create_connection(("127.0.0.1", self.hl7_port), timeout=10) as bad:
            self.assertEqual(exchange(bad, VT + order("STRANGER-1", "ELSEWHERE") + FS + CR)[0], "AR")
            siu = order("SIU-1").replace(b"ORM^O01", b"SIU^S12")
            self.assertEqual(exchange(bad, VT + siu + FS + CR)[0], "AR")

        # The well-behaved connection was not disturbed.
        stop.set()
        sender.join()
        good.close()
        self.assertGreater(len(good_acks), 5)
        self.assertEqual(set(good_acks), {"AA"})
        ids = sorted(cid for _, _, cid in self.inbox() if not cid.startswith("GOOD-BG-"))
        self.assertEqual(ids, ["AFTER-WRONG", "GOOD-1"])
        self.assertEqual(len(self.inbox()), 2 + len(good_acks))
        log = self.sundial.text()
        for reason in ("mllp_garbage_skipped", "mllp_idle_timeout", "mllp_message_too_large",
                       "hl7_message_unparseable", "hl7_message_refused"):
            self.assertIn(reason, log)

    def test_redis_down_means_no_ack_and_the_retry_is_stored(self):
        self.start_sundial()
        msg = (b"MSH|^~\\&|DEMO_RIS|DEMO_HOSPITAL|SUNDIAL|TELERAD|20261130010101||ORM^O01|DOWN-1|P|2.3\r"
               b"PID|1||SYN1^^^DEMO^MR||SYNTHETIC^PAT\rORC|NW|P1|F1\rOBR|1|P1|F1|CT^CT HEAD\r")
        with open(os.path.join(self.workdir, "data", "redis", "redis.pid")) as f:
            pid = int(f.read().strip())
        os.kill(pid, 19)  # SIGSTOP: Redis hangs (the store times out)
        try:
            with socket.create_connection(("127.0.0.1", self.hl7_port), timeout=30) as s:
                s.sendall(VT + msg + FS + CR)
                self.assertEqual(s.recv(4096), b"", "an ACK came while Redis could not store")
        finally:
            os.kill(pid, 18)  # SIGCONT
        self.assertIn("hl7_not_acknowledged", self.sundial.text())
        # The sender's retry: stored once, AA.
        with socket.create_connection(("127.0.0.1", self.hl7_port), timeout=30) as s:
            s.sendall(VT + msg + FS + CR)
            data = b""
            while FS + CR not in data:
                data += s.recv(4096)
        self.assertEqual(msa(read_frames(data)[0])[:2], ("AA", "DOWN-1"))
        self.assertEqual([cid for _, _, cid in self.inbox()], ["DOWN-1"])

    def test_hl7_send_prints_each_ack_and_fails_when_one_is_not_accepted(self):
        self.start_sundial()
        ok = [os.path.join(EXAMPLES, "hl7", f) for f in ("orm_new_order.hl7", "adt_a08_update.hl7",
                                                         "orm_cancel.hl7", "oru_final_report.hl7")]
        result = subprocess.run([harness.SUNDIAL, "hl7", "send", "--port", str(self.hl7_port), *ok],
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("control_id=DEMO-ORM-0001 ack=AA", result.stdout)
        self.assertIn("control_id=DEMO-ADT-0001 ack=CA", result.stdout)
        self.assertIn("sent=4 accepted=4", result.stdout)
        bad = os.path.join(EXAMPLES, "hl7", "unknown_sender.hl7")
        result = subprocess.run([harness.SUNDIAL, "hl7", "send", "--port", str(self.hl7_port), bad],
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 4, result.stdout + result.stderr)
        self.assertIn("ack=AR", result.stdout)
        self.assertIn("not for us", result.stdout)
        # Nobody listening: no ACK, non-zero.
        result = subprocess.run([harness.SUNDIAL, "hl7", "send", "--port", str(harness.free_port()), ok[0]],
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 4)
        self.assertIn("ack=none", result.stdout)


if __name__ == "__main__":
    unittest.main()
