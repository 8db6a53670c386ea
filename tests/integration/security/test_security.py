"""Security end to end: the sundial binary with users and roles (401/403/200 per role), log-in,
log-out and throttling, /metrics access, HTTPS checked with curl, certificate problems at
start-up, DICOM over TLS both ways with DCMTK's storescu/storescp (+tls), mutual TLS per site
and per-site limits. Certificates are made by the test (certificates.py)."""

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))

from certificates import TestCa  # noqa: E402
from harness import (API_TOKEN, API_TOKEN_SHA256, DCMTK_ENV, SUNDIAL, EndToEndTest, Process, StoreScp,  # noqa: E402
                     Sundial, free_port, make_ct_study, port_listening, storescu, wait_until)


def scrypt_hash(password):
    """The stored form Sundial reads ($scrypt$...), made here with small parameters."""
    salt = os.urandom(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=1024, r=8, p=1, dklen=32)
    return f"$scrypt$ln=10,r=8,p=1${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"


USERS = {  # user: (roles, extra yaml)
    "adm": (["admin"], ""),
    "rules": (["rule_admin"], ""),
    "disp": (["dispatcher"], ""),
    "rdr": (["reader"], ", reader: R1"),
    "view": (["site_viewer"], ", sites: [DEMO]"),
    "aud": (["auditor"], ""),
}


def users_yaml():
    lines = []
    for user, (roles, extra) in USERS.items():
        lines.append(f'    - {{name: {user}, password_hash: "{scrypt_hash(user + "-pw")}", '
                     f'roles: [{", ".join(roles)}]{extra}}}\n')
    return "".join(lines)


def call(port, method, path, token=None, body=None, scheme="http", cookie=None):
    """(status, parsed JSON body or text, headers)."""
    data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
    request = urllib.request.Request(f"{scheme}://127.0.0.1:{port}{path}", data=data, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if cookie:
        request.add_header("Cookie", cookie)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, raw, headers = response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as e:
        status, raw, headers = e.code, e.read().decode(), e.headers
    try:
        return status, json.loads(raw), headers
    except ValueError:
        return status, raw, headers


def login(port, user, password):
    status, body, headers = call(port, "POST", "/api/v1/login", body={"user": user, "password": password})
    return status, body, headers


class ApiAccessTest(EndToEndTest):
    def start_sundial(self, security_extra=""):
        return self.track(Sundial(self.workdir, destinations=[], extra_config=f"""security:
  api_tokens: [{{name: e2e, token_sha256: {API_TOKEN_SHA256}, roles: [admin]}}]
  login_throttle: {{max_failures: 3, window_s: 60, lockout_s: 60}}
  users:
{users_yaml()}{security_extra}"""))

    def test_every_role_against_the_routes_both_ways(self):
        sundial = self.start_sundial()
        tokens = {}
        for user in USERS:
            status, body, _ = login(sundial.http_port, user, user + "-pw")
            self.assertEqual(status, 200, body)
            self.assertEqual(body["user"], user)
            tokens[user] = body["token"]
        everyone = set(USERS)
        # (method, path, who may). Routes not built yet answer 404 to those who may call them:
        # the gate still answers 403 to the others, which is what this checks.
        table = [
            ("GET", "/api/v1/studies", {"adm", "disp", "view", "aud"}),
            ("GET", "/api/v1/destinations", {"adm", "disp"}),
            ("GET", "/api/v1/me", everyone),
            ("GET", "/api/v1/audit", {"adm", "aud"}),
            ("PUT", "/api/v1/rules/routing.lua", {"rules"}),
            ("POST", "/api/v1/tasks/7/assign", {"adm", "disp"}),
            ("POST", "/api/v1/tasks/7/claim", {"adm", "disp", "rdr"}),
            ("GET", "/api/v1/tat", {"adm", "disp", "view", "aud"}),
        ]
        for method, path, allowed in table:
            status, body, headers = call(sundial.http_port, method, path)
            self.assertEqual(status, 401, f"{method} {path} without credentials")
            self.assertIn("Bearer", headers.get("WWW-Authenticate", ""))
            status, _, _ = call(sundial.http_port, method, path, token="forged-token-value")
            self.assertEqual(status, 401, f"{method} {path} with a forged token")
            for user, token in tokens.items():
                status, body, _ = call(sundial.http_port, method, path, token=token)
                if user in allowed:
                    self.assertIn(status, (200, 404), f"{user} must be allowed {method} {path}: {body}")
                else:
                    self.assertEqual(status, 403, f"{user} must be refused {method} {path}: {body}")
        # Built routes give the data itself to those allowed.
        status, body, _ = call(sundial.http_port, "GET", "/api/v1/studies", token=tokens["view"])
        self.assertEqual((status, body), (200, {"studies": []}))
        status, me, _ = call(sundial.http_port, "GET", "/api/v1/me", token=tokens["rdr"])
        self.assertEqual((me["roles"], me["reader_id"], me["may_see_patient_identity"]), (["reader"], "R1", True))
        status, me, _ = call(sundial.http_port, "GET", "/api/v1/me", token=tokens["view"])
        self.assertEqual((me["sites"], me["may_see_patient_identity"]), (["DEMO"], False))
        # A route the access policy does not know is refused even to an admin, and logged.
        status, _, _ = call(sundial.http_port, "GET", "/api/v1/not-in-the-policy", token=tokens["adm"])
        self.assertEqual(status, 403)
        self.assertIn("access_policy_no_rule", sundial.text())
        # Open doors stay open.
        self.assertEqual(call(sundial.http_port, "GET", "/healthz")[0], 200)

    def test_login_logout_cookie_and_throttling(self):
        sundial = self.start_sundial()
        port = sundial.http_port
        self.assertEqual(call(port, "POST", "/api/v1/login", body={"user": "adm"})[0], 400)
        self.assertEqual(call(port, "POST", "/api/v1/login", body="' OR 1=1 --")[0], 400)
        status, body, headers = login(port, "adm", "adm-pw")
        self.assertEqual(status, 200)
        token = body["token"]
        self.assertIn("HttpOnly", headers["Set-Cookie"])
        self.assertGreater(body["expires_at_ms"], time.time() * 1000)
        self.assertEqual(call(port, "GET", "/api/v1/studies", cookie=f"sundial_session={token}")[0], 200)
        self.assertEqual(call(port, "POST", "/api/v1/logout", token=token)[0], 200)
        self.assertEqual(call(port, "GET", "/api/v1/studies", token=token)[0], 401, "a revoked session")
        # Wrong passwords: the same answer as an unknown user, then the lock-out.
        wrong = login(port, "disp", "nope")
        unknown = login(port, "nobody", "nope")
        self.assertEqual((wrong[0], wrong[1]), (unknown[0], unknown[1]))
        self.assertEqual(wrong[0], 401)
        login(port, "disp", "nope")
        login(port, "disp", "nope")
        status, body, _ = login(port, "disp", "disp-pw")
        self.assertEqual(status, 429, body)
        self.assertIn("try again", body["error"])
        self.assertEqual(login(port, "rdr", "rdr-pw")[0], 200, "others are not locked out")
        log = sundial.text()
        self.assertNotIn("disp-pw", log)
        self.assertNotIn(token, log)

    def test_sessions_are_shared_through_redis(self):
        """A session made on one node is accepted by another on the same Redis."""
        redis_port = free_port()
        redis = self.track(Process(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                                    "--appendonly", "no"], os.path.join(self.workdir, "redis.log")))
        wait_until(lambda: subprocess.run(["redis-cli", "-p", str(redis_port), "ping"], capture_output=True,
                                          text=True).stdout.strip() == "PONG", 15, "redis")
        extra = f"""security:
  users:
{users_yaml()}"""
        nodes = []
        for name in ("one", "two"):
            folder = os.path.join(self.workdir, name)
            os.makedirs(folder)
            nodes.append(self.track(Sundial(folder, [], redis_address=f"127.0.0.1:{redis_port}",
                                            extra_config=extra, name=name)))
        one, two = nodes
        _, body, _ = login(one.http_port, "disp", "disp-pw")
        self.assertEqual(call(two.http_port, "GET", "/api/v1/studies", token=body["token"])[0], 200)
        keys = subprocess.run(["redis-cli", "-p", str(redis_port), "--scan", "--pattern", "sundial:v1:session:*"],
                              capture_output=True, text=True).stdout.split()
        self.assertEqual(keys, ["sundial:v1:session:" + hashlib.sha256(body["token"].encode()).hexdigest()])
        ttl = int(subprocess.run(["redis-cli", "-p", str(redis_port), "pttl", keys[0]], capture_output=True,
                                 text=True).stdout)
        self.assertGreater(ttl, 0)
        call(two.http_port, "POST", "/api/v1/logout", token=body["token"])
        self.assertEqual(call(one.http_port, "GET", "/api/v1/studies", token=body["token"])[0], 401)
        self.assertTrue(redis.alive())

    def test_metrics_need_a_scraper_address_or_token(self):
        scrape = "scraper-token-1234"
        sundial = self.start_sundial(f"""  metrics:
    allow_addresses: [192.0.2.0/24]
    token_sha256: {hashlib.sha256(scrape.encode()).hexdigest()}
""")
        self.assertEqual(call(sundial.http_port, "GET", "/metrics")[0], 401)
        self.assertEqual(call(sundial.http_port, "GET", "/metrics", token=API_TOKEN)[0], 401)
        status, text, _ = call(sundial.http_port, "GET", "/metrics", token=scrape)
        self.assertEqual(status, 200)
        self.assertIn("sundial_", text)


def curl(*args):
    return subprocess.run(["curl", "-sS", "--max-time", "10", *args], capture_output=True, text=True, timeout=20)


class HttpsTest(EndToEndTest):
    def setUp(self):
        super().setUp()
        self.ca = TestCa(os.path.join(self.workdir, "pki"))

    def https_yaml(self, cert, key):
        return f"""security:
  api_tokens: [{{name: e2e, token_sha256: {API_TOKEN_SHA256}, roles: [admin]}}]
  https: {{certificate: {cert}, private_key: {key}}}
"""

    def test_https_with_curl_and_reload_on_change(self):
        cert, key = self.ca.issue("server", "localhost")
        sundial = self.track(Sundial(self.workdir, [], extra_config=self.https_yaml(cert, key)))
        url = f"https://localhost:{sundial.http_port}"
        ok = curl("--cacert", self.ca.cert, f"{url}/healthz")
        self.assertEqual(ok.returncode, 0, ok.stderr)
        self.assertIn('"status":"ok"', ok.stdout)
        api = curl("--cacert", self.ca.cert, "-H", f"Authorization: Bearer {API_TOKEN}", f"{url}/api/v1/studies")
        self.assertEqual(api.stdout, '{"studies":[]}')
        self.assertEqual(curl("-o", "/dev/null", "-w", "%{http_code}", "--cacert", self.ca.cert,
                              f"{url}/api/v1/studies").stdout, "401")
        untrusted = curl(f"{url}/healthz")
        self.assertEqual(untrusted.returncode, 60, "an unknown CA must fail verification")
        old = curl("--cacert", self.ca.cert, "--tlsv1.0", "--tls-max", "1.1", f"{url}/healthz")
        self.assertNotEqual(old.returncode, 0, "TLS 1.0/1.1 must be refused")
        plain = curl(f"http://127.0.0.1:{sundial.http_port}/healthz")
        self.assertNotEqual(plain.returncode, 0)
        # Renewed certificate: the same files rewritten; new connections get it, no restart.
        new_cert, new_key = self.ca.issue("renewed", "localhost")
        time.sleep(1.1)  # the modification time must move past the last check
        shutil.copy(new_key, key)
        shutil.copy(new_cert, cert)
        serial = subprocess.run(["openssl", "x509", "-noout", "-serial", "-in", new_cert], capture_output=True,
                                text=True).stdout.strip().split("=")[1]

        def served_serial():
            out = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{sundial.http_port}",
                                  "-servername", "localhost"], input="", capture_output=True, text=True, timeout=20)
            pem = out.stdout[out.stdout.find("-----BEGIN CERTIFICATE-----"):out.stdout.find("-----END CERTIFICATE-----") + 25]
            got = subprocess.run(["openssl", "x509", "-noout", "-serial"], input=pem, capture_output=True, text=True)
            return got.stdout.strip().split("=")[-1]
        wait_until(lambda: served_serial() == serial, 15, "the renewed certificate to be served", interval=0.5)
        self.assertIn("https_certificate_loaded", sundial.text())
        # A broken pair on disk: logged, the running one is kept.
        with open(cert, "w") as f:
            f.write("not a certificate\n")
        time.sleep(1.1)
        still = curl("--cacert", self.ca.cert, f"{url}/healthz")
        self.assertEqual(still.returncode, 0, still.stderr)
        wait_until(lambda: "https_certificate_reload_failed" in sundial.text(), 10, "the reload failure logged")

    def start_fails(self, extra):
        config = os.path.join(self.workdir, "bad.yaml")
        with open(config, "w") as f:
            f.write(f"""node: {{ae_title: SUNDIAL, dicom_port: {free_port()}, http_port: {free_port()},
        data_dir: {os.path.join(self.workdir, 'data-bad')}}}
sites: [{{name: DEMO, callers: [{{ae_title: MOD, addresses: [127.0.0.1]}}]}}]
{extra}""")
        result = subprocess.run([SUNDIAL, "serve", "--config", config], capture_output=True, text=True, timeout=60)
        return result.returncode, result.stderr

    def test_bad_certificates_stop_start_up_with_a_clear_error(self):
        cert, key = self.ca.issue("server", "localhost")
        other_cert, other_key = self.ca.issue("other", "localhost")
        expired_cert, expired_key = self.ca.issue_expired("expired", "localhost")
        cases = [
            (os.path.join(self.workdir, "missing.pem"), key, "certificate file not found"),
            (expired_cert, expired_key, "certificate expired on"),
            (cert, other_key, "the private key does not match the certificate"),
        ]
        for c, k, expected in cases:
            code, stderr = self.start_fails(self.https_yaml(c, k))
            self.assertEqual(code, 1, stderr)
            self.assertIn(expected, stderr)
            self.assertIn(os.path.basename(c if "key" not in expected else k), stderr)
        # The same checks guard DICOM TLS.
        code, stderr = self.start_fails(f"""security:
  dicom_tls: {{certificate: {expired_cert}, private_key: {expired_key}, port: {free_port()}}}
""")
        self.assertEqual(code, 1, stderr)
        self.assertIn("certificate expired on", stderr)
        del other_cert


class TlsStoreScp(Process):
    """DCMTK storescp with +tls (non-downgrading BCP 195, client certificate required):
    ready once it listens (a plain C-ECHO cannot reach it)."""

    def __init__(self, workdir, ae_title, cert, key, ca):
        self.port = free_port()
        self.folder = os.path.join(workdir, f"dest-{ae_title}")
        os.makedirs(self.folder, exist_ok=True)
        super().__init__(["storescp", "-d", "-aet", ae_title, "+xa", "+uf", "-od", self.folder, "+tls", key, cert,
                          "+cf", ca, "+py", str(self.port)], os.path.join(workdir, f"storescp-{ae_title}.log"),
                         env=DCMTK_ENV)
        try:
            wait_until(lambda: port_listening(self.port), 15, f"storescp {ae_title} to listen")
        except AssertionError:
            self.stop()
            raise

    def files(self):
        return [os.path.join(self.folder, f) for f in os.listdir(self.folder) if not f.startswith(".")]


class DicomTlsTest(EndToEndTest):
    def setUp(self):
        super().setUp()
        self.ca = TestCa(os.path.join(self.workdir, "pki"))
        self.server_cert, self.server_key = self.ca.issue("sundial", "sundial.test")
        self.study = os.path.join(self.workdir, "study")
        os.makedirs(self.study)
        _, self.files = make_ct_study(self.study, 2)

    def tls_args(self, cert, key):
        return ("+tls", key, cert, "+cf", self.ca.cert)

    def test_receive_over_tls_with_the_sites_own_certificate(self):
        archive = self.track(StoreScp(self.workdir, "ARCHIVE"))
        tls_port = free_port()
        sundial = self.track(Sundial(
            self.workdir, [{"name": "ARCHIVE", "ae": "ARCHIVE", "port": archive.port, "mode": "streaming"}],
            extra_config=f"""  - name: SECURE
    callers: [{{ae_title: SECUREMOD, addresses: [127.0.0.1]}}]
    destinations: [ARCHIVE]
    security: {{certificate_names: [modality.demo.test]}}
security:
  api_tokens: [{{name: e2e, token_sha256: {API_TOKEN_SHA256}, roles: [admin]}}]
  dicom_tls: {{certificate: {self.server_cert}, private_key: {self.server_key}, ca_file: {self.ca.cert},
              port: {tls_port}}}
"""))
        own_cert, own_key = self.ca.issue("modality", "modality.demo.test")
        other_cert, other_key = self.ca.issue("intruder", "intruder.other.test")
        code, acked, output = storescu(tls_port, "SUNDIAL", self.files, calling_ae="SECUREMOD",
                                       extra=self.tls_args(own_cert, own_key))
        self.assertEqual((code, len(acked)), (0, 2), output)
        wait_until(lambda: len(archive.files()) == 2, 30, "forwarding of what came over TLS")
        # Another site's certificate, the right AE title: refused.
        code, acked, output = storescu(tls_port, "SUNDIAL", self.files, calling_ae="SECUREMOD",
                                       extra=self.tls_args(other_cert, other_key))
        self.assertNotEqual(code, 0)
        self.assertEqual(acked, [])
        # The same site over the plain port: refused (it must use TLS).
        code, acked, output = storescu(sundial.dicom_port, "SUNDIAL", self.files, calling_ae="SECUREMOD")
        self.assertEqual(acked, [])
        # Plain DICOM on the TLS port: no association.
        code, acked, output = storescu(tls_port, "SUNDIAL", self.files, calling_ae="SECUREMOD", timeout=60)
        self.assertEqual(acked, [])
        log = sundial.text()
        self.assertIn("reason=site_security", log)
        self.assertIn("intruder.other.test", log)
        self.assertIn("site requires DICOM over TLS", log)

    def test_forward_over_tls_to_storescp(self):
        dest_cert, dest_key = self.ca.issue("archive", "archive.test")
        archive = self.track(TlsStoreScp(self.workdir, "ARCHIVE", dest_cert, dest_key, self.ca.cert))
        sundial = self.track(Sundial(
            self.workdir, [{"name": "ARCHIVE", "ae": "ARCHIVE", "port": archive.port, "mode": "streaming"}],
            extra_config=f"""security:
  api_tokens: [{{name: e2e, token_sha256: {API_TOKEN_SHA256}, roles: [admin]}}]
  dicom_tls: {{certificate: {self.server_cert}, private_key: {self.server_key}, ca_file: {self.ca.cert},
              destinations: [ARCHIVE]}}
"""))
        code, acked, output = storescu(sundial.dicom_port, "SUNDIAL", self.files)
        self.assertEqual((code, len(acked)), (0, 2), output)
        wait_until(lambda: len(archive.files()) == 2, 30, "delivery over TLS")
        self.assertIn("TLS", archive.text())

    def test_per_site_association_and_byte_limits(self):
        archive = self.track(StoreScp(self.workdir, "ARCHIVE"))
        size = os.path.getsize(self.files[0])
        sundial = self.track(Sundial(
            self.workdir, [{"name": "ARCHIVE", "ae": "ARCHIVE", "port": archive.port}],
            extra_config=f"""    security: {{max_associations: 1, max_bytes_per_minute: {size}}}
"""))
        first = self.track(Process(["storescu", "-to", "60", "-aet", "MODALITY", "-aec", "SUNDIAL", "127.0.0.1",
                                    str(sundial.dicom_port), *self.files], os.path.join(self.workdir, "first.log"),
                                   env=DCMTK_ENV))
        wait_until(lambda: "site_rate_limited" in sundial.text(), 30, "the second instance to be held back")
        code, acked, output = storescu(sundial.dicom_port, "SUNDIAL", self.files)
        self.assertEqual(acked, [], "a second association of the site at its limit")
        self.assertIn("reason=site_limit", sundial.text())
        first.proc.wait(timeout=60)
        self.assertEqual(first.proc.returncode, 0, first.text())


if __name__ == "__main__":
    unittest.main()
