"""Certificates for the security tests, made in the test's folder with the openssl CLI: a test
CA, a server certificate for localhost, and client certificates with chosen common names.
The expired one cannot be made by `openssl req/x509` (no negative validity in OpenSSL 3.0):
it is signed by the same CA with Python's `cryptography`, back-dated."""

import datetime
import os
import subprocess


def _run(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


class TestCa:
    def __init__(self, folder):
        self.folder = folder
        os.makedirs(folder, exist_ok=True)
        self.cert = os.path.join(folder, "ca.pem")
        self.key = os.path.join(folder, "ca.key")
        _run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", self.key, "-out", self.cert,
             "-subj", "/CN=Sundial Test CA", "-days", "2", cwd=folder)

    def issue(self, name, common_name, days=2):
        """A key and a certificate signed by this CA: (cert path, key path)."""
        key = os.path.join(self.folder, f"{name}.key")
        csr = os.path.join(self.folder, f"{name}.csr")
        cert = os.path.join(self.folder, f"{name}.pem")
        ext = os.path.join(self.folder, f"{name}.ext")
        with open(ext, "w") as f:
            f.write(f"subjectAltName=DNS:{common_name},DNS:localhost,IP:127.0.0.1\n"
                    "extendedKeyUsage=serverAuth,clientAuth\n")
        _run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", f"/CN={common_name}",
             cwd=self.folder)
        _run("x509", "-req", "-in", csr, "-CA", self.cert, "-CAkey", self.key, "-CAcreateserial", "-out", cert,
             "-days", str(days), "-extfile", ext, cwd=self.folder)
        return cert, key

    def issue_expired(self, name, common_name):
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID
        with open(self.key, "rb") as f:
            ca_key = serialization.load_pem_private_key(f.read(), None)
        with open(self.cert, "rb") as f:
            ca_cert = x509.load_pem_x509_certificate(f.read())
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
                .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=10))
                .not_valid_after(now - datetime.timedelta(days=1))
                .sign(ca_key, hashes.SHA256()))
        cert_path = os.path.join(self.folder, f"{name}.pem")
        key_path = os.path.join(self.folder, f"{name}.key")
        with open(cert_path, "wb") as f:
            f.write(cert.public_bytes(serialization.Encoding.PEM))
        with open(key_path, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
        return cert_path, key_path
