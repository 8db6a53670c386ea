#!/usr/bin/python3
"""Writes N synthetic 512x512 16-bit CT images (explicit VR little endian, ~0.5 MB each) to
OUT_DIR, one study and series, for the forwarding throughput probe. Needs pydicom and numpy
(Debian: python3-pydicom, python3-numpy). Seeded, so every run writes the same pixels.

usage: make_ct_series.py OUT_DIR [COUNT] [ROWS]
"""
import os
import sys

import numpy as np
import pydicom
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"


def main():
    out_dir = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    rows = int(sys.argv[3]) if len(sys.argv) > 3 else 512
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(20240601)
    study_uid, series_uid = generate_uid(), generate_uid()
    for index in range(count):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CT_IMAGE_STORAGE
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        path = os.path.join(out_dir, f"ct{index:05d}.dcm")
        ds = FileDataset(path, {}, file_meta=meta, preamble=b"\0" * 128)
        ds.SOPClassUID = CT_IMAGE_STORAGE
        ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, series_uid
        ds.PatientName, ds.PatientID, ds.Modality = "BENCH^CT", "BENCH0001", "CT"
        ds.InstanceNumber = index + 1
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.Rows = ds.Columns = rows
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
        ds.PixelData = rng.integers(0, 4096, size=(rows, rows), dtype=np.uint16).tobytes()
        ds.is_little_endian, ds.is_implicit_VR = True, False
        ds.save_as(path, write_like_original=False)


if __name__ == "__main__":
    main()
