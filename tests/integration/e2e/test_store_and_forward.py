"""Issue 2: a study sent to Sundial arrives, unchanged, at every destination of its site."""

import os
import subprocess
import time
import unittest

from harness import (EndToEndTest, StoreScp, Sundial, dataset_fingerprint, dcmsend, make_ct_study,
                     storescu, wait_until, CORPUS)

# One real file per transfer syntax (shared/corpus/dicom, by manifest name).
CORPUS_FILES = [
    "dcm4che_US-RGB-8-esopecho.dcm",               # explicit VR little endian, RGB ultrasound
    "openrem_DX-Im-DRGEM.dcm",                     # implicit VR little endian
    "pydicom_MR_small_bigendian.dcm",              # explicit VR big endian
    "dcm4che_report_dfl.dcm",                      # deflated explicit VR little endian (SR)
    "fodicom_GH538-jpeg1.dcm",                     # JPEG baseline
    "fodicom_GH195.dcm",                           # JPEG extended (process 2+4)
    "dcm4che_MR-JPEGLosslessSV1.dcm",              # JPEG lossless SV1 (.70)
    "dicomparser_mf_CT0012.fragmented_no_bot_jpeg_lossless.57.dcm",  # JPEG lossless (.57)
    "dicomparser_sf_CT1_UNC.fragmented_bot_jpeg_ls.80.dcm",          # JPEG-LS lossless
    "orthanc_1.2.840.10008.1.2.4.81.dcm",          # JPEG-LS near-lossless
    "fodicom_GH064.dcm",                           # JPEG 2000 lossless
    "pydicom_JPEG2000.dcm",                        # JPEG 2000
    "dcm4che_YBR_FULL-RLE.dcm",                    # RLE lossless
]


# storescp +xa does not accept JPEG lossless process 14 (non-SV1): Sundial must convert it.
JPEG_PROCESS_14 = "1.2.840.10008.1.2.4.57"


def decoded_copy(path, workdir):
    """The file decompressed by DCMTK's own tool, as the reference for a converted instance."""
    out = os.path.join(workdir, "decoded-" + os.path.basename(path))
    for tool in ("dcmdjpeg", "dcmdjpls", "dcmdrle"):
        if subprocess.run([tool, path, out], capture_output=True).returncode == 0:
            return out
    raise AssertionError(f"DCMTK cannot decode {path}")


def fingerprints(paths):
    return {fp["sop"]: fp for fp in (dataset_fingerprint(p) for p in paths)}


class StoreAndForward(EndToEndTest):
    def test_every_instance_reaches_both_destinations_unchanged(self):
        archive = self.track(StoreScp(self.workdir, "ARCHIVE"))
        reader = self.track(StoreScp(self.workdir, "READER1"))
        sundial = self.track(Sundial(self.workdir, [
            {"name": "ARCHIVE", "ae": "ARCHIVE", "port": archive.port, "mode": "on_completion"},
            {"name": "READER1", "ae": "READER1", "port": reader.port, "mode": "streaming"},
        ]))
        corpus = [os.path.join(CORPUS, "dicom", name) for name in CORPUS_FILES]
        _, generated = make_ct_study(os.path.join(self.workdir, "ct"), 20, seed=7)
        sent = corpus + generated

        code, output = dcmsend(sundial.dicom_port, "SUNDIAL", corpus)
        self.assertEqual(code, 0, output)
        self.assertIn(f"with status SUCCESS  : {len(corpus)}", output)
        code, acked, output = storescu(sundial.dicom_port, "SUNDIAL", generated)
        self.assertEqual(code, 0, output)
        self.assertEqual(len(acked), len(generated), output)

        expected = fingerprints(sent)
        paths_by_sop = {dataset_fingerprint(p)["sop"]: p for p in sent}
        for dest in (archive, reader):
            wait_until(lambda: len(dest.files()) >= len(expected), 30, f"all instances at {dest.ae_title}")
            time.sleep(0.5)  # nothing extra may follow
            received = [dataset_fingerprint(p) for p in dest.files()]
            self.assertEqual(len(received), len(expected), f"duplicates or extras at {dest.ae_title}")
            for fp in received:
                self.assertIn(fp["sop"], expected)
                want = expected[fp["sop"]]
                self.assertEqual(fp["study"], want["study"])
                if fp["ts"] != want["ts"] and want["compressed"]:
                    # Converted because the destination does not take the original syntax:
                    # the pixels must be what DCMTK itself decodes from the original.
                    want = dataset_fingerprint(decoded_copy(paths_by_sop[fp["sop"]], self.workdir))
                self.assertEqual(fp["pixels"], want["pixels"],
                                 f"pixel data changed for {fp['sop']} ({want['ts']} -> {fp['ts']})")
                if want["compressed"] and want["ts"] != JPEG_PROCESS_14:
                    self.assertEqual(fp["ts"], want["ts"], "compressed data must travel as it came")

        metrics = sundial.metrics()
        self.assertIn('sundial_instances_received_total{site="DEMO"}', metrics)
        self.assertIn('sundial_forwarded_total{destination="ARCHIVE"}', metrics)

    def test_streaming_reaches_the_reader_before_the_study_completes(self):
        archive = self.track(StoreScp(self.workdir, "ARCHIVE"))
        reader = self.track(StoreScp(self.workdir, "READER1"))
        sundial = self.track(Sundial(self.workdir, [
            {"name": "ARCHIVE", "ae": "ARCHIVE", "port": archive.port, "mode": "on_completion"},
            {"name": "READER1", "ae": "READER1", "port": reader.port, "mode": "streaming"},
        ], quiet_period_ms=4000))
        _, files = make_ct_study(os.path.join(self.workdir, "ct"), 5, seed=3)
        code, acked, output = storescu(sundial.dicom_port, "SUNDIAL", files)
        self.assertEqual(code, 0, output)
        sent_at = time.monotonic()
        wait_until(lambda: len(reader.files()) == 5, 3, "streamed instances at the reader")
        self.assertEqual(archive.files(), [], "on-completion destination must wait for the quiet period")
        wait_until(lambda: len(archive.files()) == 5, 15, "the completed study at the archive")
        self.assertGreaterEqual(time.monotonic() - sent_at, 3.0)

        studies = sundial.studies()
        self.assertEqual(len(studies["studies"]), 1)
        study = studies["studies"][0]
        self.assertEqual(study["state"], "complete")
        self.assertEqual(study["instances"], 5)


if __name__ == "__main__":
    unittest.main()
