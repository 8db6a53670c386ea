"""The running engine as the demo sees it: its ports and sites (read from the configuration
file), its HTTP API (with a session token once logged in), its HL7 listener and its DICOM
port. Parts the engine does not offer yet are noted once, not raised. With a TLS
configuration (examples/config-tls.yaml) and the demo certificates (demo_tls.py), each link
the configuration puts under TLS is spoken over TLS."""

import json
import os
import socket
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass

import yaml

from demo_tls import DemoCertificates, TlsLinks

# The readers the demo plays when none are given: examples/config.yaml's demo accounts.
DEFAULT_READERS = [("reader", "sundial-demo-reader")]
DCMTK_ENV = dict(os.environ, TCP_NODELAY="1")


@dataclass
class Site:
    name: str
    calling_ae: str
    sending_application: str  # MSH-3 and MSH-4 of the site's RIS: one of its hl7.senders
    sending_facility: str


class Engine:
    def __init__(self, host, http_port, dicom_port, hl7_port, ae_title, sites, demo_readers, report_endpoints=(),
                 tls_links=None, certificates=None):
        self._report_endpoints = sorted(set(report_endpoints))
        self.tls = tls_links or TlsLinks()
        self.config = {}  # the parsed configuration, when made by from_config
        self.certificates = certificates
        if self.tls.any() and certificates is None:
            raise SystemExit("night: the configuration uses TLS: give the demo certificates with --tls-dir")
        self.host = host
        self.http_port = http_port
        self.dicom_port = dicom_port
        self.hl7_port = hl7_port
        self.ae_title = ae_title
        self.sites = sites
        self.demo_readers = demo_readers
        self._notes = []

    @staticmethod
    def from_config(path, host, http_port=None, dicom_port=None, hl7_port=None, tls_dir=None):
        with open(path) as f:
            config = yaml.safe_load(f) or {}
        node = config.get("node") or {}
        hl7 = config.get("hl7") or {}
        sites = []
        reports = []
        for site in config.get("sites") or []:
            endpoint = site.get("reports") or {}
            if endpoint.get("host") in ("127.0.0.1", "localhost", "::1") and endpoint.get("port"):
                reports.append((endpoint["host"], int(endpoint["port"]), bool(endpoint.get("tls"))))
            callers = site.get("callers") or [{}]
            senders = [s for s in (site.get("hl7") or {}).get("senders") or [] if s.get("facility")]
            sender = senders[0] if senders else {}
            sites.append(Site(name=site["name"], calling_ae=callers[0].get("ae_title", "MODALITY"),
                              sending_application=sender.get("application", "RIS"),
                              sending_facility=sender.get("facility", site["name"])))
        if not sites:
            raise SystemExit(f"night: {path} has no sites")
        links = TlsLinks.from_config(config)
        # The sites of a TLS configuration must use the TLS listener.
        dicom_port = dicom_port or links.dicom_port or node.get("dicom_port", 11112)
        engine = Engine(host, http_port or node.get("http_port", 8080), dicom_port,
                        hl7_port or (hl7.get("port") if hl7.get("enabled", True) else None),
                        node.get("ae_title", "SUNDIAL"), sites, DEFAULT_READERS, reports,
                        links, DemoCertificates(tls_dir) if tls_dir else None)
        engine.config = config
        return engine

    def report_endpoints(self):
        """(host, port, over TLS) of the sites' report endpoints on this machine."""
        return list(self._report_endpoints)

    def base_url(self):
        return f"{'https' if self.tls.https else 'http'}://{self.host}:{self.http_port}"

    def note_once(self, text):
        if text not in self._notes:
            self._notes.append(text)
            print(f"night: {text}")

    def notes(self):
        return list(self._notes)

    # --- HTTP -------------------------------------------------------------------------------
    def request(self, method, path, body=None, token=None, timeout=10):
        """(status, parsed JSON or None). status 0 when the engine does not answer."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.base_url()}{path}", data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            context = self.certificates.client_context() if self.tls.https else None
            with urllib.request.urlopen(req, timeout=timeout, context=context) as response:
                return response.status, _json(response.read())
        except urllib.error.HTTPError as e:
            return e.code, _json(e.read())
        except OSError:
            return 0, None

    def healthy(self):
        return self.request("GET", "/healthz")[0] == 200

    def log_in(self, user, password):
        """(session token, reader id). Without log-in in the engine: (None, None), every call open."""
        status, answer = self.request("POST", "/api/v1/login", {"user": user, "password": password})
        if status == 200 and answer and answer.get("token"):
            return answer["token"], answer.get("reader_id") or None
        if status in (404, 405):
            self.note_once("the engine has no /api/v1/login yet: readers act without a session")
            return None, None
        raise RuntimeError(f"log-in of {user} refused ({status}): {(answer or {}).get('error')}")

    def print_tat(self):
        status, answer = self.request("GET", "/api/v1/tat?group_by=priority", token=self.any_token())
        if status != 200 or not answer:
            self.note_once("no TAT figures from /api/v1/tat yet")
            return
        for row in answer.get("groups", []):
            print(f"night: TAT {row.get('key'):8} n={row.get('count')} p50={_minutes(row.get('p50_ms'))} "
                  f"p90={_minutes(row.get('p90_ms'))} SLA met={row.get('sla_met')}")

    def any_token(self):
        for user, password in self.demo_readers:
            try:
                return self.log_in(user, password)[0]
            except RuntimeError:
                continue
        return None

    # --- HL7 and DICOM ------------------------------------------------------------------------
    def send_order(self, study):
        if not self.hl7_port:
            self.note_once("no HL7 listener configured (hl7.port): studies arrive without orders")
            return False
        try:
            ack = self._send_hl7(study.order_message())
        except OSError as e:
            self.note_once(f"the HL7 listener on port {self.hl7_port} does not answer ({e.strerror or e})")
            return False
        text = ack.decode("utf-8", "replace") if isinstance(ack, bytes) else str(ack)
        if "|AA|" not in text and "|CA|" not in text:
            msa = text.split("\r")[1] if "\r" in text else text
            self.note_once(f"an order was not accepted: {msa[:80]}")
            return False
        return True

    def _send_hl7(self, message):
        if not self.tls.mllp_in:
            import hl7.client  # python3-hl7
            with hl7.client.MLLPClient(self.host, self.hl7_port) as client:
                return client.send_message(message)
        # python3-hl7's client has no TLS: one framed message over a TLS socket, as the RIS
        # (client certificate "ris", the engine's certificate checked against the demo CA).
        context = self.certificates.client_context("ris")
        with socket.create_connection((self.host, self.hl7_port), timeout=30) as raw:
            with context.wrap_socket(raw, server_hostname=self.host) as conn:
                conn.sendall(b"\x0b" + message.encode() + b"\x1c\x0d")
                answer = b""
                while b"\x1c\x0d" not in answer:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    answer += chunk
        return answer.strip(b"\x0b\x1c\x0d")

    def send_study(self, study):
        # Over TLS a modality presents the certificate named after its AE title (demo_tls.py).
        tls_args = self.certificates.dcmtk_args(study.site.calling_ae.lower()) if self.tls.dicom_port else []
        result = subprocess.run(["storescu", "-to", "20", "-aet", study.site.calling_ae, "-aec", self.ae_title,
                                 *tls_args, self.host, str(self.dicom_port), *study.files],
                                env=DCMTK_ENV, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            self.note_once(f"storescu failed: {result.stderr.strip().splitlines()[-1:] or result.returncode}")
            return False
        return True


def _json(raw):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _minutes(ms):
    return "—" if ms is None else f"{ms / 60000:.1f} min"
