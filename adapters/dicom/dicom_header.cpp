#include "adapters/dicom/dicom_header.h"

#include "dcmtk/config/osconfig.h"  // first, as DCMTK requires

#include <array>
#include <fstream>
#include <string_view>
#include <system_error>

#include "adapters/dicom/dicom_inflate.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcmetinf.h"
#include "dcmtk/dcmdata/dcuid.h"

#include "adapters/dicom/dicom_text_utf8.h"

namespace sundial::adapters::dicom {
namespace {

// Values longer than this stay on disk; every attribute we read is far shorter.
constexpr Uint32 kMaxReadLength = 1024;
// A deflated data set is inflated only this far: every attribute we read comes before the
// pixel data, in the first kilobytes of any real header.
constexpr std::uint64_t kMaxInflatedHeaderBytes = 16 * 1024 * 1024;
// The attributes we read are all before this tag: parsing an inflated header stops here.
const DcmTagKey kPastLastReadTag(0x0020, 0x000F);
// Preamble, "DICM", and the File Meta Information Group Length element.
constexpr std::uint64_t kBytesBeforeMetaGroup = 128 + 4 + 12;

Error unreadable(const OFCondition& condition, const std::filesystem::path& file) {
  return makeError(ErrorCode::InvalidInput,
                   std::string("unreadable DICOM data set: ") + condition.text(),
                   "file=" + file.string());
}

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

// Whether `file` starts with the 128-byte preamble and "DICM", as the receiver writes it.
bool hasPart10Preamble(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::array<char, 132> start{};
  in.read(start.data(), start.size());
  return in.gcount() == static_cast<std::streamsize>(start.size()) &&
         std::string_view(start.data() + 128, 4) == "DICM";
}

// A deflated data set, read from an inflated copy of its first kMaxInflatedHeaderBytes as a
// plain Explicit VR Little Endian data set (dicom_inflate.h says why), up to the last tag we
// read. `meta` is the file's meta information, already loaded.
Result<void> loadDeflatedDataSet(const std::filesystem::path& file, DcmMetaInfo& meta,
                                 DcmFileFormat& into) {
  Uint32 meta_length = 0;
  if (!hasPart10Preamble(file) ||
      meta.findAndGetUint32(DCM_FileMetaInformationGroupLength, meta_length).bad()) {
    return makeError(ErrorCode::InvalidInput,
                     "deflated data set without a preamble and meta group length",
                     "file=" + file.string());
  }
  const std::filesystem::path inflated = file.string() + ".inflated";
  Result<std::uint64_t> written =
      inflateDataSet(file, kBytesBeforeMetaGroup + meta_length, inflated, kMaxInflatedHeaderBytes);
  Result<void> outcome = okResult();
  if (!written) {
    outcome = written.error();
  } else {
    OFCondition loaded = into.loadFileUntilTag(inflated.c_str(), EXS_LittleEndianExplicit,
                                               EGL_noChange, kMaxReadLength, ERM_dataset,
                                               kPastLastReadTag);
    if (loaded.bad()) outcome = unreadable(loaded, file);
  }
  std::error_code ignored;
  std::filesystem::remove(inflated, ignored);
  return outcome;
}

}  // namespace

Result<DicomHeader> readDicomHeader(const std::filesystem::path& file) {
  // The meta information first: a deflated data set must not reach DCMTK's own reader.
  // A file without meta information (an old ACR-NEMA style file) is read whole below.
  DcmFileFormat probe;
  DcmFileFormat format;
  DcmMetaInfo* meta = nullptr;
  OFCondition loaded = probe.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, kMaxReadLength,
                                      ERM_metaOnly);
  if (loaded.good() && readString(probe.getMetaInfo(), DCM_TransferSyntaxUID) ==
                           UID_DeflatedExplicitVRLittleEndianTransferSyntax) {
    meta = probe.getMetaInfo();
    if (Result<void> read = loadDeflatedDataSet(file, *meta, format); !read) return read.error();
  } else {
    loaded = format.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, kMaxReadLength,
                             ERM_autoDetect);
    if (loaded.bad()) return unreadable(loaded, file);
    meta = format.getMetaInfo();
  }
  DcmDataset* dataset = format.getDataset();
  DicomHeader header;
  header.study_uid = readString(dataset, DCM_StudyInstanceUID);
  header.series_uid = readString(dataset, DCM_SeriesInstanceUID);
  header.sop_instance_uid = readString(dataset, DCM_SOPInstanceUID);
  header.sop_class_uid = readString(dataset, DCM_SOPClassUID);
  header.modality = readString(dataset, DCM_Modality);
  header.transfer_syntax_uid = readString(meta, DCM_TransferSyntaxUID);
  header.source_ae_title = readString(meta, DCM_SourceApplicationEntityTitle);
  header.study = readStudyAttributes(dataset);
  return header;
}

}  // namespace sundial::adapters::dicom
