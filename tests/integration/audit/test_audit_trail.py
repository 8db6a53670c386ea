"""Issue 6 item 3: the store-and-forward core's events reach the audit trail, auditors can
query it, and `sundial audit verify` passes the intact trail and names the first bad record
of a tampered copy (changed, removed, reordered, truncated, forged anchor)."""

import hashlib
import json
import os
import unittest
import urllib.error

from audit_harness import copy_node, read_lines, trail_files, trail_records, verify, write_lines
from harness import EndToEndTest, StoreScp, Sundial, echo, http_get, make_ct_study, storescu, wait_until

AUDIT_YAML = "audit:\n  anchor_interval_ms: 200\n"


class AuditTrail(EndToEndTest):
    def start_node(self):
        self.archive = self.track(StoreScp(self.workdir, "ARCHIVE"))
        self.sundial = self.track(Sundial(self.workdir, [{"name": "ARCHIVE", "ae": "ARCHIVE", "port": self.archive.port}],
                                          quiet_period_ms=300, extra_config=AUDIT_YAML))
        self.data = os.path.join(self.workdir, "data")

    def test_receive_forward_reject_query_and_verify(self):
        self.start_node()
        study_uid, files = make_ct_study(os.path.join(self.workdir, "ct"), 3, seed=61)
        code, acked, output = storescu(self.sundial.dicom_port, "SUNDIAL", files)
        self.assertEqual(len(acked), 3, output)
        self.assertFalse(echo(self.sundial.dicom_port, "SUNDIAL", "STRANGER"))
        wait_until(lambda: len(self.archive.files()) == 3, 20, "the study at the archive")

        def forwarded():
            return [r for r in trail_records(self.data)
                    if r["action"] == "instance.forwarded" and r["study_uid"] == study_uid]
        wait_until(lambda: sum(int(r["details"]["count"]) for r in forwarded()) == 3, 10,
                   "instance.forwarded records for the 3 instances")

        # Auditors' query: by study and action, and a bad parameter named.
        status, body = http_get(self.sundial.http_port,
                                f"/api/v1/audit?study_uid={study_uid}&action=instance.received")
        self.assertEqual(status, 200)
        answer = json.loads(body)
        self.assertEqual(answer["count"], 1, body)
        received = answer["records"][0]
        self.assertEqual(received["actor"], "MODALITY")
        self.assertEqual(received["site"], "DEMO")
        self.assertEqual(received["details"]["count"], "3")
        with self.assertRaises(urllib.error.HTTPError) as bad:
            http_get(self.sundial.http_port, "/api/v1/audit?from=yesterday")
        self.assertEqual(bad.exception.code, 400)
        self.assertIn("from must be", bad.exception.read().decode())

        self.assertEqual(self.sundial.stop(), 0)
        records = trail_records(self.data)
        actions = [r["action"] for r in records]
        self.assertEqual(actions[:2], ["config.loaded", "app.start"])
        with open(self.sundial.config_path, "rb") as f:
            self.assertEqual(records[0]["details"]["sha256"], hashlib.sha256(f.read()).hexdigest())
        self.assertEqual(actions[-1], "app.stop")
        rejected = [r for r in records if r["action"] == "association.rejected"]
        self.assertEqual(len(rejected), 1, actions)
        self.assertEqual(rejected[0]["actor"], "STRANGER")
        self.assertEqual(rejected[0]["outcome"], "refused")
        self.assertIn("audit.query", actions)
        self.assertEqual([r["seq"] for r in records], list(range(1, len(records) + 1)))
        self.assertNotIn("SYN00061", self.sundial.text(), "no patient identity in the log")

        code, output = verify(self.sundial.config_path)
        self.assertEqual(code, 0, output)
        self.assertIn(f"audit trail intact: {len(records)} record(s)", output)

        self.check_tampering_is_caught(len(records))

    def check_tampering_is_caught(self, count):
        name = os.path.basename(trail_files(self.data)[0])

        def tampered(label, change):
            copy, config = copy_node(self.workdir, self.sundial.config_path, label)
            path = trail_files(copy)[0]
            lines = read_lines(path)
            change(copy, path, lines)
            return verify(config)

        # A successful record past the first two: which one comes third depends on timing
        # (the rejected association and the instance's own record race).
        lines = read_lines(trail_files(self.data)[0])
        edited = next(i for i in range(2, len(lines)) if '"outcome":"success"' in lines[i])

        def edit(copy, path, lines):
            lines[edited] = lines[edited].replace('"outcome":"success"', '"outcome":"failure"')
            write_lines(path, lines)
        code, output = tampered("changed", edit)
        self.assertEqual(code, 3, output)
        self.assertIn(f"first bad record: {name}:{edited + 1} seq {edited + 1}: changed", output)

        def remove(copy, path, lines):
            del lines[3]
            write_lines(path, lines)
        code, output = tampered("removed", remove)
        self.assertEqual(code, 3, output)
        self.assertIn(f"{name}:4 seq 5: missing", output)

        def swap(copy, path, lines):
            lines[1], lines[2] = lines[2], lines[1]
            write_lines(path, lines)
        code, output = tampered("reordered", swap)
        self.assertEqual(code, 3, output)
        self.assertIn(f"{name}:2 seq 3: reordered", output)

        def truncate(copy, path, lines):
            write_lines(path, lines[:count - 2])
        code, output = tampered("truncated", truncate)
        self.assertEqual(code, 3, output)
        self.assertIn("truncated", output)
        self.assertIn(f"records {count - 1}..{count} are missing", output)

        def forge(copy, path, lines):
            anchors = os.path.join(copy, "audit", "anchors.jsonl")
            anchor_lines = read_lines(anchors)
            anchor_lines[-1] = anchor_lines[-1].replace('"mac":"', '"mac":"0')[:-3] + '"}'
            write_lines(anchors, anchor_lines)
        code, output = tampered("forged", forge)
        self.assertEqual(code, 3, output)
        self.assertIn("anchors.jsonl", output)
        self.assertIn("bad anchor", output)

    def test_restart_continues_the_chain_and_kill_leaves_a_verifiable_trail(self):
        self.start_node()
        self.assertEqual(self.sundial.stop(), 0)
        first = trail_records(self.data)
        self.sundial.start()
        _, files = make_ct_study(os.path.join(self.workdir, "ct"), 2, seed=62)
        code, acked, output = storescu(self.sundial.dicom_port, "SUNDIAL", files)
        self.assertEqual(len(acked), 2, output)
        wait_until(lambda: any(r["action"] == "instance.received" for r in trail_records(self.data)), 10,
                   "the received study on the trail")
        self.sundial.kill9()
        records = trail_records(self.data)
        self.assertEqual(records[len(first)]["prev"], first[-1]["hash"], "the chain goes on across restarts")
        code, output = verify(self.sundial.config_path)
        self.assertEqual(code, 0, output)  # the unanchored tail of a crash is reported, not an error
        self.sundial.start()
        self.assertEqual(self.sundial.stop(), 0)
        code, output = verify(self.sundial.config_path)
        self.assertEqual(code, 0, output)
        self.assertNotIn("after the last anchor", output)


if __name__ == "__main__":
    unittest.main()
