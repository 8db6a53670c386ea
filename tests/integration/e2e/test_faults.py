"""Issue 2, bad input and faults: each gets a clear error, and nothing is lost."""

import json
import os
import shutil
import subprocess
import time
import unittest

from harness import (CORPUS, EndToEndTest, Process, StoreScp, Sundial, SUNDIAL, dataset_fingerprint, echo, http_get,
                     free_port, make_ct_study, storescu, wait_until)


ASSOCIATIONS_PER_DESTINATION = 2  # the harness's default max_associations


class Faults(EndToEndTest):
    def test_unknown_calling_ae_is_rejected_at_association(self):
        archive = self.track(StoreScp(self.workdir, "ARCHIVE"))
        sundial = self.track(Sundial(self.workdir, [{"name": "ARCHIVE", "ae": "ARCHIVE", "port": archive.port}]))
        self.assertTrue(echo(sundial.dicom_port, "SUNDIAL", "MODALITY"))
        self.assertFalse(echo(sundial.dicom_port, "SUNDIAL", "STRANGER"))
        self.assertFalse(echo(sundial.dicom_port, "WRONGCALLED", "MODALITY"))
        _, files = make_ct_study(os.path.join(self.workdir, "ct"), 1)
        code, acked, output = storescu(sundial.dicom_port, "SUNDIAL", files, calling_ae="STRANGER")
        self.assertNotEqual(code, 0)
        self.assertEqual(acked, [])
        self.assertIn("Association Rejected", output)
        log = sundial.text()
        self.assertIn("association_rejected", log)
        self.assertIn("STRANGER", log)

    def test_malformed_instance_is_refused_and_the_next_one_goes_through(self):
        archive = self.track(StoreScp(self.workdir, "ARCHIVE"))
        sundial = self.track(Sundial(self.workdir, [{"name": "ARCHIVE", "ae": "ARCHIVE", "port": archive.port}],
                                     quiet_period_ms=500))
        # A dataset without a Study Instance UID (copied from the corpus, then changed).
        broken = os.path.join(self.workdir, "no-study-uid.dcm")
        shutil.copy(os.path.join(CORPUS, "dicom", "dcm4che_NM-MONO2-16-13x-heart.dcm"), broken)
        subprocess.run(["dcmodify", "-nb", "-ea", "(0020,000d)", broken], check=True, capture_output=True)
        _, good = make_ct_study(os.path.join(self.workdir, "ct"), 2)
        code, acked, output = storescu(sundial.dicom_port, "SUNDIAL", [broken] + good, extra=("--no-halt",))
        self.assertNotIn(broken, acked, output)
        self.assertEqual(sorted(acked), sorted(good), output)
        self.assertIn("instance_refused", sundial.text())
        wait_until(lambda: len(archive.files()) == 2, 15, "the good instances at the archive")

    def test_destination_down_then_up(self):
        archive_port = free_port()
        sundial = self.track(Sundial(self.workdir, [{"name": "ARCHIVE", "ae": "ARCHIVE", "port": archive_port}],
                                     quiet_period_ms=300))
        _, files = make_ct_study(os.path.join(self.workdir, "ct"), 6)
        code, acked, output = storescu(sundial.dicom_port, "SUNDIAL", files)
        self.assertEqual(len(acked), 6, output)

        def queue_shows_backlog():
            m = sundial.metrics()
            return 'sundial_forward_failures_total{destination="ARCHIVE"}' in m and \
                'sundial_forward_queue_waiting{destination="ARCHIVE"} 6' in m
        wait_until(queue_shows_backlog, 10, "/metrics to show the failing destination's backlog")
        study = sundial.studies()["studies"][0]
        progress = {d["destination"]: d for d in study["destinations"]}
        self.assertEqual(progress["ARCHIVE"]["pending"], 6)
        self.assertEqual(progress["ARCHIVE"]["sent"], 0)

        archive = self.track(StoreScp(self.workdir, "ARCHIVE", port=archive_port))
        wait_until(lambda: len(archive.files()) == 6, 20, "the backlog delivered once the archive is up")
        time.sleep(0.5)
        self.assertEqual(len(archive.files()), 6)

    def test_refusing_destination_dead_letters_with_the_reason_after_the_configured_tries(self):
        archive = self.track(StoreScp(self.workdir, "ARCHIVE", extra=("--refuse",)))
        sundial = self.track(Sundial(self.workdir, [{"name": "ARCHIVE", "ae": "ARCHIVE", "port": archive.port}],
                                     quiet_period_ms=300, max_attempts=3))
        _, files = make_ct_study(os.path.join(self.workdir, "ct"), 2, seed=31)
        code, acked, output = storescu(sundial.dicom_port, "SUNDIAL", files)
        self.assertEqual(len(acked), 2, output)

        def dead_letters():
            dest = json.loads(http_get(sundial.http_port, "/api/v1/destinations")[1])["destinations"][0]
            return dest if dest["queue"]["dead"] == 2 else None
        dest = wait_until(dead_letters, 20, "both instances dead-lettered after 3 tries")
        self.assertEqual(dest["queue"]["waiting"], 0)
        reasons = [letter["reason"] for letter in dest["recent_dead_letters"]]
        self.assertEqual(len(reasons), 2)
        for reason in reasons:
            self.assertIn("rejected", reason.lower())
        self.assertIn('sundial_forward_dead_letters_total{destination="ARCHIVE"} 2', sundial.metrics())
        study = sundial.studies()["studies"][0]
        self.assertEqual(study["destinations"][0]["failed"], 2)
        self.assertEqual(study["destinations"][0]["pending"], 0)

    def test_kill_minus_nine_loses_nothing_and_resends_only_what_was_in_doubt(self):
        archive = self.track(StoreScp(self.workdir, "ARCHIVE"))
        reader = self.track(StoreScp(self.workdir, "READER1"))
        dests = [{"name": "ARCHIVE", "ae": "ARCHIVE", "port": archive.port, "mode": "on_completion"},
                 {"name": "READER1", "ae": "READER1", "port": reader.port, "mode": "streaming"}]
        sundial = self.track(Sundial(self.workdir, dests, quiet_period_ms=500))
        _, files = make_ct_study(os.path.join(self.workdir, "ct"), 300, rows=256, cols=256, seed=11)
        sender = subprocess.Popen(
            ["storescu", "-v", "-to", "20", "-aet", "MODALITY", "-aec", "SUNDIAL", "127.0.0.1",
             str(sundial.dicom_port), *files],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dict(os.environ, TCP_NODELAY="1"))
        # Kill the engine in the middle of receiving and forwarding.
        wait_until(lambda: len(reader.files()) >= 40, 30, "forwarding to be under way")
        sundial.kill9()
        output, _ = sender.communicate(timeout=60)
        from harness import acknowledged_files
        acked = acknowledged_files(output)
        self.assertGreater(len(acked), 0)
        self.assertLess(len(acked), len(files), "the kill should land mid-study")

        sundial.start("sundial-restarted")
        expected = {dataset_fingerprint(p)["sop"] for p in acked}
        for dest in (archive, reader):
            wait_until(lambda: expected <= set(dest.sop_uids()), 60, f"every acknowledged instance at {dest.ae_title}")
        time.sleep(1.0)
        for dest in (archive, reader):
            uids = dest.sop_uids()
            self.assertEqual(set(uids) - {dataset_fingerprint(p)["sop"] for p in files}, set(), "unknown instances")
            duplicates = [u for u in set(uids) if uids.count(u) > 1]
            # The one instance a forward worker may hold between "sent" and "recorded as sent"
            # when the process dies is in doubt: DICOM cannot ask storescp whether it has it, so
            # it is sent again after the restart (a PACS treats a repeated SOP Instance UID as
            # the same instance). Anything beyond one per association is a real double send.
            self.assertLessEqual(len(duplicates), ASSOCIATIONS_PER_DESTINATION,
                                 f"instances forwarded twice to {dest.ae_title}: {duplicates}")
            for uid in duplicates:
                self.assertEqual(uids.count(uid), 2, f"{uid} forwarded more than twice")

    def test_duplicate_instances_are_acknowledged_and_never_forwarded_twice(self):
        archive = self.track(StoreScp(self.workdir, "ARCHIVE"))
        reader = self.track(StoreScp(self.workdir, "READER1"))
        sundial = self.track(Sundial(self.workdir, [
            {"name": "ARCHIVE", "ae": "ARCHIVE", "port": archive.port, "mode": "on_completion"},
            {"name": "READER1", "ae": "READER1", "port": reader.port, "mode": "streaming"}],
            quiet_period_ms=300))
        _, files = make_ct_study(os.path.join(self.workdir, "ct"), 4, seed=21)
        # Twice within one association (a modality retrying), then again once forwarded.
        code, acked, output = storescu(sundial.dicom_port, "SUNDIAL", files + files)
        self.assertEqual(len(acked), 8, output)
        wait_until(lambda: len(archive.files()) == 4 and len(reader.files()) == 4, 15, "the study forwarded")
        code, acked, output = storescu(sundial.dicom_port, "SUNDIAL", files)
        self.assertEqual(len(acked), 4, "a repeat is acknowledged: it is safely known\n" + output)
        spool = os.path.join(self.workdir, "data", "spool")
        # Study folders stay a while once empty (removed later by the spool's janitor): look
        # for committed files, not folders.
        def committed_files():
            return [name for folder in os.listdir(spool)
                    if folder != "tmp" and os.path.isdir(os.path.join(spool, folder))
                    for name in os.listdir(os.path.join(spool, folder)) if name.endswith(".dcm")]
        wait_until(lambda: not committed_files(), 10, "the repeats' spool files to be removed")
        time.sleep(1.0)  # a wrong re-send would land by now
        self.assertEqual(len(archive.files()), 4)
        self.assertEqual(len(reader.files()), 4)
        self.assertIn('sundial_instances_duplicate_total 8', sundial.metrics())

    def test_second_sundial_on_the_same_data_folder_refuses_to_start(self):
        archive = self.track(StoreScp(self.workdir, "ARCHIVE"))
        sundial = self.track(Sundial(self.workdir, [{"name": "ARCHIVE", "ae": "ARCHIVE", "port": archive.port}],
                                     quiet_period_ms=300))
        # The same configuration started again by mistake: refused at the spool, before it
        # touches the first one's files (or its ports, audit trail and redis-server).
        result = subprocess.run([SUNDIAL, "serve", "--config", sundial.config_path], capture_output=True,
                                text=True, timeout=60, cwd=self.workdir)
        self.assertEqual(result.returncode, 1, result.stderr)
        spool = os.path.join(self.workdir, "data", "spool")
        self.assertIn(f"the spool folder {spool} is in use by another Sundial process (pid {sundial.pid})",
                      result.stderr)
        # The first one keeps receiving and forwarding.
        _, files = make_ct_study(os.path.join(self.workdir, "ct"), 3, seed=31)
        code, acked, output = storescu(sundial.dicom_port, "SUNDIAL", files)
        self.assertEqual(len(acked), 3, output)
        wait_until(lambda: len(archive.files()) == 3, 15, "the study at the archive")
        self.assertTrue(sundial.alive())

    def test_configuration_error_names_file_line_and_problem(self):
        bad = os.path.join(self.workdir, "bad.yaml")
        with open(bad, "w") as f:
            f.write("node:\n  ae_title: SUNDIAL\n  dicom_port: 99999\n  data_dir: data\nsites: []\n")
        result = subprocess.run([SUNDIAL, "serve", "--config", bad], capture_output=True, text=True, timeout=30)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(f"{bad}:3:", result.stderr)
        self.assertIn("dicom_port", result.stderr)

    def test_redis_unreachable_refuses_new_work_and_resumes(self):
        socket_path = os.path.join(self.workdir, "redis.sock")
        redis_args = ["redis-server", "--port", "0", "--unixsocket", socket_path, "--save", "",
                      "--appendonly", "yes", "--dir", self.workdir]
        redis = self.track(Process(redis_args, os.path.join(self.workdir, "redis.log")))
        wait_until(lambda: os.path.exists(socket_path), 10, "redis-server socket")
        archive = self.track(StoreScp(self.workdir, "ARCHIVE"))
        sundial = self.track(Sundial(self.workdir, [{"name": "ARCHIVE", "ae": "ARCHIVE", "port": archive.port}],
                                     quiet_period_ms=300, redis_address=f"unix:{socket_path}"))
        _, files = make_ct_study(os.path.join(self.workdir, "ct"), 3, seed=5)
        code, acked, _ = storescu(sundial.dicom_port, "SUNDIAL", files[:1])
        self.assertEqual(len(acked), 1)

        redis.stop()
        wait_until(lambda: "state_store_unavailable" in sundial.text() or
                   storescu(sundial.dicom_port, "SUNDIAL", files[1:2])[1] == [], 15,
                   "sundial to notice that Redis is gone")
        code, acked, output = storescu(sundial.dicom_port, "SUNDIAL", files[1:2])
        self.assertEqual(acked, [], "nothing may be acknowledged that cannot be tracked:\n" + output)
        self.assertIn("state_store_unavailable", sundial.text())

        redis = self.track(Process(redis_args, os.path.join(self.workdir, "redis2.log")))
        wait_until(lambda: storescu(sundial.dicom_port, "SUNDIAL", files[1:])[1] != [], 20,
                   "sundial to accept work again once Redis is back")
        wait_until(lambda: len(set(archive.sop_uids())) == 3, 20, "all three instances at the archive")


if __name__ == "__main__":
    unittest.main()
