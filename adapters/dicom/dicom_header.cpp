#include "adapters/dicom/dicom_header.h"

#include "dcmtk/config/osconfig.h"  // first, as DCMTK requires

#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcmetinf.h"

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
  return header;
}

}  // namespace sundial::adapters::dicom
