"""A small MLLP listener standing in for a site's HL7 interface in report delivery tests.

Standard library only. It records every message it receives (raw bytes, in whatever character
set they came) and answers each one as told: AA, AE or AR with a text, nothing at all (the
sender must time out and retry), or a closed connection. Answers can be scripted per message
(`script`, consumed in order) with `mode` for the rest. Binds 127.0.0.1, port 0 unless given.
"""

import socket
import threading
import time

VT, FS, CR = b"\x0b", b"\x1c", b"\x0d"


def fields(message, segment_id):
    """The fields of the first segment `segment_id` (bytes), split on the message's field
    separator; for MSH, fields[1] is MSH-1 as HL7 numbers them."""
    separator = message[3:4]
    for segment in message.replace(b"\r\n", b"\r").split(b"\r"):
        if segment[:3] == segment_id.encode():
            parts = segment.split(separator)
            if segment_id == "MSH":
                return [parts[0], separator] + parts[1:]
            return parts
    return []


def control_id(message):
    msh = fields(message, "MSH")
    return msh[10].decode("ascii", "replace") if len(msh) > 10 else ""


def ack(message, code, text=""):
    msh = fields(message, "MSH")
    version = msh[12].decode() if len(msh) > 12 else "2.5.1"
    out = (f"MSH|^~\\&|RIS|SITE|SUNDIAL|SUNDIAL|{time.strftime('%Y%m%d%H%M%S')}||ACK^R01|"
           f"A{control_id(message)}|P|{version}\r"
           f"MSA|{code}|{control_id(message)}|{text}\r")
    if code != "AA" and text:
        out += f"ERR|||207^Application internal error^HL70357|E||||{text}\r"
    return out.encode("ascii")


class MllpListener:
    def __init__(self, port=0, mode=("AA", "")):
        self.mode = mode          # ("AA"|"AE"|"AR", text), ("silent",) or ("close",)
        self.script = []          # answers for the next messages, before `mode` applies
        self.received = []        # raw message bytes, in arrival order
        self.connections = 0
        self.delay = 0.0          # seconds to wait before each answer (a slow site)
        self._lock = threading.Lock()
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", port))
        self._server.listen(16)
        self._server.settimeout(0.2)
        self.port = self._server.getsockname()[1]
        self._stopping = threading.Event()
        self._threads = []
        self._accepter = threading.Thread(target=self._accept, daemon=True)
        self._accepter.start()

    def messages(self):
        with self._lock:
            return list(self.received)

    def stop(self):
        self._stopping.set()
        self._accepter.join(timeout=5)
        self._server.close()
        for t in self._threads:
            t.join(timeout=5)

    def _accept(self):
        while not self._stopping.is_set():
            try:
                conn, _ = self._server.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(t)
            t.start()

    def _next_answer(self):
        with self._lock:
            return self.script.pop(0) if self.script else self.mode

    def _serve(self, conn):
        conn.settimeout(0.2)
        buffer = b""
        with conn:
            while not self._stopping.is_set():
                try:
                    chunk = conn.recv(65536)
                except socket.timeout:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                buffer += chunk
                while FS + CR in buffer:
                    frame, buffer = buffer.split(FS + CR, 1)
                    message = frame[frame.find(VT) + 1:]
                    with self._lock:
                        self.received.append(message)
                    answer = self._next_answer()
                    if answer[0] == "silent":
                        continue
                    if answer[0] == "close":
                        return
                    time.sleep(self.delay)
                    conn.sendall(VT + ack(message, answer[0], answer[1]) + FS + CR)
