"""Report delivery end to end: `sundial serve` (with its embedded redis-server) queues reports
given to POST /api/v1/reports and delivers them as ORU^R01 over MLLP to a listener written in
the test (mllp_listener.py), in the site's HL7 version and character set, retrying a silent or
absent site, dead-lettering after the tries with the site's text, and retrying a dead letter
on request. Loopback only, ports from port 0, every process stopped by its PID."""

import json
import os
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

from harness import (API_TOKEN, API_TOKEN_SHA256, SUNDIAL, EndToEndTest, Process, free_port,  # noqa: E402
                     wait_until)
from mllp_listener import MllpListener, control_id, fields  # noqa: E402

TEXT = "FINDINGS: L\u00e9sion de 5 mm | stable ^ & ~ \\\nIMPRESSION: B\u00e9nin."


class Node(Process):
    """sundial serve with two reporting sites (NORTH: v2.3 in ISO 8859-1, SOUTH: v2.5.1 in
    UTF-8) and one site without a report endpoint (WEST)."""

    def __init__(self, workdir, north_port, south_port, max_attempts=20, ack_timeout_ms=800):
        self.workdir = workdir
        self.http_port = free_port()
        self.config_path = os.path.join(workdir, "sundial.yaml")
        with open(self.config_path, "w") as f:
            f.write(f"""node:
  name: reports-test
  dicom_port: {free_port()}
  http_port: {self.http_port}
  data_dir: {os.path.join(workdir, 'data')}
spool:
  min_free_bytes: 0
reports:
  max_attempts: {max_attempts}
  initial_backoff_ms: 200
  max_backoff_ms: 800
  ack_timeout_ms: {ack_timeout_ms}
  connect_timeout_ms: 500
  sending_application: SUNDIAL
  sending_facility: TELERAD
sites:
  - name: NORTH
    time_zone: UTC
    state: TX
    callers: [{{ae_title: CT_NORTH, addresses: [127.0.0.1]}}]
    hl7:
      version: "2.3"
      charset: 8859/1
      senders: [{{application: RIS, facility: NORTHHOSP}}]
    reports: {{host: 127.0.0.1, port: {north_port}}}
  - name: SOUTH
    time_zone: UTC
    state: TX
    callers: [{{ae_title: CT_SOUTH, addresses: [127.0.0.1]}}]
    hl7: {{version: "2.5.1", charset: UNICODE UTF-8}}
    reports: {{host: 127.0.0.1, port: {south_port}}}
  - name: WEST
    time_zone: UTC
    state: TX
    callers: [{{ae_title: CT_WEST, addresses: [127.0.0.1]}}]
security:
  api_tokens: [{{name: reports-test, token_sha256: {API_TOKEN_SHA256}, roles: [admin]}}]
""")
        self.start()

    def start(self):
        super().__init__([SUNDIAL, "serve", "--config", self.config_path],
                         os.path.join(self.workdir, "sundial.log"), cwd=self.workdir)
        try:
            wait_until(lambda: self._healthy() or not self.alive(), 60, "sundial to answer /healthz")
        except AssertionError:
            self.stop()
            raise
        if not self.alive():
            raise AssertionError("sundial exited at start:\n" + self.text())

    def _healthy(self):
        try:
            return self.request("GET", "/healthz")[0] == 200
        except OSError:
            return False

    def request(self, method, path, body=None):
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        req = urllib.request.Request(f"http://127.0.0.1:{self.http_port}{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {API_TOKEN}"})
        try:
            with urllib.request.urlopen(req, timeout=10) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def queue(self, site, text=TEXT, **extra):
        report = {"site": site, "accession_number": "ACC9", "patient_id": "MRN1",
                  "patient_name": "DOE^JANE", "procedure_code": "CTHEAD", "status": "final",
                  "text": text, "reader_id": "RAD1", "task_id": "task-1", **extra}
        status, body = self.request("POST", "/api/v1/reports", report)
        assert status == 202, (status, body)
        return body["delivery_id"]

    def outbox(self, site):
        status, body = self.request("GET", "/api/v1/reports/outbox")
        assert status == 200, (status, body)
        return next(s for s in body["sites"] if s["site"] == site)

    def metric(self, name, site):
        status, _ = 0, None
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/metrics", timeout=10) as r:
            for line in r.read().decode().splitlines():
                if line.startswith(f'{name}{{site="{site}"}} '):
                    return float(line.split()[-1])
        return 0.0


class ReportDeliveryTest(EndToEndTest):
    def listener(self, port=0, mode=("AA", "")):
        listener = MllpListener(port, mode)
        self.addCleanup(listener.stop)
        return listener

    def node(self, north_port, south_port, **kwargs):
        return self.track(Node(self.workdir, north_port, south_port, **kwargs))

    def wait_delivered(self, node, site, count=1, timeout=30):
        wait_until(lambda: node.metric("sundial_reports_delivered_total", site) >= count, timeout,
                   f"{count} report(s) delivered to {site}")

    def test_oru_arrives_in_the_sites_version_and_charset(self):
        north, south = self.listener(), self.listener()
        node = self.node(north.port, south.port)
        north_id = node.queue("NORTH")
        south_id = node.queue("SOUTH")
        self.wait_delivered(node, "NORTH")
        self.wait_delivered(node, "SOUTH")

        [latin1] = north.messages()
        msh = fields(latin1, "MSH")
        self.assertEqual(msh[9], b"ORU^R01")  # v2.3: no message structure component
        self.assertEqual(msh[12], b"2.3")
        self.assertEqual(msh[18], b"8859/1")
        self.assertEqual(msh[3:7], [b"SUNDIAL", b"TELERAD", b"RIS", b"NORTHHOSP"])
        self.assertEqual(control_id(latin1), north_id)
        self.assertIn(b"L\xe9sion de 5 mm \\F\\ stable \\S\\ \\T\\ \\R\\ \\E\\", latin1)
        self.assertIn(b"B\xe9nin.", latin1)
        self.assertEqual(fields(latin1, "OBR")[25], b"F")
        self.assertEqual(fields(latin1, "OBR")[18], b"ACC9")
        self.assertEqual(len([s for s in latin1.split(b"\r") if s.startswith(b"OBX|")]), 2)

        [utf8] = south.messages()
        msh = fields(utf8, "MSH")
        self.assertEqual(msh[9], b"ORU^R01^ORU_R01")
        self.assertEqual(msh[12], b"2.5.1")
        self.assertEqual(msh[18], b"UNICODE UTF-8")
        self.assertEqual(control_id(utf8), south_id)
        self.assertIn("L\u00e9sion de 5 mm".encode("utf-8"), utf8)

        for site in ("NORTH", "SOUTH"):
            queue = node.outbox(site)["queue"]
            self.assertEqual(queue, {"ready": 0, "in_flight": 0, "waiting": 0, "dead": 0})
        self.assertEqual(north.connections, 1)
        # A second report reuses the open connection.
        node.queue("NORTH", text="Addendum.", status="corrected")
        self.wait_delivered(node, "NORTH", 2)
        self.assertEqual(north.connections, 1)
        self.assertEqual(fields(north.messages()[1], "OBR")[25], b"C")

    def test_a_silent_site_gets_the_same_message_again_until_it_answers(self):
        north = self.listener()
        north.script = [("silent",), ("close",)]
        node = self.node(north.port, free_port())
        delivery = node.queue("NORTH")
        self.wait_delivered(node, "NORTH")
        messages = north.messages()
        self.assertEqual(len(messages), 3)
        self.assertEqual({control_id(m) for m in messages}, {delivery})  # the site can dedupe
        self.assertEqual(len(set(messages)), 1)
        self.assertEqual(node.metric("sundial_reports_failed_total", "NORTH"), 2)
        self.assertEqual(node.metric("sundial_reports_sent_total", "NORTH"), 3)

    def test_a_site_that_is_down_gets_the_report_once_it_is_up(self):
        port = free_port()
        node = self.node(port, free_port())
        node.queue("NORTH")
        wait_until(lambda: node.metric("sundial_reports_failed_total", "NORTH") >= 2, 30,
                   "two failed tries while the site is down")
        self.assertEqual(node.outbox("NORTH")["queue"]["dead"], 0)
        north = self.listener(port)
        self.wait_delivered(node, "NORTH")
        self.assertEqual(len(north.messages()), 1)

    def test_ae_is_retried_then_dead_lettered_with_the_sites_text_and_can_be_retried(self):
        north = self.listener(mode=("AE", "Unknown order ACC9"))
        node = self.node(north.port, free_port(), max_attempts=3)
        delivery = node.queue("NORTH")
        wait_until(lambda: node.outbox("NORTH")["queue"]["dead"] == 1, 30, "the report dead-lettered")
        self.assertEqual(len(north.messages()), 3)
        [letter] = node.outbox("NORTH")["dead_letters"]
        self.assertEqual(letter["delivery_id"], delivery)
        self.assertEqual(letter["task_id"], "task-1")
        self.assertEqual(letter["attempts"], 3)
        self.assertIn("AE", letter["reason"])
        self.assertIn("Unknown order ACC9", letter["reason"])
        self.assertEqual(node.metric("sundial_reports_dead_letters_total", "NORTH"), 1)

        north.mode = ("AA", "")
        status, body = node.request("POST", f"/api/v1/reports/dead/{delivery}/retry")
        self.assertEqual(status, 200, body)
        self.assertEqual(body, {"delivery_id": delivery, "site": "NORTH", "state": "ready"})
        self.wait_delivered(node, "NORTH")
        self.assertEqual(node.outbox("NORTH")["queue"]["dead"], 0)
        self.assertEqual(control_id(north.messages()[-1]), delivery)
        status, body = node.request("POST", f"/api/v1/reports/dead/{delivery}/retry")
        self.assertEqual(status, 404, body)
        # The trail says who queued it, that it was given up with the site's text, who retried it.
        # The API's actor is the caller: this test's API token (named in its configuration).
        expected = [("report.queued", "reports-test"), ("report.dead_lettered", "engine"),
                    ("report.retried", "reports-test"), ("report.delivered", "engine")]

        def trail_records():
            status, trail = node.request("GET", "/api/v1/audit?action=report.")
            self.assertEqual(status, 200, trail)
            return trail["records"]

        def actions():  # the trail is written in batches: wait for the last one
            return [(r["action"], r["actor"]) for r in trail_records()
                    if r["details"].get("delivery_id") == delivery]
        wait_until(lambda: len(actions()) >= len(expected), 10, "the report's audit records")
        self.assertEqual(actions(), expected)
        trail = {"records": trail_records()}
        dead = next(r for r in trail["records"] if r["action"] == "report.dead_lettered")
        self.assertIn("Unknown order ACC9", dead["details"]["reason"])
        self.assertEqual(dead["accession_number"], "ACC9")
        self.assertEqual(dead["patient_id"], "MRN1")
        self.assertIn("not dead-lettered", body["error"])
        self.assertEqual(node.request("POST", "/api/v1/reports/dead/NOPE/retry")[0], 404)
        self.assertEqual(node.request("POST", f"/api/v1/reports/dead/{delivery}/again")[0], 404)

    def test_ar_is_dead_lettered_at_once(self):
        north = self.listener(mode=("AR", "Unsupported processing id"))
        node = self.node(north.port, free_port())
        node.queue("NORTH")
        wait_until(lambda: node.outbox("NORTH")["queue"]["dead"] == 1, 30, "the report dead-lettered")
        self.assertEqual(len(north.messages()), 1)
        self.assertIn("Unsupported processing id", node.outbox("NORTH")["dead_letters"][0]["reason"])

    def test_a_queued_report_survives_a_restart_of_the_node(self):
        port = free_port()
        node = self.node(port, free_port())
        delivery = node.queue("NORTH")
        wait_until(lambda: node.metric("sundial_reports_failed_total", "NORTH") >= 1, 30, "a failed try")
        node.stop()
        north = self.listener(port)
        node.start()
        self.wait_delivered(node, "NORTH")
        self.assertEqual([control_id(m) for m in north.messages()], [delivery])

    def test_a_stop_in_the_middle_of_a_batch_loses_nothing_and_sends_nothing_twice(self):
        north = self.listener()
        north.delay = 0.2  # a slow site: the stop comes while most reports are still queued
        node = self.node(north.port, free_port())
        ids = [node.queue("NORTH", text=f"Report {i}.") for i in range(30)]
        wait_until(lambda: len(north.messages()) >= 3, 30, "the first reports to arrive")
        self.assertEqual(node.stop(), 0)  # SIGTERM while reports are going out
        self.assertLess(len(north.messages()), len(ids))
        north.delay = 0.0
        node.start()
        wait_until(lambda: len(north.messages()) >= len(ids), 60, "every report to arrive")
        received = [control_id(m) for m in north.messages()]
        self.assertEqual(sorted(received), sorted(ids))  # each exactly once
        wait_until(lambda: node.outbox("NORTH")["queue"] == {"ready": 0, "in_flight": 0, "waiting": 0,
                                                             "dead": 0}, 10, "an empty outbox")

    def test_bad_requests_are_refused_with_the_reason(self):
        node = self.node(free_port(), free_port())
        cases = [
            (b"not json", 400, "JSON object"),
            ({"site": "NORTH"}, 400, "text is required"),
            ({"text": "x"}, 400, "site is required"),
            ({"site": "NORTH", "text": "x", "accession_number": "A", "colour": "red"}, 400, "unknown key 'colour'"),
            ({"site": "NORTH", "text": "x", "accession_number": "A", "status": "done"}, 400, "status must be"),
            ({"site": "NORTH", "text": "x", "accession_number": 7}, 400, "accession_number must be a string"),
            ({"site": "NORTH", "text": "x"}, 400, "accession"),
            ({"site": "EAST", "text": "x", "accession_number": "A"}, 400, "unknown site 'EAST'"),
            ({"site": "WEST", "text": "x", "accession_number": "A"}, 409, "no report endpoint"),
        ]
        for body, status, text in cases:
            got_status, got = node.request("POST", "/api/v1/reports", body)
            self.assertEqual(got_status, status, (body, got))
            self.assertIn(text, got["error"], body)
        self.assertEqual(node.outbox("NORTH")["queue"]["ready"] + node.outbox("NORTH")["queue"]["waiting"], 0)
        self.assertEqual([s["site"] for s in node.request("GET", "/api/v1/reports/outbox")[1]["sites"]],
                         ["NORTH", "SOUTH"])


if __name__ == "__main__":
    import unittest
    unittest.main()
