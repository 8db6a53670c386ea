"""examples/demo/night.py against a real `sundial serve` (own embedded Redis, free ports):
the studies it generates are accepted and tracked by the engine, and it exits 0. The parts
of the night the engine offers (orders, read tasks, reports) are checked as they are there."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from harness import API_TOKEN_SHA256, Process, free_port, http_get, wait_until  # noqa: E402

SUNDIAL = os.environ.get("SUNDIAL_BINARY", os.path.join(os.path.dirname(__file__), "../../../build/sundial"))
NIGHT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "demo", "night.py")


class DemoNight(unittest.TestCase):
    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="sundial-demo-")
        self.http_port = free_port()
        self.dicom_port = free_port()
        self.config = os.path.join(self.workdir, "sundial.yaml")
        with open(self.config, "w") as f:
            f.write(f"""node:
  ae_title: SUNDIAL
  dicom_port: {self.dicom_port}
  http_port: {self.http_port}
  data_dir: {os.path.join(self.workdir, 'data')}
spool:
  min_free_bytes: 0
tracker:
  quiet_period_ms: 300
destinations: []
sites:
  - name: NORTH
    time_zone: America/Chicago
    state: TX
    callers:
      - {{ae_title: NORTHCT, addresses: [127.0.0.1]}}
    destinations: []
  - name: SOUTH
    time_zone: America/New_York
    state: FL
    callers:
      - {{ae_title: SOUTHCT, addresses: [127.0.0.1]}}
    destinations: []
security:
  api_tokens: [{{name: demo-test, token_sha256: {API_TOKEN_SHA256}, roles: [admin]}}]
""")
        self.sundial = Process([SUNDIAL, "serve", "--config", self.config], os.path.join(self.workdir, "sundial.log"),
                               cwd=self.workdir)
        try:
            wait_until(lambda: self._healthy() or not self.sundial.alive(), 60, "sundial /healthz")
        except AssertionError:
            self.sundial.stop()
            raise
        self.assertTrue(self.sundial.alive(), self.sundial.text())

    def _healthy(self):
        try:
            return http_get(self.http_port, "/healthz")[0] == 200
        except OSError:
            return False

    def tearDown(self):
        self.sundial.stop()

    def _studies(self, count):
        listed = json.loads(http_get(self.http_port, "/api/v1/studies")[1])["studies"]
        return listed if len(listed) == count else None

    def run_night(self, *extra):
        result = subprocess.run(["/usr/bin/python3", NIGHT, "--config", self.config, "--pace", "0.01", "--seed", "3",
                                 *extra], capture_output=True, text=True, timeout=300)
        print(result.stdout[-3000:], result.stderr[-3000:])
        return result

    def test_every_study_of_the_night_reaches_the_engine(self):
        result = self.run_night("--studies", "4", "--no-readers")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr + self.sundial.text()[-3000:])
        self.assertIn("sent 0 orders and 4 studies", result.stdout)
        # The engine tracks the four studies, from both sites (seed 3 plays both).
        studies = wait_until(lambda: self._studies(4), 30, "four studies in /api/v1/studies")
        self.assertEqual({s["site"] for s in studies}, {"NORTH", "SOUTH"})
        # No patient name from the generated studies appears in the demo's own output.
        for family in ("DEMO^", "SAMPLE^", "TEST^", "EXAMPLE^"):
            self.assertNotIn(family, result.stdout)

    def test_night_fails_loudly_when_the_engine_is_not_running(self):
        self.sundial.stop()
        result = self.run_night("--studies", "1", "--no-readers")
        self.assertEqual(result.returncode, 2)
        self.assertIn("make run", result.stderr)


if __name__ == "__main__":
    unittest.main()
