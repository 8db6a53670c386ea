"""Issue 6 item 3: the trail reaches a real audit repository — Debian's rsyslog with its gtls
driver, started by the test on a free loopback port, requiring a client certificate — as
RFC 5424 messages in RFC 5425 octet-counted framing carrying PS3.15 audit XML; while the
repository is down records wait on disk and are delivered when it is back."""

import os
import shutil
import unittest
import xml.etree.ElementTree as ET

from audit_harness import make_certificates
from harness import EndToEndTest, Process, Sundial, free_port, make_ct_study, port_listening, storescu, wait_until

RSYSLOGD = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"


class Rsyslog(Process):
    """rsyslogd in the foreground: imtcp over gtls (x509/certvalid: clients need a certificate
    from our CA), every message's raw text appended to one file."""

    def __init__(self, workdir, certs, port):
        self.port = port
        self.folder = os.path.join(workdir, "rsyslog")
        os.makedirs(os.path.join(self.folder, "work"), exist_ok=True)
        self.received_path = os.path.join(self.folder, "received.log")
        config = os.path.join(self.folder, "rsyslog.conf")
        with open(config, "w") as f:
            f.write(f"""global(workDirectory="{self.folder}/work" maxMessageSize="64k"
  DefaultNetstreamDriver="gtls"
  DefaultNetstreamDriverCAFile="{certs['ca.pem']}"
  DefaultNetstreamDriverCertFile="{certs['server.pem']}"
  DefaultNetstreamDriverKeyFile="{certs['server.key']}")
module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="x509/certvalid")
input(type="imtcp" port="{port}" address="127.0.0.1")
template(name="raw" type="string" string="%rawmsg%\\n")
action(type="omfile" file="{self.received_path}" template="raw")
""")
        super().__init__([RSYSLOGD, "-n", "-f", config, "-i", os.path.join(self.folder, "rsyslogd.pid")],
                         os.path.join(self.folder, f"rsyslogd-{port}.log"))
        try:
            wait_until(lambda: port_listening(port) or not self.alive(), 15, "rsyslogd to listen")
            if not self.alive():
                raise AssertionError("rsyslogd exited:\n" + self.text())
        except AssertionError:
            self.stop()
            raise

    def messages(self):
        if not os.path.exists(self.received_path):
            return []
        with open(self.received_path, encoding="utf-8") as f:
            return [line for line in f.read().splitlines() if line]


def audit_message(raw):
    """(header, structured data, XML root) of one received RFC 5424 message."""
    header, _, rest = raw.partition(" [sundial@32473 ")
    sd, _, msg = rest.partition("] ")
    if msg.startswith("\ufeff"):
        msg = msg[1:]
    return header, sd, ET.fromstring(msg)


def event_of(root):
    e = root.find("EventIdentification/EventID")
    return e.get("csd-code"), e.get("originalText")


@unittest.skipUnless(os.path.exists(RSYSLOGD), "rsyslogd missing: apt-get install rsyslog rsyslog-gnutls")
class AuditExport(EndToEndTest):
    def test_records_reach_rsyslog_over_tls_and_wait_while_it_is_down(self):
        certs = make_certificates(os.path.join(self.workdir, "certs"))
        syslog_port = free_port()
        repository = self.track(Rsyslog(self.workdir, certs, syslog_port))
        sundial = self.track(Sundial(self.workdir, [{"name": "ARCHIVE", "ae": "ARCHIVE", "port": free_port()}],
                                     quiet_period_ms=300, max_attempts=1, extra_config=f"""audit:
  anchor_interval_ms: 200
  export:
    host: 127.0.0.1
    port: {syslog_port}
    ca_file: {certs['ca.pem']}
    client_cert_file: {certs['client.pem']}
    client_key_file: {certs['client.key']}
    initial_backoff_ms: 100
    max_backoff_ms: 500
    enterprise_site_id: TELERAD-TEST
"""))
        study_uid, files = make_ct_study(os.path.join(self.workdir, "ct"), 2, seed=71)
        code, acked, output = storescu(sundial.dicom_port, "SUNDIAL", files)
        self.assertEqual(len(acked), 2, output)

        def received(study):
            for raw in repository.messages():
                _, _, root = audit_message(raw)
                if any(o.get("ParticipantObjectID") == study for o in root.iter("ParticipantObjectIdentification")) \
                        and event_of(root)[0] == "110104" \
                        and root.find("EventIdentification").get("EventActionCode") == "C":
                    return raw
            return None
        raw = wait_until(lambda: received(study_uid), 20, "the received study's audit message at rsyslog")

        header, sd, root = audit_message(raw)
        self.assertTrue(header.startswith("<85>1 "), header)
        self.assertIn(" sundial ", header)
        self.assertTrue(header.endswith(" IHE+RFC-3881"), header)
        self.assertRegex(sd, r'^seq="\d+" hash="[0-9a-f]{64}"$')
        self.assertEqual(event_of(root), ("110104", "DICOM Instances Transferred"))
        participants = {p.get("UserID"): p for p in root.findall("ActiveParticipant")}
        self.assertEqual(participants["MODALITY"].get("UserIsRequestor"), "true")
        self.assertEqual(participants["MODALITY"].find("RoleIDCode").get("csd-code"), "110153")
        self.assertEqual(participants["SUNDIAL"].find("RoleIDCode").get("csd-code"), "110152")
        self.assertEqual(root.find("AuditSourceIdentification").get("AuditEnterpriseSiteID"), "TELERAD-TEST")
        first = [event_of(audit_message(m)[2]) for m in repository.messages()[:2]]
        self.assertEqual(first[1], ("110100", "Application Activity"), "app.start follows config.loaded")

        # The repository goes down: records keep being written and wait for it.
        repository.stop()
        delivered_before = len(repository.messages())
        later_study, later_files = make_ct_study(os.path.join(self.workdir, "ct2"), 1, seed=72)
        code, acked, output = storescu(sundial.dicom_port, "SUNDIAL", later_files)
        self.assertEqual(len(acked), 1, output)
        wait_until(lambda: "audit_repository_unavailable" in sundial.text(), 15, "the exporter to notice the outage")
        self.assertTrue(sundial.alive())

        repository = self.track(Rsyslog(self.workdir, certs, syslog_port))
        wait_until(lambda: received(later_study), 30, "the record written during the outage delivered")
        self.assertGreater(len(repository.messages()), delivered_before)
        self.assertEqual(sundial.stop(), 0)
        wait_until(lambda: any(event_of(audit_message(m)[2]) == ("110100", "Application Activity")
                               and "app.stop" in m for m in repository.messages()), 10,
                   "app.stop delivered at the clean stop")

    def test_untrusted_repository_certificate_is_refused(self):
        certs = make_certificates(os.path.join(self.workdir, "certs"))
        other = make_certificates(os.path.join(self.workdir, "other-ca"))
        syslog_port = free_port()
        repository = self.track(Rsyslog(self.workdir, certs, syslog_port))
        sundial = self.track(Sundial(self.workdir, [{"name": "ARCHIVE", "ae": "ARCHIVE", "port": free_port()}],
                                     extra_config=f"""audit:
  export:
    host: 127.0.0.1
    port: {syslog_port}
    ca_file: {other['ca.pem']}
    client_cert_file: {certs['client.pem']}
    client_key_file: {certs['client.key']}
    initial_backoff_ms: 100
    max_backoff_ms: 200
"""))
        wait_until(lambda: "audit_repository_unavailable" in sundial.text(), 15, "the exporter to refuse the repository")
        self.assertEqual(repository.messages(), [])
        self.assertTrue(sundial.alive())


if __name__ == "__main__":
    unittest.main()
