"""Two nodes sharing one Redis (DESIGN.md "One node, many nodes"), with real peers.

One redis-server; nodes `alpha` and `bravo` (`sundial serve`, own data folders and ports,
`redis.address` pointing at that server); storescp as the archive and as the reader's
workstation; storescu as the modalities; orders over HL7 to alpha only. Studies go to alpha,
to bravo, one split between both, one instance to both. Then:

- every instance reaches each destination exactly once (files and SOP Instance UIDs), sent
  by the node whose spool holds it (its forward metrics), and both spools end empty;
- every study is matched to its order whichever node received it, and gets exactly one
  dispatch decision and one read task; the worklist API of either node shows the same tasks;
- the SLA breach of a routine study is recorded once and re-dispatches it once;
- bravo is killed (-9) while receiving a study: alpha completes that study, matches and
  dispatches it and takes new orders and studies meanwhile; bravo restarts, the modality
  sends the study again, and every instance reaches each destination exactly once.
"""

import json
import os
import re
import subprocess
import time
import unittest
import urllib.request

import pydicom

from harness import (API_TOKEN, API_TOKEN_SHA256, DCMTK_ENV, SUNDIAL, EndToEndTest, Process,
                     StoreScp, acknowledged_files, echo, free_port, make_ct_study, storescu,
                     wait_until)

RULE = """
function route(f)
  return { pool = "remote", destinations = { "ARCHIVE" }, reason = "everything to the remote pool" }
end
"""

ORDER_TIME = "20260101120000"  # in the past: the SLA clock starts at study completion


def orm(control, accession, patient_id, priority):
    obr = [""] * 32
    obr[0], obr[1], obr[2], obr[3] = "OBR", "1", "PL" + accession, "FI" + accession
    obr[4] = "CTCHEST^CT CHEST"
    obr[7] = ORDER_TIME
    obr[18] = accession
    obr[24] = "CT"
    obr[27] = "^^^^^" + priority
    segments = [
        ["MSH", "^~\\&", "RIS", "ER1", "SUNDIAL", "TELERAD", ORDER_TIME, "", "ORM^O01", control, "P",
         "2.5.1"],
        ["PID", "1", "", patient_id + "^^^ER1", "", "DOE^JOHN", "", "19550101", "M"],
        ["PV1", "1", "E"],
        ["ORC", "NW", "PL" + accession, "FI" + accession, "", "SC", "", "^^^^^" + priority, "",
         ORDER_TIME],
        obr,
    ]
    return "\r".join("|".join(fields) for fields in segments) + "\r"


class Node:
    """One `sundial serve` of the cluster: its own name, data folder and ports."""

    def __init__(self, test, name, redis_port, rules, archive, workstation):
        self.test = test
        self.name = name
        self.folder = os.path.join(test.workdir, name)
        os.makedirs(self.folder)
        self.dicom_port, self.http_port, self.hl7_port = free_port(), free_port(), free_port()
        self.config = os.path.join(self.folder, "sundial.yaml")
        always = '[{days: daily, from: "00:00", to: "24:00"}]'
        with open(self.config, "w") as f:
            f.write(f"""node:
  name: {name}
  ae_title: SUNDIAL
  dicom_port: {self.dicom_port}
  http_port: {self.http_port}
  data_dir: {os.path.join(self.folder, 'data')}
redis: {{address: "127.0.0.1:{redis_port}"}}
spool: {{min_free_bytes: 0}}
tracker: {{quiet_period_ms: 1000}}
forwarding: {{initial_backoff_ms: 200, max_backoff_ms: 1000, idle_association_timeout_ms: 2000}}
hl7: {{bind: 127.0.0.1, port: {self.hl7_port}}}
matching: {{unmatched_after_ms: 30000}}
worklist:
  reader_offline_after_ms: 600000
  sla: {{stat_minutes: 60, urgent_minutes: 60, routine_minutes: 0.2, warn_at: 0.5}}
destinations:
  - {{name: ARCHIVE, ae_title: ARCHIVE, host: 127.0.0.1, port: {archive.port}}}
  - {{name: WS, ae_title: WS, host: 127.0.0.1, port: {workstation.port}}}
sites:
  - name: ER1
    time_zone: America/Chicago
    state: TX
    callers: [{{ae_title: MODALITY, addresses: [127.0.0.1]}}]
    destinations: [ARCHIVE]
    hl7: {{senders: [{{facility: ER1}}]}}
readers:
  - {{id: ann, name: Dr Ann, licences: [TX], credentials: [ER1], modalities: [CT],
     time_zone: America/Chicago, shifts: {always}, destination: WS, pools: [remote]}}
  - {{id: bob, name: Dr Bob, licences: [TX], credentials: [ER1], modalities: [CT],
     time_zone: America/Chicago, shifts: {always}, destination: WS, pools: [remote]}}
rules:
  folder: {rules}
  pools: [{{name: remote, mode: push}}, {{name: overflow, mode: pull}}]
  fallback_pool: overflow
security:
  api_tokens: [{{name: e2e, token_sha256: {API_TOKEN_SHA256}, roles: [admin]}}]
""")
        self.process = None
        self.starts = 0
        self.start()

    def start(self):
        self.starts += 1
        self.process = self.test.track(Process([SUNDIAL, "serve", "--config", self.config],
                                               os.path.join(self.folder, f"sundial-{self.starts}.log"),
                                               cwd=self.folder))
        wait_until(lambda: echo(self.dicom_port, "SUNDIAL", "MODALITY") or not self.process.alive(), 60,
                   f"{self.name} to answer C-ECHO")
        self.test.assertTrue(self.process.alive(), self.process.text())

    def api(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{self.http_port}{path}", data=data, method=method)
        request.add_header("Authorization", f"Bearer {API_TOKEN}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read().decode() or "null")

    def tasks(self):
        states = "queued,assigned,claimed,in_progress,preliminary,final,delivered,cancelled,escalated"
        return self.api("GET", f"/api/v1/tasks?state={states}&limit=1000")["tasks"]

    def forwarded(self):
        """Instances this node delivered, all destinations together (its /metrics)."""
        request = urllib.request.Request(f"http://127.0.0.1:{self.http_port}/metrics")
        request.add_header("Authorization", f"Bearer {API_TOKEN}")
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
        return sum(int(float(m)) for m in re.findall(r'^sundial_forwarded_total\{[^}]*\} (\S+)$', text, re.M))

    def spool_files(self):
        found = []
        for root, _, files in os.walk(os.path.join(self.folder, "data")):
            found += [os.path.join(root, f) for f in files if f.endswith(".dcm")]
        return found

    def send_hl7(self, name, text):
        path = os.path.join(self.folder, name)
        with open(path, "w", newline="") as f:
            f.write(text)
        out = subprocess.run([SUNDIAL, "hl7", "send", "--host", "127.0.0.1", "--port", str(self.hl7_port), path],
                             capture_output=True, text=True, timeout=30)
        self.test.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    def send(self, paths):
        code, acked, output = storescu(self.dicom_port, "SUNDIAL", paths)
        self.test.assertEqual((code, len(acked)), (0, len(paths)), output)


class TwoNodesTest(EndToEndTest):
    def setUp(self):
        super().setUp()
        self.redis_port = free_port()
        self.redis = self.track(Process(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.workdir], os.path.join(self.workdir, "redis.log")))
        wait_until(lambda: self.redis_cli("PING") == "PONG", 10, "redis-server to answer")
        self.archive = self.track(StoreScp(self.workdir, "ARCHIVE"))
        self.workstation = self.track(StoreScp(self.workdir, "WS"))
        rules = os.path.join(self.workdir, "rules")
        os.makedirs(rules)
        with open(os.path.join(rules, "10_route.lua"), "w") as f:
            f.write(RULE)
        self.alpha = Node(self, "alpha", self.redis_port, rules, self.archive, self.workstation)
        self.bravo = Node(self, "bravo", self.redis_port, rules, self.archive, self.workstation)
        self.patients = {}

    def redis_cli(self, *args):
        out = subprocess.run(["redis-cli", "-p", str(self.redis_port), *args], capture_output=True, text=True,
                             timeout=10)
        return out.stdout.strip()

    def study(self, seed, instances, accession, rows=64):
        study_uid, paths = make_ct_study(os.path.join(self.workdir, f"study{seed}"), instances, rows=rows, cols=rows,
                                         seed=seed)
        for path in paths:
            ds = pydicom.dcmread(path)
            ds.AccessionNumber = accession
            ds.PatientID = f"MRN{seed}"
            ds.save_as(path)
        self.patients[study_uid] = accession
        return study_uid, paths

    def decisions(self):
        """Routing decisions recorded in Redis, as {study uid: count}."""
        # Raw replies, one per line: id, "study", uid, "task", id, "decision", JSON (one line).
        lines = self.redis_cli("XRANGE", "sundial:v1:dispatch:decisions", "-", "+").splitlines()
        counts = {}
        for field, value in zip(lines, lines[1:]):
            if field == "study":
                counts[value] = counts.get(value, 0) + 1
        return counts

    def task_of(self, tasks, study_uid):
        found = [t for t in tasks if study_uid in t["study_uids"]]
        self.assertLessEqual(len(found), 1, f"more than one read task for a study: {found}")
        return found[0] if found else None

    def assert_exactly_once(self, dest, sops):
        uids = dest.sop_uids()
        self.assertEqual(len(uids), len(set(uids)),
                         f"instances delivered twice to {dest.ae_title}: "
                         f"{sorted(u for u in set(uids) if uids.count(u) > 1)}")
        self.assertEqual(set(uids), sops, f"instances at {dest.ae_title}")

    def test_two_nodes_share_the_work_and_survive_a_kill(self):
        alpha, bravo = self.alpha, self.bravo
        alpha.api("POST", "/api/v1/readers/ann/heartbeat", {})
        alpha.api("POST", "/api/v1/readers/bob/heartbeat", {})

        # Orders to alpha only; studies to both nodes.
        s1, p1 = self.study(1, 5, "ACC1")
        s2, p2 = self.study(2, 5, "ACC2")
        s3, p3 = self.study(3, 6, "ACC3")  # split between the nodes
        s4, p4 = self.study(4, 4, "ACC4", rows=32)  # routine: its SLA breaches
        for seed, priority in ((1, "S"), (2, "S"), (3, "S"), (4, "R")):
            alpha.send_hl7(f"orm{seed}.hl7", orm(f"C{seed}", f"ACC{seed}", f"MRN{seed}", priority))
        alpha.send(p1)
        bravo.send(p2)
        alpha.send(p3[:3])
        bravo.send(p3[3:])
        alpha.send(p2[:1])  # the same instance at both nodes: recorded and forwarded once
        alpha.send(p4)
        sops = {pydicom.dcmread(p).SOPInstanceUID for p in p1 + p2 + p3 + p4}

        for dest in (self.archive, self.workstation):
            wait_until(lambda: set(dest.sop_uids()) >= sops, 60, f"every instance at {dest.ae_title}")
        wait_until(lambda: all(self.task_of(alpha.tasks(), s) for s in (s1, s2, s3, s4)), 30,
                   "a read task for each study")
        time.sleep(1.5)  # a second node acting late would show by now
        for dest in (self.archive, self.workstation):
            self.assert_exactly_once(dest, sops)

        # Each node sent what its own spool holds: alpha 5 + 3 + 4, bravo 5 + 3 (x2 destinations).
        expected = (2 * 12, 2 * 8)
        try:
            wait_until(lambda: (alpha.forwarded(), bravo.forwarded()) == expected, 10,
                       "each node to have sent exactly its own instances")
        except AssertionError:
            self.assertEqual((alpha.forwarded(), bravo.forwarded()), expected,
                             "instances sent by (alpha, bravo)")
        wait_until(lambda: not alpha.spool_files() and not bravo.spool_files(), 20,
                   "both spools empty once everything is forwarded")

        # One decision and one task per study, matched to its order; either node shows the same.
        tasks_a, tasks_b = alpha.tasks(), bravo.tasks()
        self.assertEqual(sorted(t["id"] for t in tasks_a), sorted(t["id"] for t in tasks_b))
        self.assertEqual(len(tasks_a), 4)
        for uid in (s1, s2, s3, s4):
            self.assertEqual(self.task_of(tasks_a, uid)["order"]["accession_number"], self.patients[uid])
        self.assertEqual(self.task_of(tasks_a, s4)["priority"], "ROUTINE")
        decisions = self.decisions()
        for uid in (s1, s2, s3):
            self.assertEqual(decisions.get(uid), 1, "one routing decision per study")

        # The routine study breaches its SLA (12 s after completion): once, re-dispatched once.
        first_reader = self.task_of(tasks_a, s4)["assigned_reader"]
        wait_until(lambda: self.decisions().get(s4) == 2, 40, "the breached study re-dispatched")
        time.sleep(2.0)  # the other node's timer would have fired by now too
        breaches = [b for b in alpha.api("GET", "/api/v1/sla/breaches")["breaches"]
                    if b["task_id"] == self.task_of(tasks_a, s4)["id"]]
        self.assertEqual(len(breaches), 1, breaches)
        self.assertEqual(self.decisions().get(s4), 2)
        redispatched = self.task_of(bravo.tasks(), s4)
        self.assertNotEqual(redispatched["assigned_reader"], first_reader)
        self.assertEqual(self.task_of(alpha.tasks(), s4)["assigned_reader"], redispatched["assigned_reader"])

        # bravo dies (-9) in the middle of receiving a study.
        s5, p5 = self.study(5, 60, "ACC5", rows=128)
        alpha.send_hl7("orm5.hl7", orm("C5", "ACC5", "MRN5", "S"))
        sender = subprocess.Popen(
            ["storescu", "-v", "-to", "20", "-aet", "MODALITY", "-aec", "SUNDIAL", "127.0.0.1",
             str(bravo.dicom_port), *p5], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=DCMTK_ENV)
        output = ""
        while output.count("Received Store Response (Success") < 15:
            line = sender.stdout.readline()
            self.assertTrue(line, "storescu ended before bravo was killed:\n" + output)
            output += line
        bravo.process.kill9()
        output += sender.communicate(timeout=60)[0]
        acked = acknowledged_files(output)
        self.assertLess(len(acked), len(p5), "the kill should land mid-study")

        # Meanwhile alpha carries on: bravo's study is completed, matched and dispatched here,
        # and new orders and studies go through alpha alone.
        s6, p6 = self.study(6, 4, "ACC6")
        alpha.send_hl7("orm6.hl7", orm("C6", "ACC6", "MRN6", "S"))
        alpha.send(p6)
        sops6 = {pydicom.dcmread(p).SOPInstanceUID for p in p6}
        wait_until(lambda: sops6 <= set(self.workstation.sop_uids()), 30, "alpha's new study at the reader")
        wait_until(lambda: self.task_of(alpha.tasks(), s5), 40, "bravo's interrupted study dispatched by alpha")
        self.assertEqual(self.task_of(alpha.tasks(), s5)["order"]["accession_number"], "ACC5")
        sops5 = {pydicom.dcmread(p).SOPInstanceUID for p in p5}
        self.assertFalse(sops5 & set(self.archive.sop_uids()),
                         "bravo's images can only be sent by bravo, which is down")

        # bravo returns; the modality sends the whole study again.
        bravo.start()
        bravo.send(p5)
        for dest in (self.archive, self.workstation):
            wait_until(lambda: set(dest.sop_uids()) >= sops | sops5 | sops6, 60,
                       f"bravo's study at {dest.ae_title} after its restart")
        time.sleep(1.5)
        for dest in (self.archive, self.workstation):
            self.assert_exactly_once(dest, sops | sops5 | sops6)
        decisions = self.decisions()
        self.assertEqual((decisions.get(s5), decisions.get(s6)), (1, 1))
        tasks_a, tasks_b = alpha.tasks(), bravo.tasks()
        self.assertEqual(sorted(t["id"] for t in tasks_a), sorted(t["id"] for t in tasks_b))
        self.assertEqual(len(tasks_a), 6)
        wait_until(lambda: not alpha.spool_files() and not bravo.spool_files(), 20, "both spools empty at the end")


if __name__ == "__main__":
    unittest.main()
