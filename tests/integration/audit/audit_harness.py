"""Helpers for the audit trail's end-to-end tests, on top of the e2e harness (../e2e)."""

import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

from harness import SUNDIAL  # noqa: E402


def trail_files(data_dir):
    folder = os.path.join(data_dir, "audit")
    return sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.startswith("trail-"))


def trail_records(data_dir):
    records = []
    for path in trail_files(data_dir):
        with open(path) as f:
            records.extend(json.loads(line) for line in f if line.strip())
    return records


def verify(config_path):
    """Runs `sundial audit verify`; returns (exit code, output)."""
    result = subprocess.run([SUNDIAL, "audit", "verify", "--config", config_path],
                            capture_output=True, text=True, timeout=60)
    return result.returncode, result.stdout + result.stderr


def copy_node(workdir, config_path, name):
    """A copy of the node's data folder and a configuration pointing at it, to tamper with."""
    with open(config_path) as f:
        text = f.read()
    data = os.path.join(workdir, "data")
    copy = os.path.join(workdir, name)
    shutil.copytree(os.path.join(data, "audit"), os.path.join(copy, "audit"))
    copy_config = os.path.join(workdir, f"{name}.yaml")
    with open(copy_config, "w") as f:
        f.write(text.replace(f"data_dir: {data}", f"data_dir: {copy}"))
    return copy, copy_config


def read_lines(path):
    with open(path) as f:
        return f.read().splitlines()


def write_lines(path, lines):
    with open(path, "w") as f:
        f.write("".join(line + "\n" for line in lines))


def make_certificates(folder):
    """A CA, a server certificate for 127.0.0.1 and a client certificate, with the openssl CLI."""
    os.makedirs(folder, exist_ok=True)

    def run(*args):
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=Sundial Test Audit CA")
    for name, extensions in (("server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"),
                             ("client", "extendedKeyUsage=clientAuth\n")):
        with open(os.path.join(folder, f"{name}.ext"), "w") as f:
            f.write(extensions)
        run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
            "-subj", f"/CN={'127.0.0.1' if name == 'server' else 'sundial-node'}")
        run("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext")
    return {name: os.path.join(folder, name) for name in
            ("ca.pem", "server.pem", "server.key", "client.pem", "client.key")}
