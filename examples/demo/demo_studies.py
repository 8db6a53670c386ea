"""A synthetic study and its order: a few small generated images (pydicom) and the ORM^O01
a site's RIS would send for it, sharing the accession number so the engine can match them.
Patients are invented (DEMO^...); never real data."""

import datetime
import os
from dataclasses import dataclass, field

import numpy as np
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

# modality -> (SOP class, procedure code, description, body part, images)
PROCEDURES = {
    "CT": ("1.2.840.10008.5.1.4.1.1.2", "CTHEAD", "CT head without contrast", "HEAD", 8),
    "MR": ("1.2.840.10008.5.1.4.1.1.4", "MRLSP", "MR lumbar spine", "LSPINE", 6),
    "CR": ("1.2.840.10008.5.1.4.1.1.1", "XRCHEST", "Chest 2 views", "CHEST", 2),
    "US": ("1.2.840.10008.5.1.4.1.1.6.1", "USABD", "US abdomen complete", "ABDOMEN", 4),
}
HL7_PRIORITY = {"STAT": "S", "URGENT": "A", "ROUTINE": "R"}
FAMILY = ["DEMO", "SAMPLE", "TEST", "EXAMPLE"]
GIVEN = ["ALEX", "SAM", "JO", "RIVER", "CASEY", "NOOR", "KIM", "ROBIN"]


@dataclass
class Study:
    site: object
    priority: str
    modality: str
    accession: str
    study_uid: str
    patient_id: str
    patient_name: str
    birth_date: str
    sex: str
    files: list = field(default_factory=list)

    def order_message(self):
        """ORM^O01 (HL7 v2.5.1): priority in ORC-7.6 and OBR-27.6, accession in OBR-18,
        modality in OBR-24, the study UID in a ZDS segment."""
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d%H%M%S")
        sop, code, text, _, _ = PROCEDURES[self.modality]
        p = HL7_PRIORITY[self.priority]
        segments = [
            f"MSH|^~\\&|{self.site.sending_application}|{self.site.sending_facility}|SUNDIAL|SUNDIAL|{now}||ORM^O01|{self.accession}|P|2.5.1",
            f"PID|1||{self.patient_id}^^^{self.site.name}||{self.patient_name}||{self.birth_date}|{self.sex}",
            "PV1|1|E",
            f"ORC|NW|P{self.accession}|F{self.accession}||SC||^^^^^{p}||{now}",
            f"OBR|1|P{self.accession}|F{self.accession}|{code}^{text}|||{now}|||||||||||{self.accession}"
            f"||||||{self.modality}|||^^^^^{p}",
            f"ZDS|{self.study_uid}^^Application^DICOM",
        ]
        return "\r".join(segments) + "\r"


def make_study(folder, site, n, priority, rng):
    modality = rng.choice(sorted(PROCEDURES))
    sop_class, code, description, body_part, images = PROCEDURES[modality]
    seed = rng.randrange(1 << 30)
    study = Study(
        site=site, priority=priority, modality=modality,
        accession=f"D{seed % 10**8:08d}",
        study_uid=generate_uid(entropy_srcs=[f"night-study-{seed}"]),
        patient_id=f"DEMO{seed % 10**6:06d}",
        patient_name=f"{rng.choice(FAMILY)}^{rng.choice(GIVEN)}",
        birth_date=f"19{rng.randrange(40, 99)}0{rng.randrange(1, 9)}1{rng.randrange(0, 9)}",
        sex=rng.choice("FM"),
    )
    series_uid = generate_uid(entropy_srcs=[f"night-series-{seed}"])
    pixels = np.random.default_rng(seed)
    for i in range(images):
        sop_uid = generate_uid(entropy_srcs=[f"night-sop-{seed}-{i}"])
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = sop_class
        meta.MediaStorageSOPInstanceUID = sop_uid
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        path = os.path.join(folder, f"study{n:03d}_{i:03d}.dcm")
        ds = FileDataset(path, {}, file_meta=meta, preamble=b"\0" * 128)
        ds.is_little_endian = True
        ds.is_implicit_VR = False
        ds.SOPClassUID = sop_class
        ds.SOPInstanceUID = sop_uid
        ds.StudyInstanceUID = study.study_uid
        ds.SeriesInstanceUID = series_uid
        ds.Modality = modality
        ds.BodyPartExamined = body_part
        ds.StudyDescription = description
        ds.PatientName = study.patient_name
        ds.PatientID = study.patient_id
        ds.PatientBirthDate = study.birth_date
        ds.PatientSex = study.sex
        ds.AccessionNumber = study.accession
        ds.InstitutionName = site.name
        ds.StudyDate = datetime.date.today().strftime("%Y%m%d")
        ds.InstanceNumber = i + 1
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.Rows = 64
        ds.Columns = 64
        ds.BitsAllocated = 16
        ds.BitsStored = 12
        ds.HighBit = 11
        ds.PixelRepresentation = 0
        ds.PixelData = pixels.integers(0, 4095, size=(64, 64), dtype=np.uint16).tobytes()
        ds.save_as(path, write_like_original=False)
        study.files.append(path)
    return study
