"""Peers and helpers for Sundial's end-to-end tests.

Every peer is a real program started by the test on loopback: the sundial binary, DCMTK's
storescp (as archive and reader), storescu and echoscu (as the modality), redis-server.
Ports come from binding to port 0; readiness is polled with a deadline; each process is
stopped by its own PID; logs stay in the test's temporary folder (printed on failure).
"""

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request

import pydicom

SUNDIAL = os.environ.get("SUNDIAL_BINARY", os.path.join(os.path.dirname(__file__), "../../../build/sundial"))
CORPUS = os.environ.get("SUNDIAL_CORPUS", os.path.join(os.path.dirname(__file__), "../../../../shared/corpus"))
DCMTK_ENV = dict(os.environ, TCP_NODELAY="1")
UNCOMPRESSED = {"1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99"}


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_listening(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_until(predicate, timeout, what, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def echo(port, called_ae, calling_ae="ECHOSCU", timeout=5):
    result = subprocess.run(
        ["echoscu", "-to", str(timeout), "-aet", calling_ae, "-aec", called_ae, "127.0.0.1", str(port)],
        env=DCMTK_ENV, capture_output=True, text=True, timeout=timeout + 5)
    return result.returncode == 0


def corpus_files(predicate=None):
    """Corpus DICOM files by manifest row, in manifest order: [(name, path, exercises)]."""
    rows = []
    with open(os.path.join(CORPUS, "dicom", "MANIFEST.tsv")) as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            name, exercises = cols[0], cols[4]
            if predicate is None or predicate(name, exercises):
                rows.append((name, os.path.join(CORPUS, "dicom", name), exercises))
    return rows


def dataset_fingerprint(path):
    """What must survive routing: UIDs, transfer syntax and the exact pixel data."""
    ds = pydicom.dcmread(path, force=True)
    element = ds.get((0x7FE0, 0x0010))
    pixels = element.value if element is not None else None
    ts = str(ds.file_meta.get("TransferSyntaxUID", "")) if hasattr(ds, "file_meta") else ""
    if pixels is not None and ts in UNCOMPRESSED:
        # Uncompressed data may legitimately change byte order on the way (a sender converts
        # big endian to little endian): compare the pixel values, not the bytes.
        pixels = ds.pixel_array.astype(ds.pixel_array.dtype.newbyteorder("<")).tobytes()
    return {
        "sop": str(ds.get("SOPInstanceUID", "")),
        "study": str(ds.get("StudyInstanceUID", "")),
        "series": str(ds.get("SeriesInstanceUID", "")),
        "ts": ts,
        "compressed": ts not in UNCOMPRESSED,
        "pixels": hashlib.sha256(pixels).hexdigest() if pixels is not None else None,
    }


def make_ct_study(folder, instances, rows=64, cols=64, seed=1, patient="SYNTH^PATIENT"):
    """A synthetic CT study of `instances` slices (explicit VR little endian)."""
    import numpy as np
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    study_uid = generate_uid(entropy_srcs=[f"study-{seed}"])
    series_uid = generate_uid(entropy_srcs=[f"series-{seed}"])
    paths = []
    for i in range(instances):
        sop_uid = generate_uid(entropy_srcs=[f"sop-{seed}-{i}"])
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
        meta.MediaStorageSOPInstanceUID = sop_uid
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        path = os.path.join(folder, f"ct{seed}_{i:04d}.dcm")
        ds = FileDataset(path, {}, file_meta=meta, preamble=b"\0" * 128)
        ds.is_little_endian = True
        ds.is_implicit_VR = False
        ds.SOPClassUID = meta.MediaStorageSOPClassUID
        ds.SOPInstanceUID = sop_uid
        ds.StudyInstanceUID = study_uid
        ds.SeriesInstanceUID = series_uid
        ds.Modality = "CT"
        ds.PatientName = patient
        ds.PatientID = f"SYN{seed:05d}"
        ds.AccessionNumber = f"ACC{seed:05d}"
        ds.StudyDate = "20260101"
        ds.InstanceNumber = i + 1
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.Rows = rows
        ds.Columns = cols
        ds.BitsAllocated = 16
        ds.BitsStored = 12
        ds.HighBit = 11
        ds.PixelRepresentation = 0
        ds.PixelData = rng.integers(0, 4095, size=(rows, cols), dtype=np.uint16).tobytes()
        ds.save_as(path, write_like_original=False)
        paths.append(path)
    return study_uid, paths


class Process:
    """A child process with its log in a file; stopped by its own PID."""

    def __init__(self, args, log_path, env=None, cwd=None):
        self.args = args
        self.log_path = log_path
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                     start_new_session=True)

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def kill9(self):
        if self.alive():
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self, timeout=20):
        if self.alive():
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.log.close()
        return self.proc.returncode

    def text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")


class StoreScp(Process):
    """DCMTK storescp as a destination: accepts every transfer syntax as sent, unique file
    names (so a duplicate delivery shows up as a second file)."""

    def __init__(self, workdir, ae_title, port=None, extra=()):
        self.ae_title = ae_title
        self.port = port or free_port()
        self.folder = os.path.join(workdir, f"dest-{ae_title}")
        os.makedirs(self.folder, exist_ok=True)
        super().__init__(["storescp", "-aet", ae_title, "+xa", "+uf", "-od", self.folder, *extra, str(self.port)],
                         os.path.join(workdir, f"storescp-{ae_title}.log"), env=DCMTK_ENV)
        try:
            if "--refuse" in extra:  # refuses C-ECHO too: ready once it listens
                wait_until(lambda: port_listening(self.port), 15, f"storescp {ae_title} to listen")
            else:
                wait_until(lambda: echo(self.port, ae_title), 15, f"storescp {ae_title} to answer C-ECHO")
        except AssertionError:
            self.stop()  # not tracked by the test yet: never leave it running
            raise

    def files(self):
        return [os.path.join(self.folder, f) for f in os.listdir(self.folder) if not f.startswith(".")]

    def sop_uids(self):
        return [dataset_fingerprint(p)["sop"] for p in self.files()]


def storescu(port, called_ae, files, calling_ae="MODALITY", timeout=60, extra=()):
    """Sends files over one association; returns (exit code, acknowledged files, output)."""
    result = subprocess.run(
        ["storescu", "-v", "-to", "20", "-aet", calling_ae, "-aec", called_ae, *extra, "127.0.0.1", str(port),
         *files], env=DCMTK_ENV, capture_output=True, text=True, timeout=timeout)
    return result.returncode, acknowledged_files(result.stdout + result.stderr), result.stdout + result.stderr


def dcmsend(port, called_ae, files, calling_ae="MODALITY", timeout=60):
    """Sends files as they are (DCMTK's dcmsend proposes each file's own transfer syntax, where
    storescu proposes uncompressed ones only); returns (exit code, output)."""
    result = subprocess.run(
        ["dcmsend", "-v", "-to", "20", "-aet", calling_ae, "-aec", called_ae, "127.0.0.1", str(port), *files],
        env=DCMTK_ENV, capture_output=True, text=True, timeout=timeout)
    return result.returncode, result.stdout + result.stderr


def acknowledged_files(output):
    """Files for which storescu received a success status."""
    acked = []
    current = None
    for line in output.splitlines():
        m = re.search(r"Sending file: (.*)$", line)
        if m:
            current = m.group(1).strip()
            continue
        if "Received Store Response (Success" in line and current:
            acked.append(current)
            current = None
    return acked


# Every /api/v1 call needs credentials: Sundial below is configured with this API token.
API_TOKEN = "sundial-e2e-test-token"
API_TOKEN_SHA256 = hashlib.sha256(API_TOKEN.encode()).hexdigest()


def http_get(port, path, timeout=5, token=API_TOKEN):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.read().decode()


class Sundial(Process):
    """The sundial binary with a configuration written for this test."""

    def __init__(self, workdir, destinations, callers=(("MODALITY", "127.0.0.1"),), quiet_period_ms=1000,
                 redis_address="", extra_config="", dicom_port=None, http_port=None, name="sundial",
                 max_attempts=20):
        self.workdir = workdir
        self.dicom_port = dicom_port or free_port()
        self.http_port = http_port or free_port()
        self.config_path = os.path.join(workdir, f"{name}.yaml")
        dest_yaml = "".join(
            f"  - {{name: {d['name']}, ae_title: {d['ae']}, host: 127.0.0.1, port: {d['port']}, "
            f"max_associations: {d.get('associations', 2)}, mode: {d.get('mode', 'on_completion')}}}\n"
            for d in destinations)
        caller_yaml = "".join(f"      - {{ae_title: {ae}, addresses: [{addr}]}}\n" for ae, addr in callers)
        with open(self.config_path, "w") as f:
            f.write(f"""node:
  ae_title: SUNDIAL
  dicom_port: {self.dicom_port}
  http_port: {self.http_port}
  data_dir: {os.path.join(workdir, 'data')}
redis:
  address: "{redis_address}"
spool:
  min_free_bytes: 0
tracker:
  quiet_period_ms: {quiet_period_ms}
forwarding:
  max_attempts: {max_attempts}
  initial_backoff_ms: 200
  max_backoff_ms: 1000
  idle_association_timeout_ms: 2000
destinations:
{dest_yaml}sites:
  - name: DEMO
    time_zone: America/Chicago
    state: TX
    callers:
{caller_yaml}    destinations: [{', '.join(d['name'] for d in destinations)}]
{extra_config}""")
            if "\nsecurity:" not in "\n" + extra_config:
                f.write(f"""
security:
  api_tokens: [{{name: e2e, token_sha256: {API_TOKEN_SHA256}, roles: [admin]}}]
""")
        self.start(name)

    def start(self, name="sundial"):
        super().__init__([SUNDIAL, "serve", "--config", self.config_path],
                         os.path.join(self.workdir, f"{name}.log"), cwd=self.workdir)
        try:
            wait_until(lambda: echo(self.dicom_port, "SUNDIAL", "MODALITY") or not self.alive(), 60,
                       "sundial to answer C-ECHO")
        except AssertionError:
            self.stop()  # not tracked by the test yet: never leave it running
            raise
        if not self.alive():
            raise AssertionError("sundial exited at start:\n" + self.text())

    def metrics(self):
        return http_get(self.http_port, "/metrics")[1]

    def studies(self):
        return json.loads(http_get(self.http_port, "/api/v1/studies")[1])


class EndToEndTest(unittest.TestCase):
    """Gives each test a temporary folder and stops what it started; keeps logs on failure."""

    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="sundial-e2e-")
        self.processes = []

    def track(self, process):
        self.processes.append(process)
        return process

    def tearDown(self):
        for p in reversed(self.processes):
            try:
                p.stop()
            except Exception:  # noqa: BLE001 - stopping must go on for the others
                pass

    def run(self, result=None):
        result = result or self.defaultTestResult()
        problems_before = len(result.failures) + len(result.errors)
        super().run(result)
        if len(result.failures) + len(result.errors) > problems_before:
            for p in self.processes:
                print(f"----- log of {p.args[0]} ({p.log_path}) -----")
                print(p.text()[-6000:])
            print(f"(work folder kept: {self.workdir})")
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return result
