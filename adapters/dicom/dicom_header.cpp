#include "adapters/dicom/dicom_header.h"

#include "dcmtk/config/osconfig.h"  // first, as DCMTK requires

#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcmetinf.h"

#include "adapters/dicom/dicom_text_utf8.h"

namespace sundial::adapters::dicom {
namespace {

// Values longer than this stay on disk; every attribute we read is far shorter.
constexpr Uint32 kMaxReadLength = 1024;

// The whole value (every component of a multi-valued one), without trailing padding.
std::string readString(DcmItem* item, const DcmTagKey& tag) {
  if (item == nullptr) return {};
  OFString value;
  if (item->findAndGetOFStringArray(tag, value).bad()) return {};
  std::string text(value.c_str(), value.length());
  while (!text.empty() && (text.back() == ' ' || text.back() == '\0')) text.pop_back();
  return text;
}

// Where an ISO 2022 character set returns to the default inside a person name.
constexpr const char* kPersonNameDelimiters = "\\^=";

// A study attribute as UTF-8 text that can travel on the bus: its unit separator (0x1F, the
// event codec's) and NULs become spaces. Only the site's odd bytes are touched.
std::string readStudyAttribute(DcmItem* item, const DcmTagKey& tag, const TextToUtf8& utf8,
                               const char* delimiters = "") {
  std::string text = utf8.convert(readString(item, tag), delimiters);
  for (char& c : text) {
    if (c == '\x1f' || c == '\0') c = ' ';
  }
  return text;
}

InstanceStudyAttributes readStudyAttributes(DcmItem* dataset) {
  const TextToUtf8 utf8(dataset);
  InstanceStudyAttributes study;
  study.accession_number = readStudyAttribute(dataset, DCM_AccessionNumber, utf8);
  study.patient_id = readStudyAttribute(dataset, DCM_PatientID, utf8);
  study.patient_name = readStudyAttribute(dataset, DCM_PatientName, utf8, kPersonNameDelimiters);
  study.birth_date = readStudyAttribute(dataset, DCM_PatientBirthDate, utf8);
  study.sex = readStudyAttribute(dataset, DCM_PatientSex, utf8);
  study.study_date = readStudyAttribute(dataset, DCM_StudyDate, utf8);
  study.study_time = readStudyAttribute(dataset, DCM_StudyTime, utf8);
  study.study_description = readStudyAttribute(dataset, DCM_StudyDescription, utf8);
  study.body_part_examined = readStudyAttribute(dataset, DCM_BodyPartExamined, utf8);
  study.referring_physician =
      readStudyAttribute(dataset, DCM_ReferringPhysicianName, utf8, kPersonNameDelimiters);
  return study;
}

}  // namespace

Result<DicomHeader> readDicomHeader(const std::filesystem::path& file) {
  DcmFileFormat format;
  OFCondition loaded = format.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, kMaxReadLength,
                                       ERM_autoDetect);
  if (loaded.bad()) {
    return makeError(ErrorCode::InvalidInput,
                     std::string("unreadable DICOM data set: ") + loaded.text(),
                     "file=" + file.string());
  }
  DicomHeader header;
  DcmDataset* dataset = format.getDataset();
  header.study_uid = readString(dataset, DCM_StudyInstanceUID);
  header.series_uid = readString(dataset, DCM_SeriesInstanceUID);
  header.sop_instance_uid = readString(dataset, DCM_SOPInstanceUID);
  header.sop_class_uid = readString(dataset, DCM_SOPClassUID);
  header.modality = readString(dataset, DCM_Modality);
  header.transfer_syntax_uid = readString(format.getMetaInfo(), DCM_TransferSyntaxUID);
  header.source_ae_title = readString(format.getMetaInfo(), DCM_SourceApplicationEntityTitle);
  header.study = readStudyAttributes(dataset);
  return header;
}

}  // namespace sundial::adapters::dicom
