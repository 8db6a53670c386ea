"""The whole flow of DESIGN.md end to end, with real peers on every edge.

A site's RIS sends orders over MLLP (`sundial hl7 send`), its modality sends studies with
storescu, three readers are online (one licensed elsewhere: never to be chosen), Lua rules
send STAT heads to the neuroradiologist and everything else to a push pool. Then: read tasks
carry the order's accession, priority and reason; images reach the archive and the chosen
reader's workstation (storescp); a study without an order goes on the exception list and is
still dispatched; a cancelled order cancels its task; the reader's reporting system sends the
report (ORU) which closes the task and is delivered to the site's HL7 listener, which ACKs it;
`sundial rules replay` re-runs the recorded decisions with no difference.
"""

import json
import os
import socket
import subprocess
import threading
import time
import unittest
import urllib.request

import harness
from harness import (SUNDIAL, EndToEndTest, Process, StoreScp, echo, free_port, make_ct_study,
                     storescu, wait_until)

# With the security part, every /api/v1 call needs credentials: an admin API token.
API_TOKEN = getattr(harness, "API_TOKEN", None)
SECURITY_YAML = (f"security:\n  api_tokens: [{{name: e2e, token_sha256: {harness.API_TOKEN_SHA256}, "
                 f"roles: [admin]}}]\n" if API_TOKEN else "")

VT, FS, CR = b"\x0b", b"\x1c", b"\x0d"


def hl7(segments):
    """A message from lists of fields; segments joined with CR."""
    return "\r".join("|".join(fields) for fields in segments) + "\r"


def orm(control, accession, patient_id, priority, procedure, body, reason, order_control="NW"):
    obr = [""] * 32
    obr[0] = "OBR"
    obr[1] = "1"
    obr[2] = "PL" + accession
    obr[3] = "FI" + accession
    obr[4] = procedure
    obr[7] = "20261201145500"
    obr[16] = "1234^SMITH^ANN"
    obr[18] = accession
    obr[24] = "CT"
    obr[27] = "^^^^^" + priority
    obr[31] = "^" + reason
    return hl7([
        ["MSH", "^~\\&", "RIS", "ER1", "SUNDIAL", "TELERAD", "20261201145500", "", "ORM^O01",
         control, "P", "2.5.1"],
        ["PID", "1", "", patient_id + "^^^ER1", "", "DOE^JOHN", "", "19550101", "M"],
        ["PV1", "1", "E"],
        ["ORC", order_control, "PL" + accession, "FI" + accession, "", "SC", "", "^^^^^" + priority,
         "", "20261201145500", "", "", "1234^SMITH^ANN"],
        obr,
    ])


def oru(control, accession, patient_id, status, text, reader):
    obr = [""] * 33
    obr[0] = "OBR"
    obr[1] = "1"
    obr[2] = "PL" + accession
    obr[3] = "FI" + accession
    obr[4] = "CTHEAD^CT HEAD WO CONTRAST"
    obr[7] = "20261201160000"
    obr[18] = accession
    obr[25] = status
    obr[32] = reader
    return hl7([
        ["MSH", "^~\\&", "RPT", "ER1", "SUNDIAL", "TELERAD", "20261201160000", "", "ORU^R01",
         control, "P", "2.5.1"],
        ["PID", "1", "", patient_id + "^^^ER1", "", "DOE^JOHN", "", "19550101", "M"],
        ["ORC", "RE", "PL" + accession, "FI" + accession],
        obr,
        ["OBX", "1", "TX", "IMP^Impression", "", text, "", "", "", "", "", status],
    ])


class SiteHl7Listener:
    """The site's HL7 interface: records each message and answers AA."""

    def __init__(self):
        self.received = []
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.port = self.server.getsockname()[1]
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        buffer = b""
        with conn:
            while True:
                try:
                    data = conn.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                buffer += data
                while FS + CR in buffer:
                    frame, buffer = buffer.split(FS + CR, 1)
                    message = frame[frame.find(VT) + 1:]
                    self.received.append(message)
                    msh = message.split(CR)[0].split(b"|")
                    control = msh[9].decode() if len(msh) > 9 else ""
                    ack = (f"MSH|^~\\&|EHR|ER1|SUNDIAL|TELERAD|20261201160100||ACK^R01|A{control}|P|2.5.1\r"
                           f"MSA|AA|{control}\r").encode()
                    conn.sendall(VT + ack + FS + CR)

    def close(self):
        self.stopped = True
        self.server.close()


RULE = """
function route(f)
  if f.order.present and f.order.priority == "STAT" and f.study.body_part == "HEAD" then
    local reader = sundial.least_loaded(sundial.eligible({ subspecialty = "neuro" }))
    if reader then
      return { reader = reader, destinations = { "ARCHIVE" }, tags = { "stroke" },
               reason = "stroke protocol: neuroradiologist" }
    end
  end
  return { pool = "remote", destinations = { "ARCHIVE" }, reason = "general pool" }
end
"""


class ReadingNightTest(EndToEndTest):
    def setUp(self):
        super().setUp()
        self.archive = self.track(StoreScp(self.workdir, "ARCHIVE"))
        self.ws_neuro = self.track(StoreScp(self.workdir, "WSNEURO"))
        self.ws_general = self.track(StoreScp(self.workdir, "WSGEN"))
        self.site = SiteHl7Listener()
        self.addCleanup(self.site.close)
        rules = os.path.join(self.workdir, "rules")
        os.makedirs(rules)
        with open(os.path.join(rules, "10_route.lua"), "w") as f:
            f.write(RULE)
        self.dicom_port, self.http_port, self.hl7_port = free_port(), free_port(), free_port()
        self.config = os.path.join(self.workdir, "night.yaml")
        always = '[{days: daily, from: "00:00", to: "24:00"}]'
        with open(self.config, "w") as f:
            f.write(f"""node:
  ae_title: SUNDIAL
  dicom_port: {self.dicom_port}
  http_port: {self.http_port}
  data_dir: {os.path.join(self.workdir, 'data')}
spool: {{min_free_bytes: 0}}
tracker: {{quiet_period_ms: 1000}}
forwarding: {{initial_backoff_ms: 200, max_backoff_ms: 1000, idle_association_timeout_ms: 2000}}
hl7: {{bind: 127.0.0.1, port: {self.hl7_port}}}
matching: {{unmatched_after_ms: 2000}}
reports: {{initial_backoff_ms: 200, max_backoff_ms: 1000, ack_timeout_ms: 3000}}
destinations:
  - {{name: ARCHIVE, ae_title: ARCHIVE, host: 127.0.0.1, port: {self.archive.port}}}
  - {{name: WSNEURO, ae_title: WSNEURO, host: 127.0.0.1, port: {self.ws_neuro.port}}}
  - {{name: WSGEN, ae_title: WSGEN, host: 127.0.0.1, port: {self.ws_general.port}}}
sites:
  - name: ER1
    time_zone: America/Chicago
    state: TX
    callers: [{{ae_title: MODALITY, addresses: [127.0.0.1]}}]
    destinations: [ARCHIVE]
    hl7: {{senders: [{{facility: ER1}}]}}
    reports: {{host: 127.0.0.1, port: {self.site.port}}}
readers:
  - {{id: neuro, name: Dr Neuro, licences: [TX], credentials: [ER1], subspecialties: [neuro],
     modalities: [CT, MR], time_zone: America/Chicago, shifts: {always}, destination: WSNEURO,
     pools: [remote]}}
  - {{id: general, name: Dr General, licences: [TX], credentials: [ER1], modalities: [CT, CR],
     time_zone: America/Chicago, shifts: {always}, destination: WSGEN, pools: [remote]}}
  - {{id: elsewhere, name: Dr Elsewhere, licences: [NY], credentials: [ER1], modalities: [CT],
     time_zone: America/New_York, shifts: {always}, destination: WSGEN, pools: [remote]}}
rules:
  folder: {rules}
  pools: [{{name: remote, mode: push}}, {{name: overflow, mode: pull}}]
  fallback_pool: overflow
{SECURITY_YAML}""")
        self.sundial = self.track(Process([SUNDIAL, "serve", "--config", self.config],
                                          os.path.join(self.workdir, "sundial.log"),
                                          cwd=self.workdir))
        wait_until(lambda: echo(self.dicom_port, "SUNDIAL", "MODALITY") or not self.sundial.alive(),
                   60, "sundial to answer C-ECHO")
        self.assertTrue(self.sundial.alive(), self.sundial.text())

    # -- the outside world --------------------------------------------------------------

    def api(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{self.http_port}{path}", data=data,
                                         method=method)
        if API_TOKEN:
            request.add_header("Authorization", f"Bearer {API_TOKEN}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read().decode() or "null")

    def send_hl7(self, name, text):
        path = os.path.join(self.workdir, name)
        with open(path, "w", newline="") as f:
            f.write(text)
        out = subprocess.run([SUNDIAL, "hl7", "send", "--host", "127.0.0.1", "--port",
                              str(self.hl7_port), path], capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    def send_study(self, seed, accession, body_part, patient_id, instances=3):
        import pydicom
        study_uid, paths = make_ct_study(os.path.join(self.workdir, f"study{seed}"), instances,
                                         seed=seed)
        for path in paths:
            ds = pydicom.dcmread(path)
            ds.AccessionNumber = accession
            ds.BodyPartExamined = body_part
            ds.PatientID = patient_id
            ds.PatientBirthDate = "19550101"
            ds.PatientSex = "M"
            ds.save_as(path)
        code, acked, output = storescu(self.dicom_port, "SUNDIAL", paths)
        self.assertEqual(code, 0, output)
        self.assertEqual(len(acked), len(paths), output)
        return study_uid, paths

    def task_for(self, study_uid, states="queued,assigned,claimed,in_progress,preliminary,final,delivered,cancelled,escalated"):
        tasks = self.api("GET", f"/api/v1/tasks?state={states}&limit=1000")["tasks"]
        for task in tasks:
            if study_uid in task["study_uids"]:
                return task
        return None

    def heartbeat(self, *readers):
        for reader in readers:
            self.api("POST", f"/api/v1/readers/{reader}/heartbeat", {})

    # -- the night -------------------------------------------------------------------------

    def test_orders_studies_decisions_images_and_reports(self):
        self.heartbeat("neuro", "general", "elsewhere")

        # 1. A STAT stroke order, then its images: the neuroradiologist gets it.
        self.send_hl7("orm1.hl7", orm("C1", "ACC1", "MRN1", "S", "CTHEAD^CT HEAD WO CONTRAST",
                                      "HEAD", "code stroke"))
        stroke_uid, stroke_files = self.send_study(1, "ACC1", "HEAD", "MRN1")
        wait_until(lambda: self.task_for(stroke_uid), 30, "a read task for the stroke study")
        task = self.task_for(stroke_uid)
        self.assertEqual(task["assigned_reader"], "neuro")
        self.assertEqual(task["priority"], "STAT")
        self.assertEqual(task["order"]["accession_number"], "ACC1")
        self.assertIn("stroke", task["order"]["reason_for_exam"])
        self.assertIn("stroke", task["tags"])
        wait_until(lambda: len(self.ws_neuro.files()) == len(stroke_files), 30,
                   "the stroke images at the neuroradiologist's workstation")
        wait_until(lambda: len(self.archive.files()) == len(stroke_files), 30, "images archived")

        # 2. A study with no order: exception list after matching.unmatched_after, still read.
        chest_uid, _ = self.send_study(2, "ACC2", "CHEST", "MRN2")
        wait_until(lambda: any(e.get("study_uid") == chest_uid
                               for e in self.api("GET", "/api/v1/exceptions").get("exceptions", [])),
                   30, "the unordered study on the exception list")
        wait_until(lambda: self.task_for(chest_uid), 30, "a read task for the unordered study")
        chest = self.task_for(chest_uid)
        self.assertIn(chest["assigned_reader"], ("neuro", "general"))
        self.assertEqual(chest["priority"], "ROUTINE")

        # 3. An order cancelled after its study was dispatched: the task is cancelled.
        self.send_hl7("orm3.hl7", orm("C3", "ACC3", "MRN3", "R", "CTABD^CT ABDOMEN", "ABDOMEN",
                                      "pain"))
        abdomen_uid, _ = self.send_study(3, "ACC3", "ABDOMEN", "MRN3")
        wait_until(lambda: self.task_for(abdomen_uid), 30, "a read task for the abdomen study")
        self.send_hl7("orm3ca.hl7", orm("C3CA", "ACC3", "MRN3", "R", "CTABD^CT ABDOMEN",
                                        "ABDOMEN", "pain", order_control="CA"))
        wait_until(lambda: self.task_for(abdomen_uid)["state"] == "cancelled", 30,
                   "the cancelled order's task cancelled")

        # Never the reader without a Texas licence.
        for uid in (stroke_uid, chest_uid, abdomen_uid):
            self.assertNotEqual(self.task_for(uid)["assigned_reader"], "elsewhere")

        # 4. The neuroradiologist reads; the reporting system sends the final report (ORU).
        self.api("POST", f"/api/v1/tasks/{task['id']}/claim", {"reader": "neuro"})
        self.send_hl7("oru1.hl7", oru("R1", "ACC1", "MRN1", "F", "No acute hemorrhage.",
                                      "neuro^NEURO^DR"))
        wait_until(lambda: self.task_for(stroke_uid)["state"] == "delivered", 30,
                   "the report delivered to the site (ACK AA)")
        delivered = [m for m in self.site.received if b"ACC1" in m]
        self.assertTrue(delivered, "the site got no report")
        self.assertIn(b"ORU^R01", delivered[0])
        self.assertIn(b"No acute hemorrhage.", delivered[0])
        done = self.task_for(stroke_uid)
        self.assertIsNotNone(done["times"]["final_ms"])
        self.assertIsNotNone(done["times"]["delivered_ms"])

        # 5. What-if: the same rules replayed over the recorded decisions differ nowhere.
        out = subprocess.run([SUNDIAL, "rules", "replay", "--config", self.config, "--since", "0"],
                             capture_output=True, text=True, timeout=60, cwd=self.workdir)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("3", out.stdout)


if __name__ == "__main__":
    unittest.main()
