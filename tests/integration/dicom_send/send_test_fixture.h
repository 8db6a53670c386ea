#pragma once
// What the DicomInstanceSender tests share: corpus names, reading what arrived, and a fixture
// that starts real DCMTK storescp peers in a temporary folder.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/dicom/send_instance_sender.h"
#include "dcmtk/config/osconfig.h"  // first, as DCMTK requires
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcpixel.h"
#include "dcmtk/dcmdata/dcpixseq.h"
#include "dcmtk/dcmdata/dcpxitem.h"
#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmdata/dcxfer.h"
#include "tests/support/storescp_process.h"

namespace sundial::adapters::dicom {
namespace send_test {

namespace fs = std::filesystem;
using sundial::testing::StorescpOptions;
using sundial::testing::StorescpProcess;

inline constexpr const char* kOurAeTitle = "SUNDIAL";
inline constexpr const char* kJpegLsCt = "dicomparser_sf_CT1_UNC.fragmented_bot_jpeg_ls.80.dcm";
inline constexpr const char* kJpegLosslessMr = "dcm4che_MR-JPEGLosslessSV1.dcm";
inline constexpr const char* kExplicitNm = "dcm4che_NM-MONO2-16-13x-heart.dcm";
inline constexpr const char* kExplicitPt = "godicom_2.dcm";
inline constexpr const char* kRleUs = "dcm4che_YBR_FULL-RLE.dcm";
inline constexpr const char* kImplicitSeg = "highdicom_seg_image_ct_binary.dcm";
inline constexpr const char* kDeflatedSr = "dcm4che_report_dfl.dcm";
inline constexpr const char* kJpeg2000Mr = "fodicom_GH064.dcm";  // DCMTK 3.6.7 has no JPEG 2000 codec

inline fs::path corpusFile(const std::string& name) {
  return fs::path(SUNDIAL_CORPUS_DIR) / "dicom" / name;
}

inline std::string stringOf(DcmItem& item, const DcmTagKey& tag) {
  OFString value;
  item.findAndGetOFString(tag, value);
  return value.c_str();
}

struct Instance {
  std::string sop_class_uid;
  std::string sop_instance_uid;
  std::string study_uid;
  std::string transfer_syntax_uid;
};

inline Instance readInstance(const fs::path& path) {
  DcmFileFormat file;
  EXPECT_TRUE(file.loadFile(path.c_str()).good()) << path;
  DcmDataset& dataset = *file.getDataset();
  return Instance{stringOf(dataset, DCM_SOPClassUID), stringOf(dataset, DCM_SOPInstanceUID),
                  stringOf(dataset, DCM_StudyInstanceUID),
                  DcmXfer(dataset.getOriginalXfer()).getXferID()};
}

// The pixel data as stored: one entry per fragment when encapsulated, else the whole value.
inline std::vector<std::vector<Uint8>> storedPixelData(DcmDataset& dataset) {
  std::vector<std::vector<Uint8>> parts;
  DcmElement* element = nullptr;
  if (dataset.findAndGetElement(DCM_PixelData, element).bad()) return parts;
  auto* pixel_data = static_cast<DcmPixelData*>(element);
  DcmPixelSequence* sequence = nullptr;
  E_TransferSyntax xfer = dataset.getOriginalXfer();
  if (DcmXfer(xfer).isEncapsulated() &&
      pixel_data->getEncapsulatedRepresentation(xfer, nullptr, sequence).good() && sequence) {
    for (unsigned long i = 0; i < sequence->card(); ++i) {
      DcmPixelItem* item = nullptr;
      Uint8* bytes = nullptr;
      if (sequence->getItem(item, i).bad()) continue;
      item->getUint8Array(bytes);
      parts.emplace_back(bytes, bytes + item->getLength());
    }
    return parts;
  }
  std::vector<Uint8> bytes(element->getLength());
  if (!bytes.empty()) element->getPartialValue(bytes.data(), 0, element->getLength());
  parts.push_back(std::move(bytes));
  return parts;
}

inline std::vector<Uint8> decodedPixelData(const fs::path& path) {
  DcmFileFormat file;
  EXPECT_TRUE(file.loadFile(path.c_str()).good());
  DcmDataset& dataset = *file.getDataset();
  EXPECT_TRUE(dataset.chooseRepresentation(EXS_LittleEndianExplicit, nullptr).good()) << path;
  DcmElement* element = nullptr;
  EXPECT_TRUE(dataset.findAndGetElement(DCM_PixelData, element).good());
  std::vector<Uint8> bytes(element->getLength());
  element->getPartialValue(bytes.data(), 0, element->getLength());
  return bytes;
}

class DicomSendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!commandExists("storescp") || !commandExists("echoscu")) {
      GTEST_SKIP() << "storescp/echoscu not installed (Debian package dcmtk)";
    }
    char pattern[] = "/tmp/sundial-dicom-send-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    work_dir_ = pattern;
    fs::create_directories(work_dir_ / "spool");
  }

  void TearDown() override {
    if (work_dir_.empty()) return;
    if (HasFailure()) {
      std::cerr << "test folder kept: " << work_dir_ << "\n";
      return;
    }
    std::error_code ignored;
    fs::remove_all(work_dir_, ignored);
  }

  static bool commandExists(const std::string& name) {
    return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
  }

  std::unique_ptr<StorescpProcess> startStorescp(const std::string& name, StorescpOptions options) {
    options.output_dir = work_dir_ / name;
    auto process = std::make_unique<StorescpProcess>(std::move(options));
    Result<void> started = process->start();
    EXPECT_TRUE(started.ok()) << (started.ok() ? "" : started.error().describe());
    return started.ok() ? std::move(process) : nullptr;
  }

  // Copies a corpus file into the spool folder (inputs are never used in place).
  engine::ForwardJob spoolJob(const std::string& corpus_name, const std::string& destination) {
    fs::path target = work_dir_ / "spool" / corpus_name;
    fs::copy_file(corpusFile(corpus_name), target, fs::copy_options::overwrite_existing);
    return jobFor(target, destination);
  }

  // A job for a file already in the spool folder.
  engine::ForwardJob jobFor(const fs::path& spool_file, const std::string& destination) {
    Instance instance = readInstance(spool_file);
    engine::ForwardJob job;
    job.destination = destination;
    job.sop_class_uid = instance.sop_class_uid;
    job.sop_instance_uid = instance.sop_instance_uid;
    job.study_uid = instance.study_uid;
    job.transfer_syntax_uid = instance.transfer_syntax_uid;
    job.spool_path = spool_file.string();
    return job;
  }

  static config::DestinationConfig destinationFor(const std::string& ae_title, std::uint16_t port) {
    config::DestinationConfig destination;
    destination.name = "test-destination";
    destination.ae_title = ae_title;
    destination.host = "127.0.0.1";
    destination.port = port;
    return destination;
  }

  // Prepares the sender for `jobs` and sends them in order on its association, each expected
  // to succeed (a failure names the file and the reason, and the rest are still sent).
  static void sendAll(DicomInstanceSender& sender, const std::vector<engine::ForwardJob>& jobs) {
    sender.prepare(jobs);
    for (const engine::ForwardJob& job : jobs) {
      Result<void> sent = sender.send(job);
      EXPECT_TRUE(sent.ok()) << job.spool_path << ": " << (sent.ok() ? "" : sent.error().describe());
    }
  }

  static std::unique_ptr<DicomInstanceSender> makeSender(config::DestinationConfig destination) {
    SendTimeouts timeouts{std::chrono::seconds(3), std::chrono::seconds(5),
                          std::chrono::seconds(10)};
    return std::make_unique<DicomInstanceSender>(kOurAeTitle, std::move(destination), timeouts,
                                                 65536);
  }

  // The received file holding `sop_instance_uid` (storescp names files by modality and UID).
  static fs::path receivedFile(const StorescpProcess& scp, const std::string& sop_instance_uid) {
    for (const auto& entry : fs::directory_iterator(scp.outputDir())) {
      if (entry.path().filename().string().find(sop_instance_uid) != std::string::npos) {
        return entry.path();
      }
    }
    return {};
  }

  fs::path work_dir_;
};

}  // namespace send_test
}  // namespace sundial::adapters::dicom
