"""`make demo-tls`: examples/demo/night.py --tls-dir against a real `sundial serve` with TLS on
every link it uses (HTTPS, MLLP/TLS with mutual TLS, DICOM/TLS in with the site's certificate
name, DICOM/TLS out to the ARCHIVE that night.py plays with storescp +tls). Certificates come
from scripts/make-demo-certs.sh in the test's folder, as `make tls-certs` makes them."""

import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from harness import Process, free_port, wait_until  # noqa: E402

SUNDIAL = os.environ.get("SUNDIAL_BINARY", os.path.join(os.path.dirname(__file__), "../../../build/sundial"))
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")
NIGHT = os.path.join(ROOT, "examples", "demo", "night.py")
MAKE_CERTS = os.path.join(ROOT, "scripts", "make-demo-certs.sh")


class DemoNightTls(unittest.TestCase):
    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="sundial-demo-tls-")
        self.tls = os.path.join(self.workdir, "tls")
        subprocess.run(["bash", MAKE_CERTS, self.tls, "sundial", "ris", "modality", "site-ris", "archive"],
                       check=True, capture_output=True, timeout=120)
        self.https_port, self.dicom_port, self.dicom_tls_port = free_port(), free_port(), free_port()
        self.hl7_port, self.archive_port, self.reports_port = free_port(), free_port(), free_port()
        self.config = os.path.join(self.workdir, "sundial.yaml")
        t = self.tls
        with open(self.config, "w") as f:
            f.write(f"""node:
  ae_title: SUNDIAL
  dicom_port: {self.dicom_port}
  http_port: {self.https_port}
  data_dir: {os.path.join(self.workdir, 'data')}
spool: {{min_free_bytes: 0}}
tracker: {{quiet_period_ms: 300}}
forwarding: {{initial_backoff_ms: 200, max_backoff_ms: 1000}}
hl7: {{bind: 127.0.0.1, port: {self.hl7_port}}}
destinations:
  - {{name: ARCHIVE, ae_title: ARCHIVE, host: 127.0.0.1, port: {self.archive_port}, mode: streaming}}
sites:
  - name: DEMO
    time_zone: America/Chicago
    state: TX
    callers: [{{ae_title: MODALITY, addresses: [127.0.0.1]}}]
    security: {{certificate_names: [modality]}}
    destinations: [ARCHIVE]
    hl7: {{senders: [{{application: RIS, facility: DEMO}}]}}
    reports: {{host: 127.0.0.1, port: {self.reports_port}, tls: true, ca: {t}/ca.pem, server_name: site-ris}}
security:
  https: {{certificate: {t}/sundial.pem, private_key: {t}/sundial.key}}
  mllp_tls: {{certificate: {t}/sundial.pem, private_key: {t}/sundial.key, ca_file: {t}/ca.pem}}
  dicom_tls: {{certificate: {t}/sundial.pem, private_key: {t}/sundial.key, ca_file: {t}/ca.pem,
              port: {self.dicom_tls_port}, destinations: [ARCHIVE]}}
""")
        self.sundial = Process([SUNDIAL, "serve", "--config", self.config], os.path.join(self.workdir, "sundial.log"),
                               cwd=self.workdir)
        try:
            wait_until(lambda: "event=sundial_started" in self.sundial.text() or not self.sundial.alive(), 60,
                       "sundial to start")
        except AssertionError:
            self.sundial.stop()
            raise
        self.assertTrue(self.sundial.alive(), self.sundial.text())

    def tearDown(self):
        self.sundial.stop()

    def run_night(self, *extra):
        result = subprocess.run(["/usr/bin/python3", NIGHT, "--config", self.config, "--pace", "0.01", "--seed", "3",
                                 "--no-readers", "--wait", "0", *extra], capture_output=True, text=True, timeout=300)
        print(result.stdout[-3000:], result.stderr[-3000:])
        return result

    def test_the_night_over_tls(self):
        result = self.run_night("--studies", "3", "--tls-dir", self.tls)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr + self.sundial.text()[-3000:])
        self.assertIn(f"https://127.0.0.1:{self.https_port}", result.stdout)
        self.assertIn(f"DICOM {self.dicom_tls_port} (TLS)", result.stdout)
        self.assertIn("sent 3 orders and 3 studies", result.stdout)
        # Seed 3 plays a CT (8 images), a US (4) and a CR (2): all of them reach the archive.
        self.assertIn("destination ARCHIVE received 14 images over TLS", result.stdout)
        self.assertIn("event=mllp_tls_certificate_loaded", self.sundial.text())

    def test_without_the_certificates_the_night_says_so(self):
        result = self.run_night("--studies", "1")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("--tls-dir", result.stdout + result.stderr)


if __name__ == "__main__":
    unittest.main()
