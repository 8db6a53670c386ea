"""Issue 6: the night's flow with TLS on every link, real peers on each, and log-in.

Certificates come from scripts/make-demo-certs.sh (a throw-away CA in the test's folder).
The site's RIS sends orders with `sundial hl7 send --tls` (client certificate: mutual TLS),
its modality sends over `storescu +tls` to the DICOM TLS listener (its certificate's CN is the
site's certificate name), images go over TLS to storescp +tls peers (archive, the reader's
workstation) that require Sundial's client certificate, the API is used over HTTPS with a
logged-in session, the reporting system's ORU comes over TLS and the report is delivered to
the site's MLLP/TLS listener, which checks nothing less than TLS 1.2, and the audit trail is
exported over syslog/TLS to rsyslog (gtls, client certificate required). Then every TLS port
is tried in plain text and must refuse: no C-ECHO answer, no ACK, no HTTP answer.
"""

import http.client
import json
import os
import socket
import ssl
import subprocess
import sys
import urllib.error
import urllib.request

from harness import (DCMTK_ENV, SUNDIAL, EndToEndTest, Process, echo, free_port, make_ct_study,
                     acknowledged_files, wait_until)
from test_reading_night import RULE, SiteHl7Listener, orm, oru

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "audit"))
from test_audit_export import Rsyslog, audit_message, event_of  # noqa: E402

MAKE_CERTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../scripts/make-demo-certs.sh")
ADMIN_PASSWORD = "tls-night-admin-password"
READER_PASSWORD = "tls-night-reader-password"


class TlsSiteHl7Listener(SiteHl7Listener):
    """The site's HL7 interface over TLS (certificate site-ris): records each message, answers AA."""

    def __init__(self, certs):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.minimum_version = ssl.TLSVersion.TLSv1_2
        self.context.load_cert_chain(os.path.join(certs, "site-ris.pem"), os.path.join(certs, "site-ris.key"))
        self.handshakes = 0
        super().__init__()

    def _serve(self, conn):
        try:
            conn.settimeout(10)
            tls = self.context.wrap_socket(conn, server_side=True)
            tls.settimeout(None)
        except (OSError, ValueError):
            conn.close()
            return
        self.handshakes += 1
        super()._serve(tls)


class TlsStoreScp(Process):
    """storescp +tls as a destination: requires a client certificate signed by the test CA."""

    def __init__(self, workdir, certs, ae_title, name):
        self.ae_title = ae_title
        self.port = free_port()
        self.folder = os.path.join(workdir, f"dest-{ae_title}")
        os.makedirs(self.folder)
        self.tls = tls_args(certs, name)
        super().__init__(["storescp", "-aet", ae_title, "+xa", "+uf", "-od", self.folder, *self.tls,
                          str(self.port)], os.path.join(workdir, f"storescp-{ae_title}.log"), env=DCMTK_ENV)
        try:
            wait_until(lambda: echo_tls(self.port, ae_title, tls_args(certs, "modality")), 15,
                       f"storescp +tls {ae_title} to answer C-ECHO")
        except AssertionError:
            self.stop()
            raise

    def files(self):
        return [f for f in os.listdir(self.folder) if not f.startswith(".")]


def tls_args(certs, name):
    return ["+tls", os.path.join(certs, f"{name}.key"), os.path.join(certs, f"{name}.pem"), "-pw",
            "+cf", os.path.join(certs, "ca.pem"), "-rc"]


def echo_tls(port, called_ae, tls, calling_ae="MODALITY"):
    result = subprocess.run(["echoscu", "-to", "5", "-aet", calling_ae, "-aec", called_ae, *tls, "127.0.0.1",
                             str(port)], env=DCMTK_ENV, capture_output=True, text=True, timeout=15)
    return result.returncode == 0


def hash_password(password):
    out = subprocess.run([SUNDIAL, "users", "hash-password"], input=password + "\n", capture_output=True,
                         text=True, timeout=30, check=True)
    return out.stdout.strip()


class TlsNightTest(EndToEndTest):
    def setUp(self):
        super().setUp()
        self.certs = os.path.join(self.workdir, "tls")
        subprocess.run(["bash", MAKE_CERTS, self.certs, "sundial", "modality", "ris", "site-ris", "archive",
                        "workstation", "audit-repository"], check=True, capture_output=True, timeout=120)
        self.ca = os.path.join(self.certs, "ca.pem")
        self.audit_port = free_port()
        self.repository = self.track(Rsyslog(self.workdir, {
            "ca.pem": self.ca, "server.pem": os.path.join(self.certs, "audit-repository.pem"),
            "server.key": os.path.join(self.certs, "audit-repository.key")}, self.audit_port))
        self.archive = self.track(TlsStoreScp(self.workdir, self.certs, "ARCHIVE", "archive"))
        self.ws_neuro = self.track(TlsStoreScp(self.workdir, self.certs, "WSNEURO", "workstation"))
        self.site = TlsSiteHl7Listener(self.certs)
        self.addCleanup(self.site.close)
        rules = os.path.join(self.workdir, "rules")
        os.makedirs(rules)
        with open(os.path.join(rules, "10_route.lua"), "w") as f:
            f.write(RULE)
        self.dicom_port, self.dicom_tls_port = free_port(), free_port()
        self.https_port, self.hl7_port = free_port(), free_port()
        self.config = os.path.join(self.workdir, "tls-night.yaml")
        always = '[{days: daily, from: "00:00", to: "24:00"}]'
        c = self.certs
        with open(self.config, "w") as f:
            f.write(f"""node:
  ae_title: SUNDIAL
  dicom_port: {self.dicom_port}
  http_port: {self.https_port}
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
sites:
  - name: ER1
    time_zone: America/Chicago
    state: TX
    callers: [{{ae_title: MODALITY, addresses: [127.0.0.1]}}]
    security: {{certificate_names: [modality]}}
    destinations: [ARCHIVE]
    hl7: {{senders: [{{facility: ER1}}]}}
    reports: {{host: 127.0.0.1, port: {self.site.port}, tls: true, ca: {self.ca}, server_name: site-ris}}
readers:
  - {{id: neuro, name: Dr Neuro, licences: [TX], credentials: [ER1], subspecialties: [neuro],
     modalities: [CT, MR], time_zone: America/Chicago, shifts: {always}, destination: WSNEURO,
     pools: [remote]}}
rules:
  folder: {rules}
  pools: [{{name: remote, mode: push}}, {{name: overflow, mode: pull}}]
  fallback_pool: overflow
audit:
  anchor_interval_ms: 200
  export: {{host: 127.0.0.1, port: {self.audit_port}, ca_file: {self.ca}, client_cert_file: {c}/sundial.pem,
           client_key_file: {c}/sundial.key, initial_backoff_ms: 100, max_backoff_ms: 500}}
security:
  users:
    - {{name: admin, password_hash: "{hash_password(ADMIN_PASSWORD)}", roles: [admin]}}
    - {{name: neuro, password_hash: "{hash_password(READER_PASSWORD)}", roles: [reader], reader: neuro}}
  https: {{certificate: {c}/sundial.pem, private_key: {c}/sundial.key}}
  mllp_tls: {{certificate: {c}/sundial.pem, private_key: {c}/sundial.key, ca_file: {self.ca}}}
  dicom_tls:
    certificate: {c}/sundial.pem
    private_key: {c}/sundial.key
    ca_file: {self.ca}
    port: {self.dicom_tls_port}
    destinations: [ARCHIVE, WSNEURO]
""")
        self.sundial = self.track(Process([SUNDIAL, "serve", "--config", self.config],
                                          os.path.join(self.workdir, "sundial.log"), cwd=self.workdir))
        modality = tls_args(self.certs, "modality")
        wait_until(lambda: echo_tls(self.dicom_tls_port, "SUNDIAL", modality) or not self.sundial.alive(),
                   60, "sundial to answer C-ECHO over TLS")
        self.assertTrue(self.sundial.alive(), self.sundial.text())
        self.https = ssl.create_default_context(cafile=self.ca)  # the test CA only

    # -- the outside world, over TLS ---------------------------------------------------------

    def call(self, method, path, body=None, token=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"https://localhost:{self.https_port}{path}", data=data, method=method)
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10, context=self.https) as response:
                return response.status, json.loads(response.read().decode() or "null")
        except urllib.error.HTTPError as e:
            return e.code, None

    def log_in(self, user, password):
        status, answer = self.call("POST", "/api/v1/login", {"user": user, "password": password})
        self.assertEqual(status, 200, answer)
        return answer["token"]

    def api(self, method, path, body=None):
        status, answer = self.call(method, path, body, self.admin)
        self.assertLess(status, 300, f"{method} {path}: {status}")
        return answer

    def send_hl7(self, name, text):
        path = os.path.join(self.workdir, name)
        with open(path, "w", newline="") as f:
            f.write(text)
        out = subprocess.run([SUNDIAL, "hl7", "send", "--tls", "--ca", self.ca, "--server-name", "sundial",
                              "--cert", os.path.join(self.certs, "ris.pem"), "--key",
                              os.path.join(self.certs, "ris.key"), "--host", "127.0.0.1", "--port",
                              str(self.hl7_port), path], capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("ack=AA", out.stdout)

    def send_study(self, seed, accession, body_part, patient_id, instances=3):
        import pydicom
        study_uid, paths = make_ct_study(os.path.join(self.workdir, f"study{seed}"), instances, seed=seed)
        for path in paths:
            ds = pydicom.dcmread(path)
            ds.AccessionNumber = accession
            ds.BodyPartExamined = body_part
            ds.PatientID = patient_id
            ds.save_as(path)
        result = subprocess.run(["storescu", "-v", "-to", "20", "-aet", "MODALITY", "-aec", "SUNDIAL",
                                 *tls_args(self.certs, "modality"), "127.0.0.1", str(self.dicom_tls_port), *paths],
                                env=DCMTK_ENV, capture_output=True, text=True, timeout=60)
        output = result.stdout + result.stderr
        self.assertEqual(result.returncode, 0, output)
        self.assertEqual(len(acknowledged_files(output)), len(paths), output)
        return study_uid, paths

    def task_for(self, study_uid):
        states = "queued,assigned,claimed,in_progress,preliminary,final,delivered,cancelled,escalated"
        for task in self.api("GET", f"/api/v1/tasks?state={states}&limit=1000")["tasks"]:
            if study_uid in task["study_uids"]:
                return task
        return None

    # -- the night over TLS ---------------------------------------------------------------------

    def test_night_with_tls_on_every_link_and_log_in(self):
        # The API needs a session: nothing without one, then an admin logs in over HTTPS.
        self.assertEqual(self.call("GET", "/api/v1/tasks")[0], 401)
        self.admin = self.log_in("admin", ADMIN_PASSWORD)
        self.api("POST", "/api/v1/readers/neuro/heartbeat", {})

        # A STAT stroke order over MLLP/TLS, its images over DICOM/TLS: routed to the
        # neuroradiologist, images at the workstation and the archive over TLS.
        self.send_hl7("orm1.hl7", orm("C1", "ACC1", "MRN1", "S", "CTHEAD^CT HEAD WO CONTRAST", "HEAD",
                                      "code stroke"))
        stroke_uid, files = self.send_study(1, "ACC1", "HEAD", "MRN1")
        task = wait_until(lambda: self.task_for(stroke_uid), 30, "a read task for the stroke study")
        self.assertEqual(task["assigned_reader"], "neuro")
        self.assertEqual(task["priority"], "STAT")
        self.assertEqual(task["order"]["accession_number"], "ACC1")
        wait_until(lambda: len(self.ws_neuro.files()) == len(files), 30, "images at the workstation over TLS")
        wait_until(lambda: len(self.archive.files()) == len(files), 30, "images at the archive over TLS")

        # The reader logs in (own session), claims and starts; the report comes over MLLP/TLS
        # and is delivered to the site over MLLP/TLS.
        reader = self.log_in("neuro", READER_PASSWORD)
        for action in ("claim", "start"):
            status, answer = self.call("POST", f"/api/v1/tasks/{task['id']}/{action}", {}, reader)
            self.assertLess(status, 300, f"{action}: {status} {answer}")
        self.send_hl7("oru1.hl7", oru("R1", "ACC1", "MRN1", "F", "No acute hemorrhage.", "neuro^NEURO^DR"))
        wait_until(lambda: self.task_for(stroke_uid)["state"] == "delivered", 30,
                   "the report delivered to the site over TLS (ACK AA)")
        delivered = [m for m in self.site.received if b"ACC1" in m]
        self.assertTrue(delivered, "the site got no report")
        self.assertIn(b"No acute hemorrhage.", delivered[0])
        self.assertGreaterEqual(self.site.handshakes, 1)

        # The audit trail reached the repository over syslog/TLS: the log-ins and the images.
        def audited(code):
            return any(event_of(audit_message(m)[2])[0] == code for m in self.repository.messages())
        wait_until(lambda: audited("110114"), 20, "a log-in (User Authentication) at the audit repository")
        wait_until(lambda: audited("110104"), 20, "the received images (Instances Transferred) audited")

        # Plain text to each TLS port is refused.
        self.assertFalse(echo(self.dicom_tls_port, "SUNDIAL", "MODALITY"), "plain C-ECHO on the TLS port")
        self.assertIsNone(self.plain_mllp_ack(self.hl7_port), "plain MLLP got an ACK")
        self.assertIsNone(self.plain_http(self.https_port), "plain HTTP got an answer")
        # ...and the site that must use TLS is refused on the plain DICOM port too.
        _, plain_paths = make_ct_study(os.path.join(self.workdir, "plain"), 1, seed=9)
        plain = subprocess.run(["storescu", "-to", "10", "-aet", "MODALITY", "-aec", "SUNDIAL", "127.0.0.1",
                                str(self.dicom_port), *plain_paths], env=DCMTK_ENV, capture_output=True,
                               text=True, timeout=30)
        self.assertNotEqual(plain.returncode, 0, plain.stdout + plain.stderr)
        self.assertTrue(self.sundial.alive())

    def plain_mllp_ack(self, port):
        """What a plain MLLP client gets back from a port: the ACK's bytes, or None."""
        message = orm("P1", "ACCP", "MRNP", "R", "CTHEAD^CT HEAD", "HEAD", "plain").encode()
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.settimeout(5)
            try:
                s.sendall(b"\x0b" + message + b"\x1c\x0d")
                answer = s.recv(65536)
            except OSError:
                return None
        return answer if b"MSA" in answer else None

    def plain_http(self, port):
        """The status a plain HTTP request gets from a port, or None when it gets no HTTP answer."""
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/healthz")
            return connection.getresponse().status
        except (OSError, http.client.HTTPException):
            return None
        finally:
            connection.close()


if __name__ == "__main__":
    import unittest
    unittest.main()
