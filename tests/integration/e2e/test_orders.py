"""Issue 3 items 3-4: orders over MLLP (python3-hl7's mllp_send) meet their studies over DICOM
(storescu) in a running `sundial serve`: either may come first; a cancel marks the link
cancelled; an ADT^A40 merge re-links; a study without an order lands on the exception list and
is linked there by hand."""

import json
import os
import socket
import subprocess
import unittest
import urllib.error
import urllib.request

from harness import API_TOKEN, EndToEndTest, StoreScp, Sundial, free_port, make_ct_study, storescu, wait_until

SITE = "DEMO"


def hl7(*segments):
    return "\r".join(segments) + "\r"


def orm(control_id, order_control, patient_id, accession="", placer="PL1", ordered="20260101000000",
        modality="CT", priority="S"):
    return hl7(f"MSH|^~\\&|RIS|NORTH|SUNDIAL|TELERAD|20260101000000||ORM^O01|{control_id}|P|2.3",
               f"PID|1||{patient_id}^^^NORTH||Doe^Jane||19700102|F",
               f"ORC|{order_control}|{placer}|||||^^^^^{priority}||{ordered}",
               f"OBR|1|{placer}||CTHEAD^CT head|||{ordered}|||||||||||{accession}||||||{modality}|||||||"
               "Fall, rule out bleed")


def a40(control_id, surviving, prior):
    return hl7(f"MSH|^~\\&|ADT|NORTH|SUNDIAL|TELERAD|20260101000000||ADT^A40|{control_id}|P|2.5",
               f"PID|1||{surviving}^^^NORTH||Doe^Jane", f"MRG|{prior}^^^NORTH")


def port_open(port):
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


class OrdersEndToEnd(EndToEndTest):
    def setUp(self):
        super().setUp()
        self.archive = self.track(StoreScp(self.workdir, "ARCHIVE"))
        self.hl7_port = free_port()
        # The first lines continue the DEMO site (how its HL7 is recognised); then top level.
        extra = (f"    hl7:\n      senders: [{{application: RIS, facility: NORTH}}, "
                 f"{{application: ADT, facility: NORTH}}]\n"
                 f"hl7:\n  bind: 127.0.0.1\n  port: {self.hl7_port}\n"
                 f"matching:\n  time_window_minutes: 720\n  unmatched_after_ms: 2000\n")
        self.sundial = self.track(Sundial(
            self.workdir, [{"name": "ARCHIVE", "ae": "ARCHIVE", "port": self.archive.port}],
            quiet_period_ms=500, extra_config=extra))
        self.sent = 0

    def need_hl7(self):
        # HL7 ingest is part of serve: a listener that is not there is a failure, not a skip.
        self.assertTrue(port_open(self.hl7_port), "sundial serve has no HL7 listener on hl7.port")

    def send(self, message):
        self.sent += 1
        path = os.path.join(self.workdir, f"msg{self.sent}.hl7")
        with open(path, "w", newline="") as f:
            f.write(message)
        result = subprocess.run(["mllp_send", "--loose", "-p", str(self.hl7_port), "-f", path, "127.0.0.1"],
                                capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("MSA|AA", result.stdout.replace("\r", "\n"), result.stdout)

    def api(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{self.sundial.http_port}{path}",
                                         data=data, method=method,
                                         headers={"Content-Type": "application/json",
                                                  "Authorization": f"Bearer {API_TOKEN}"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, json.loads(response.read().decode())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read().decode() or "{}")

    def orders(self, accession):
        status, body = self.api("GET", f"/api/v1/orders?site={SITE}&accession={accession}")
        self.assertEqual(status, 200, body)
        return body["orders"]

    def order_with_study(self, accession, study_uid):
        def linked():
            found = self.orders(accession)
            return found and study_uid in found[0]["study_uids"] and found[0]
        return wait_until(linked, 30, f"study linked to order {accession}", interval=0.2)

    def send_study(self, seed, patient="SYNTH^PATIENT"):
        study_uid, files = make_ct_study(os.path.join(self.workdir, f"ct{seed}"), 3, seed=seed,
                                         patient=patient)
        code, acknowledged, output = storescu(self.sundial.dicom_port, "SUNDIAL", files)
        self.assertEqual(code, 0, output)
        self.assertEqual(len(acknowledged), len(files), output)
        return study_uid

    def exceptions(self):
        status, body = self.api("GET", "/api/v1/exceptions")
        self.assertEqual(status, 200, body)
        return body["exceptions"]

    # make_ct_study(seed=N) gives patient ID SYN0000N, accession ACC0000N, study date 20260101.

    def test_order_first_then_study_links_by_accession(self):
        self.need_hl7()
        self.send(orm("O1", "NW", "SYN00011", accession="ACC00011"))
        study_uid = self.send_study(11)
        order = self.order_with_study("ACC00011", study_uid)
        self.assertEqual(order["priority"], "STAT")
        self.assertEqual(order["reason_for_exam"], "Fall, rule out bleed")

    def test_study_first_then_order_links_and_cancel_marks_it(self):
        self.need_hl7()
        study_uid = self.send_study(12)
        wait_until(lambda: any(s["study_uid"] == study_uid and s["state"] == "complete"
                               for s in self.sundial.studies()["studies"]), 30, "study complete")
        self.send(orm("O2", "NW", "SYN00012", accession="ACC00012"))
        self.order_with_study("ACC00012", study_uid)
        self.send(orm("O3", "CA", "SYN00012", accession="ACC00012"))
        wait_until(lambda: self.orders("ACC00012")[0]["status"] == "cancelled", 30, "cancelled")

    def test_merge_relinks_a_study_to_the_surviving_patients_order(self):
        self.need_hl7()
        # An order without accession for NEWPID; the study came as SYN00013.
        self.send(orm("O4", "NW", "NEWPID", placer="MERGE-PL"))
        study_uid = self.send_study(13)
        # Unmatched under its prior ID (on the exception list), then the merge.
        wait_until(lambda: any(e["study_uid"] == study_uid for e in self.exceptions()), 30,
                   "study on the exception list", interval=0.2)
        self.send(a40("A1", "NEWPID", "SYN00013"))

        def relinked():
            status, body = self.api("GET", "/api/v1/orders")
            return any(o["order"] == f"{SITE}|placer:MERGE-PL" and study_uid in o["study_uids"]
                       for o in body["orders"])
        wait_until(relinked, 30, "study re-linked after the merge", interval=0.2)
        self.assertFalse([e for e in self.exceptions() if e["study_uid"] == study_uid])

    def test_unmatched_study_is_listed_then_linked_by_hand(self):
        study_uid = self.send_study(14)
        listed = wait_until(lambda: [e for e in self.exceptions() if e["study_uid"] == study_uid],
                            30, "study on the exception list", interval=0.2)
        self.assertEqual(listed[0]["site"], SITE)
        self.assertEqual(listed[0]["modality"], "CT")
        self.assertEqual(listed[0]["accession_number"], "ACC00014")
        self.assertEqual(listed[0]["instances"], 3)
        self.assertIsNotNone(listed[0]["unmatched_since_ms"])

        status, body = self.api("POST", f"/api/v1/exceptions/{study_uid}/link",
                                {"accession_number": "NOBODY-ORDERED-THIS"})
        self.assertEqual(status, 404, body)
        self.assertIn("accession", body["error"])
        status, body = self.api("POST", f"/api/v1/exceptions/{study_uid}/link", {"nonsense": 1})
        self.assertEqual(status, 400, body)

        self.need_hl7()
        self.send(orm("O5", "NW", "SOMEONE", accession="MANUAL-1", placer="PL-M"))
        # The ACK says the order is stored; the inbox applies it a moment later.
        wait_until(lambda: self.orders("MANUAL-1"), 30, "order MANUAL-1 applied", interval=0.2)
        status, body = self.api("POST", f"/api/v1/exceptions/{study_uid}/link",
                                {"accession_number": "MANUAL-1"})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["reason"], "manual")
        self.assertFalse([e for e in self.exceptions() if e["study_uid"] == study_uid])
        self.assertIn(study_uid, self.orders("MANUAL-1")[0]["study_uids"])


if __name__ == "__main__":
    unittest.main()
