"""The sites' RIS as the demo plays it: an MLLP listener that takes the reports Sundial
delivers (ORU^R01) and answers each with an ACK (AA), as a site's system would, so that
tasks go on from "final" to "delivered". It counts reports and never prints their content
(they carry patient data). Given a TLS server context, it listens over TLS, as a site asking
for reports over MLLP/TLS (`reports: {tls: true}`) would."""

import socket
import threading

START, END = b"\x0b", b"\x1c\x0d"


def ack_for(message):
    """An HL7 v2 ACK (AA) mirroring the message's MSH: sender and receiver swapped, same control ID."""
    msh = message.split(b"\r", 1)[0].decode("utf-8", "replace")
    fields = msh.split("|")
    field = lambda i: fields[i] if len(fields) > i else ""  # noqa: E731
    control_id, version = field(9), field(11) or "2.5.1"
    ack_msh = "|".join(["MSH", field(1) or "^~\\&", field(4), field(5), field(2), field(3), field(6), "",
                        "ACK^R01^ACK", control_id + "-ACK", field(10) or "P", version])
    return f"{ack_msh}\rMSA|AA|{control_id}\r".encode()


class SiteRis:
    def __init__(self, host, port, tls_context=None):
        self._tls = tls_context
        self.received = 0
        self._lock = threading.Lock()
        self._server = socket.create_server((host, port), reuse_port=False)
        self._server.settimeout(0.5)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="site-ris", daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=5)
        self._server.close()

    def _accept(self):
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        if self._tls is not None:
            try:
                conn.settimeout(10.0)
                conn = self._tls.wrap_socket(conn, server_side=True)
            except (OSError, ValueError):
                conn.close()  # a failed handshake: the engine retries the delivery
                return
        buffer = b""
        conn.settimeout(1.0)
        with conn:
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(65536)
                except socket.timeout:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                buffer += chunk
                while START in buffer and END in buffer:
                    begin = buffer.index(START)
                    end = buffer.index(END, begin)
                    message, buffer = buffer[begin + 1:end], buffer[end + 2:]
                    with self._lock:
                        self.received += 1
                    conn.sendall(START + ack_for(message) + END)
