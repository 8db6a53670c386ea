"""The DICOM destinations the demo plays over TLS: for a TLS configuration, each destination
on this machine that the engine forwards to over TLS and for which the demo folder has a
certificate (`archive` for ARCHIVE, `workstation` for READER1, see demo_tls.py) is a DCMTK
storescp +tls that requires the engine's client certificate. It counts the images that
arrived; the files stay in a temporary folder removed at the end."""

import os
import shutil
import signal
import subprocess
import tempfile
import time

# destination name -> certificate name in the demo folder
CERTIFICATE_OF = {"ARCHIVE": "archive", "READER1": "workstation"}
DCMTK_ENV = dict(os.environ, TCP_NODELAY="1")


def tls_destinations(config):
    """(name, AE title, port) of the local destinations the engine reaches over TLS."""
    security = config.get("security") or {}
    over_tls = set((security.get("dicom_tls") or {}).get("destinations") or [])
    return [(d["name"], d.get("ae_title", d["name"]), int(d["port"]))
            for d in config.get("destinations") or []
            if d.get("name") in over_tls and d.get("host") in ("127.0.0.1", "localhost") and d.get("port")]


class TlsDestination:
    def __init__(self, name, ae_title, port, certificates):
        self.name = name
        self.folder = tempfile.mkdtemp(prefix=f"sundial-night-{name.lower()}-")
        self._log = open(os.path.join(self.folder, "storescp.log"), "wb")
        self._proc = subprocess.Popen(
            ["storescp", "-aet", ae_title, "+xa", "+uf", "-od", self.folder,
             *certificates.dcmtk_args(CERTIFICATE_OF[name]), str(port)],
            stdout=self._log, stderr=subprocess.STDOUT, env=DCMTK_ENV, start_new_session=True)

    def images(self):
        return sum(1 for f in os.listdir(self.folder) if f != "storescp.log")

    def stop(self):
        if self._proc.poll() is None:
            os.kill(self._proc.pid, signal.SIGTERM)
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self._proc.pid, signal.SIGKILL)
                self._proc.wait(timeout=10)
        self._log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def settle(destinations, quiet_s=6.0, limit_s=60.0):
    """Waits until no destination has had a new image for quiet_s (at most limit_s): a study
    goes out once complete (the quiet period), so the last images follow the night's end."""
    deadline = time.monotonic() + limit_s
    last = [d.images() for d in destinations]
    changed = time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - changed < quiet_s:
        time.sleep(0.5)
        now = [d.images() for d in destinations]
        if now != last:
            last, changed = now, time.monotonic()


def start(config, certificates, note):
    """The storescp +tls peers for the configuration's local TLS destinations we can play."""
    played = []
    for name, ae_title, port in tls_destinations(config):
        if name not in CERTIFICATE_OF:
            continue
        played.append(TlsDestination(name, ae_title, port, certificates))
        note(f"playing destination {name} ({ae_title}) on port {port} over TLS")
    return played
