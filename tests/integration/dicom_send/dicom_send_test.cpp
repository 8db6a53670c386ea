// DicomInstanceSender against a real DCMTK storescp on loopback.

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
namespace {

namespace fs = std::filesystem;
using sundial::testing::StorescpOptions;
using sundial::testing::StorescpProcess;

constexpr const char* kOurAeTitle = "SUNDIAL";
constexpr const char* kJpegLsCt = "dicomparser_sf_CT1_UNC.fragmented_bot_jpeg_ls.80.dcm";
constexpr const char* kJpegLosslessMr = "dcm4che_MR-JPEGLosslessSV1.dcm";
constexpr const char* kExplicitNm = "dcm4che_NM-MONO2-16-13x-heart.dcm";
constexpr const char* kExplicitPt = "godicom_2.dcm";
constexpr const char* kRleUs = "dcm4che_YBR_FULL-RLE.dcm";
constexpr const char* kImplicitSeg = "highdicom_seg_image_ct_binary.dcm";
constexpr const char* kDeflatedSr = "dcm4che_report_dfl.dcm";
constexpr const char* kJpeg2000Mr = "fodicom_GH064.dcm";  // DCMTK 3.6.7 has no JPEG 2000 codec

fs::path corpusFile(const std::string& name) {
  return fs::path(SUNDIAL_CORPUS_DIR) / "dicom" / name;
}

std::string stringOf(DcmItem& item, const DcmTagKey& tag) {
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

Instance readInstance(const fs::path& path) {
  DcmFileFormat file;
  EXPECT_TRUE(file.loadFile(path.c_str()).good()) << path;
  DcmDataset& dataset = *file.getDataset();
  return Instance{stringOf(dataset, DCM_SOPClassUID), stringOf(dataset, DCM_SOPInstanceUID),
                  stringOf(dataset, DCM_StudyInstanceUID),
                  DcmXfer(dataset.getOriginalXfer()).getXferID()};
}

// The pixel data as stored: one entry per fragment when encapsulated, else the whole value.
std::vector<std::vector<Uint8>> storedPixelData(DcmDataset& dataset) {
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

std::vector<Uint8> decodedPixelData(const fs::path& path) {
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
    Instance instance = readInstance(target);
    engine::ForwardJob job;
    job.destination = destination;
    job.sop_class_uid = instance.sop_class_uid;
    job.sop_instance_uid = instance.sop_instance_uid;
    job.study_uid = instance.study_uid;
    job.transfer_syntax_uid = instance.transfer_syntax_uid;
    job.spool_path = target.string();
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

TEST_F(DicomSendTest, SendsSeveralSopClassesAndSyntaxesAsIsOverOneAssociation) {
  StorescpOptions options;
  options.ae_title = "ARCHIVE";
  options.accept_all_syntaxes = true;
  auto scp = startStorescp("archive", options);
  ASSERT_TRUE(scp);

  std::vector<engine::ForwardJob> jobs;
  for (const char* name :
       {kExplicitNm, kExplicitPt, kJpegLosslessMr, kJpegLsCt, kRleUs, kImplicitSeg, kDeflatedSr}) {
    jobs.push_back(spoolJob(name, "archive"));
  }
  auto sender = makeSender(destinationFor("ARCHIVE", scp->port()));
  sender->prepare(jobs);
  for (const engine::ForwardJob& job : jobs) {
    Result<void> sent = sender->send(job);
    EXPECT_TRUE(sent.ok()) << job.spool_path << ": " << (sent.ok() ? "" : sent.error().describe());
  }
  EXPECT_EQ(sender->associationsOpened(), 1);
  sender->release();
  EXPECT_EQ(scp->associationsReceived(), 1);

  for (const engine::ForwardJob& job : jobs) {
    SCOPED_TRACE(job.spool_path);
    fs::path received = receivedFile(*scp, job.sop_instance_uid);
    ASSERT_FALSE(received.empty()) << "not received";
    Instance got = readInstance(received);
    EXPECT_EQ(got.sop_instance_uid, job.sop_instance_uid);
    EXPECT_EQ(got.sop_class_uid, job.sop_class_uid);
    EXPECT_EQ(got.study_uid, job.study_uid);
    EXPECT_EQ(got.transfer_syntax_uid, job.transfer_syntax_uid);
    DcmFileFormat original;
    DcmFileFormat copy;
    ASSERT_TRUE(original.loadFile(job.spool_path.c_str()).good());
    ASSERT_TRUE(copy.loadFile(received.c_str()).good());
    EXPECT_EQ(storedPixelData(*copy.getDataset()), storedPixelData(*original.getDataset()));
  }
}

TEST_F(DicomSendTest, ConvertsCompressedInstancesForAPeerAcceptingOnlyUncompressed) {
  StorescpOptions options;
  options.ae_title = "READER";  // storescp's default: uncompressed syntaxes only
  auto scp = startStorescp("reader", options);
  ASSERT_TRUE(scp);
  auto sender = makeSender(destinationFor("READER", scp->port()));

  std::vector<engine::ForwardJob> jobs = {spoolJob(kJpegLsCt, "reader"),
                                          spoolJob(kJpegLosslessMr, "reader"),
                                          spoolJob(kRleUs, "reader")};
  sender->prepare(jobs);
  for (const engine::ForwardJob& job : jobs) {
    Result<void> sent = sender->send(job);
    ASSERT_TRUE(sent.ok()) << sent.error().describe();
  }
  EXPECT_EQ(sender->associationsOpened(), 1);

  for (const engine::ForwardJob& job : jobs) {
    SCOPED_TRACE(job.spool_path);
    fs::path received = receivedFile(*scp, job.sop_instance_uid);
    ASSERT_FALSE(received.empty());
    Instance got = readInstance(received);
    EXPECT_EQ(got.transfer_syntax_uid, UID_LittleEndianExplicitTransferSyntax);
    EXPECT_EQ(got.study_uid, job.study_uid);
    DcmFileFormat copy;
    ASSERT_TRUE(copy.loadFile(received.c_str()).good());
    std::vector<std::vector<Uint8>> received_pixels = storedPixelData(*copy.getDataset());
    ASSERT_EQ(received_pixels.size(), 1u);
    EXPECT_EQ(received_pixels.front(), decodedPixelData(job.spool_path));
  }
}

TEST_F(DicomSendTest, InstanceThatCannotBeConvertedIsInvalidInputAndTheAssociationStays) {
  StorescpOptions options;
  options.ae_title = "READER";  // uncompressed only, so JPEG 2000 would need decoding
  auto scp = startStorescp("reader", options);
  ASSERT_TRUE(scp);
  auto sender = makeSender(destinationFor("READER", scp->port()));
  engine::ForwardJob jpeg2000 = spoolJob(kJpeg2000Mr, "reader");
  engine::ForwardJob nm = spoolJob(kExplicitNm, "reader");
  sender->prepare({jpeg2000, nm});

  Result<void> refused = sender->send(jpeg2000);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::InvalidInput) << refused.error().describe();
  EXPECT_NE(refused.error().message.find("READER@127.0.0.1:"), std::string::npos);
  EXPECT_NE(refused.error().message.find("cannot convert"), std::string::npos);

  Result<void> sent = sender->send(nm);
  ASSERT_TRUE(sent.ok()) << sent.error().describe();
  EXPECT_EQ(sender->associationsOpened(), 1);
  EXPECT_TRUE(receivedFile(*scp, jpeg2000.sop_instance_uid).empty());
}

TEST_F(DicomSendTest, DestinationDownIsUnavailableThenTheSameSenderRecovers) {
  std::uint16_t port = StorescpProcess::findFreePort();
  ASSERT_NE(port, 0);
  auto sender = makeSender(destinationFor("ARCHIVE", port));
  engine::ForwardJob job = spoolJob(kExplicitNm, "archive");

  Result<void> down = sender->send(job);
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, ErrorCode::Unavailable) << down.error().describe();
  EXPECT_NE(down.error().message.find("ARCHIVE@127.0.0.1:" + std::to_string(port)),
            std::string::npos);

  StorescpOptions options;
  options.ae_title = "ARCHIVE";
  options.port = port;
  auto scp = startStorescp("archive-1", options);
  ASSERT_TRUE(scp);
  Result<void> up = sender->send(job);
  ASSERT_TRUE(up.ok()) << up.error().describe();
  EXPECT_EQ(sender->associationsOpened(), 1);

  scp->stop();  // the destination goes away with our association open
  Result<void> lost = sender->send(job);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code, ErrorCode::Unavailable) << lost.error().describe();
  EXPECT_FALSE(sender->associationOpen());

  auto again = startStorescp("archive-2", options);
  ASSERT_TRUE(again);
  Result<void> back = sender->send(job);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(sender->associationsOpened(), 2);
  EXPECT_FALSE(receivedFile(*again, job.sop_instance_uid).empty());
}

TEST_F(DicomSendTest, PeerAbortingDuringTheStoreIsUnavailable) {
  StorescpOptions options;
  options.ae_title = "ARCHIVE";
  options.extra_args = {"--abort-after"};  // A-ABORT instead of the C-STORE response
  auto scp = startStorescp("aborting", options);
  ASSERT_TRUE(scp);
  auto sender = makeSender(destinationFor("ARCHIVE", scp->port()));

  Result<void> sent = sender->send(spoolJob(kExplicitNm, "archive"));
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, ErrorCode::Unavailable) << sent.error().describe();
  EXPECT_NE(sent.error().message.find("ARCHIVE@127.0.0.1:"), std::string::npos);
  EXPECT_FALSE(sender->associationOpen());
}

TEST_F(DicomSendTest, NoResponseWithinTheDimseTimeoutIsUnavailable) {
  StorescpOptions options;
  options.ae_title = "ARCHIVE";
  options.extra_args = {"--sleep-during", "3"};  // answers each C-STORE 3 s late
  auto scp = startStorescp("slow", options);
  ASSERT_TRUE(scp);
  SendTimeouts timeouts{std::chrono::seconds(2), std::chrono::seconds(2), std::chrono::seconds(1)};
  DicomInstanceSender sender(kOurAeTitle, destinationFor("ARCHIVE", scp->port()), timeouts, 65536);

  Result<void> sent = sender.send(spoolJob(kExplicitNm, "archive"));
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, ErrorCode::Unavailable) << sent.error().describe();
  EXPECT_NE(sent.error().message.find("DIMSE timeout"), std::string::npos);
  EXPECT_EQ(sender.associationsOpened(), 1);  // no immediate second try on a slow peer
}

TEST_F(DicomSendTest, AssociationRefusedByPeerIsRejectedWithItsReason) {
  // storescp 3.6.7 does not check the called AE title; --refuse makes it reject every
  // association request, as a peer that does not know our (or its) AE title would.
  StorescpOptions options;
  options.ae_title = "ARCHIVE";
  options.refuse_associations = true;
  auto scp = startStorescp("refusing", options);
  ASSERT_TRUE(scp);
  auto sender = makeSender(destinationFor("NOT_ARCHIVE", scp->port()));

  Result<void> sent = sender->send(spoolJob(kExplicitNm, "archive"));
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, ErrorCode::Rejected) << sent.error().describe();
  EXPECT_NE(sent.error().message.find("NOT_ARCHIVE@127.0.0.1:"), std::string::npos);
  EXPECT_NE(sent.error().message.find("Rejected Permanent"), std::string::npos)
      << sent.error().message;
  EXPECT_NE(sent.error().message.find("Reason"), std::string::npos);
}

TEST_F(DicomSendTest, MissingSpoolFileIsNotFound) {
  StorescpOptions options;
  options.ae_title = "ARCHIVE";
  auto scp = startStorescp("archive", options);
  ASSERT_TRUE(scp);
  auto sender = makeSender(destinationFor("ARCHIVE", scp->port()));
  engine::ForwardJob job = spoolJob(kExplicitNm, "archive");
  fs::remove(job.spool_path);

  Result<void> sent = sender->send(job);
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, ErrorCode::NotFound) << sent.error().describe();
  EXPECT_NE(sent.error().message.find("ARCHIVE@127.0.0.1:"), std::string::npos);
}

TEST_F(DicomSendTest, TenSendsUseOneAssociation) {
  StorescpOptions options;
  options.ae_title = "ARCHIVE";
  auto scp = startStorescp("archive", options);
  ASSERT_TRUE(scp);
  auto sender = makeSender(destinationFor("ARCHIVE", scp->port()));
  engine::ForwardJob job = spoolJob(kExplicitPt, "archive");
  sender->prepare({job});
  for (int i = 0; i < 10; ++i) {
    Result<void> sent = sender->send(job);
    ASSERT_TRUE(sent.ok()) << i << ": " << sent.error().describe();
  }
  EXPECT_TRUE(sender->associationOpen());
  sender->release();
  EXPECT_FALSE(sender->associationOpen());
  EXPECT_EQ(sender->associationsOpened(), 1);
  EXPECT_EQ(scp->associationsReceived(), 1);
}

TEST_F(DicomSendTest, ReopensOnceForASopClassTheAssociationDidNotPropose) {
  StorescpOptions options;
  options.ae_title = "ARCHIVE";
  auto scp = startStorescp("archive", options);
  ASSERT_TRUE(scp);
  auto sender = makeSender(destinationFor("ARCHIVE", scp->port()));
  engine::ForwardJob pt = spoolJob(kExplicitPt, "archive");
  engine::ForwardJob nm = spoolJob(kExplicitNm, "archive");
  sender->prepare({pt});

  for (const engine::ForwardJob* job : {&pt, &nm, &pt, &nm}) {
    Result<void> sent = sender->send(*job);
    ASSERT_TRUE(sent.ok()) << sent.error().describe();
  }
  // The second association carries what the first had, so PT needs no third one.
  EXPECT_EQ(sender->associationsOpened(), 2);
  sender->release();
  EXPECT_EQ(scp->associationsReceived(), 2);
}

}  // namespace
}  // namespace sundial::adapters::dicom
