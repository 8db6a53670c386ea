"""The demo's side of TLS (examples/config-tls.yaml): which of the engine's links the
configuration puts under TLS, and the certificates the demo's peers present, taken by name
from the folder `scripts/make-demo-certs.sh` filled (`make tls-certs`):

    ca.pem                 the throw-away demo CA every peer trusts
    ris.pem/.key           a site's RIS sending orders (MLLP client certificate)
    <calling AE>.pem/.key  a site's modality (DICOM client certificate; CN = the AE title in
                           lower case, as the site's certificate_names expect)
    site-ris.pem/.key      a site's RIS receiving reports (its MLLP/TLS listener)
    archive.pem/.key       a DICOM destination the demo plays (storescp +tls)

Every context trusts the demo CA only; nothing here turns a certificate check off."""

import os
import ssl
from dataclasses import dataclass


@dataclass
class TlsLinks:
    https: bool = False         # security.https: the API and the page
    mllp_in: bool = False       # security.mllp_tls: the HL7 listener
    dicom_port: int = 0         # security.dicom_tls.port: the DICOM TLS listener (0: none)

    @staticmethod
    def from_config(config):
        security = config.get("security") or {}
        dicom = security.get("dicom_tls") or {}
        return TlsLinks(https=bool((security.get("https") or {}).get("certificate")),
                        mllp_in=bool((security.get("mllp_tls") or {}).get("certificate")),
                        dicom_port=int(dicom.get("port") or 0) if dicom.get("certificate") else 0)

    def any(self):
        return self.https or self.mllp_in or bool(self.dicom_port)


class DemoCertificates:
    def __init__(self, folder):
        self.folder = os.path.abspath(folder)
        self.ca = self.path("ca.pem")
        if not os.path.isfile(self.ca):
            raise SystemExit(f"night: no demo CA in {self.folder}: run `make tls-certs` first")

    def path(self, name):
        return os.path.join(self.folder, name)

    def pair(self, name):
        """(certificate, key) of one peer; a clear stop when the demo folder lacks it."""
        cert, key = self.path(f"{name}.pem"), self.path(f"{name}.key")
        if not (os.path.isfile(cert) and os.path.isfile(key)):
            raise SystemExit(f"night: no certificate '{name}' in {self.folder} "
                             f"(scripts/make-demo-certs.sh {self.folder} {name})")
        return cert, key

    def client_context(self, name=None):
        """Checks the engine's certificate against the demo CA (and its name); presents ours."""
        context = ssl.create_default_context(cafile=self.ca)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        if name:
            context.load_cert_chain(*self.pair(name))
        return context

    def server_context(self, name):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(*self.pair(name))
        return context

    def dcmtk_args(self, name):
        """DCMTK options for storescu/storescp: our certificate, the demo CA, the peer's required."""
        cert, key = self.pair(name)
        return ["+tls", key, cert, "-pw", "+cf", self.ca, "-rc"]
