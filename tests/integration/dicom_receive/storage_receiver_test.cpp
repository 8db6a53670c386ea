// StorageReceiver against DCMTK's own storescu and echoscu, on loopback, with a real
// FileSpool in a temporary folder and a recording publisher.

#include "dcmtk/config/osconfig.h"  // first, as DCMTK requires

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/dicom/receive_caller_policy.h"
#include "adapters/dicom/receive_negotiation.h"
#include "adapters/dicom/receive_storage_receiver.h"
#include "adapters/spool/file_spool.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcmetinf.h"
#include "dcmtk/dcmdata/dcpixel.h"
#include "dcmtk/dcmdata/dcpixseq.h"
#include "dcmtk/dcmdata/dcpxitem.h"
#include "dcmtk/dcmdata/dcxfer.h"
#include "tests/support/dicom_tools.h"

namespace sundial::adapters::dicom {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::findFreePort;
using testing::makeTempDir;
using testing::runEchoscu;
using testing::runStorescu;
using testing::runTool;
using testing::ToolProcess;
using testing::ToolResult;
using testing::waitUntil;

constexpr const char* kOurAe = "SUNDIAL";
constexpr const char* kModalityAe = "MODALITY";
constexpr const char* kElsewhereAe = "ELSEWHERE";  // configured, but for another address
constexpr const char* kSite = "SITE_A";

fs::path corpus(const std::string& name) { return fs::path(SUNDIAL_CORPUS_DIR) / "dicom" / name; }

// What the engine would have received on the bus, from any association thread.
struct Recorder {
  std::mutex mutex;  // guards spooled
  std::vector<SpooledInstance> spooled;
  std::atomic<int> publishers_made{0};
  std::atomic<int> wrong_thread{0};  // publish() called on a thread other than the maker's
  std::atomic<bool> fail{false};
  std::atomic<bool>* stop_accepting_after_publish = nullptr;  // flips a flag once published

  std::vector<SpooledInstance> snapshot() {
    std::lock_guard lock(mutex);
    return spooled;
  }
};

class RecordingPublisher final : public engine::EventPublisher {
 public:
  explicit RecordingPublisher(Recorder& recorder) : recorder_(recorder) {}
  Result<void> publish(const Event& event) override {
    if (std::this_thread::get_id() != owner_) ++recorder_.wrong_thread;
    if (recorder_.fail) return makeError(ErrorCode::Unavailable, "bus down (test)");
    std::lock_guard lock(recorder_.mutex);
    recorder_.spooled.push_back(std::get<InstanceSpooled>(event).instance);
    if (recorder_.stop_accepting_after_publish) *recorder_.stop_accepting_after_publish = false;
    return okResult();
  }

 private:
  Recorder& recorder_;
  const std::thread::id owner_ = std::this_thread::get_id();
};

// The attributes the test compares between a corpus file and its spooled copy.
struct Contents {
  std::string transfer_syntax;
  std::string sop_class_uid;
  std::string study_uid;
  std::string sop_instance_uid;
  std::string pixel_data;  // native bytes, or the encapsulated fragments concatenated
  bool has_pixel_data = false;
};

std::string stringOf(DcmItem* item, const DcmTagKey& tag) {
  OFString value;
  if (item == nullptr || item->findAndGetOFString(tag, value).bad()) return {};
  return value.c_str();
}

Contents readContents(const fs::path& file) {
  Contents contents;
  DcmFileFormat format;
  OFCondition loaded = format.loadFile(file.c_str());
  EXPECT_TRUE(loaded.good()) << file << ": " << loaded.text();
  if (loaded.bad()) return contents;
  DcmDataset* dataset = format.getDataset();
  contents.transfer_syntax = stringOf(format.getMetaInfo(), DCM_TransferSyntaxUID);
  contents.study_uid = stringOf(dataset, DCM_StudyInstanceUID);
  contents.sop_class_uid = stringOf(dataset, DCM_SOPClassUID);
  contents.sop_instance_uid = stringOf(dataset, DCM_SOPInstanceUID);
  DcmElement* element = nullptr;
  if (dataset->findAndGetElement(DCM_PixelData, element).bad()) return contents;
  auto* pixels = dynamic_cast<DcmPixelData*>(element);
  if (pixels == nullptr) return contents;
  contents.has_pixel_data = true;
  if (DcmXfer(dataset->getOriginalXfer()).isEncapsulated()) {
    E_TransferSyntax representation = EXS_Unknown;
    const DcmRepresentationParameter* parameter = nullptr;
    pixels->getOriginalRepresentationKey(representation, parameter);
    DcmPixelSequence* sequence = nullptr;
    EXPECT_TRUE(pixels->getEncapsulatedRepresentation(representation, parameter, sequence).good());
    for (unsigned long i = 0; sequence != nullptr && i < sequence->card(); ++i) {
      DcmPixelItem* item = nullptr;
      Uint8* bytes = nullptr;
      if (sequence->getItem(item, i).good() && item->getUint8Array(bytes).good() && bytes) {
        contents.pixel_data.append(reinterpret_cast<const char*>(bytes), item->getLength());
      }
    }
  } else {
    Uint8* bytes = nullptr;
    if (pixels->getUint8Array(bytes).good() && bytes != nullptr) {
      contents.pixel_data.assign(reinterpret_cast<const char*>(bytes), pixels->getLength());
    }
  }
  return contents;
}

// Regular files under `dir` whose name ends in `suffix` (any, when empty).
size_t countFiles(const fs::path& dir, const std::string& suffix = "") {
  size_t count = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    // The spool's lock file is no instance.
    if (!it->is_regular_file() || it->path().filename() == spool::FileSpool::kLockFileName) {
      continue;
    }
    if (suffix.empty() || it->path().extension() == suffix) ++count;
  }
  return count;
}

class StorageReceiverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* tool : {"storescu", "echoscu", "dcmodify"}) {
      if (!testing::toolAvailable(tool)) GTEST_SKIP() << tool << " not installed (apt-get install dcmtk)";
    }
    dir_ = makeTempDir("sundial-receive");
    auto config = std::make_shared<config::Config>();
    config::SiteConfig site;
    site.name = kSite;
    site.callers.push_back({kModalityAe, {"127.0.0.1"}});
    site.callers.push_back({kElsewhereAe, {"10.99.0.0/16"}});
    config->sites.push_back(site);
    config_ = config;
    settings_.ae_title = kOurAe;
    settings_.port = findFreePort();
    settings_.max_associations = 40;
    settings_.stop_grace = 3s;
  }

  void TearDown() override {
    receiver_.reset();
    if (dir_.empty()) return;
    if (HasFailure()) {
      std::cerr << "kept for inspection: " << dir_ << "\n";
      return;
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  Result<void> startReceiver(std::uint64_t min_free_bytes = 0, bool fsync = false) {
    config::SpoolConfig spool_config;
    spool_config.min_free_bytes = min_free_bytes;
    spool_config.fsync = fsync;
    spool_ = std::make_unique<spool::FileSpool>(dir_ / "spool", spool_config, metrics_);
    if (auto started = spool_->start(); !started) return started;
    receiver_ = std::make_unique<StorageReceiver>(
        settings_, makeSiteCallerPolicy(config_), *spool_,
        [this]() -> std::unique_ptr<engine::EventPublisher> {
          ++recorder_.publishers_made;
          return std::make_unique<RecordingPublisher>(recorder_);
        },
        acceptingWhile(accepting_), metrics_, clock_);
    return receiver_->start();
  }

  std::uint64_t counter(const std::string& name, const engine::Labels& labels) {
    return metrics_.counter(name, "", labels).value();
  }
  std::uint64_t refused(const std::string& reason) {
    return counter("sundial_instances_refused_total", {{"reason", reason}});
  }
  std::uint64_t rejected(const std::string& reason) {
    return counter("sundial_associations_rejected_total", {{"reason", reason}});
  }

  // -R: propose only the (SOP class, transfer syntax) pairs of the files, so that a long list
  // of files does not overflow storescu's 128 presentation contexts; -nh: keep sending after
  // a failure status, as a modality would.
  ToolResult store(const std::vector<std::string>& files, const std::string& calling = kModalityAe,
                   const std::string& called = kOurAe) {
    return runStorescu(calling, called, settings_.port, files, {"-R", "-nh"});
  }

  // A copy of a corpus file changed by dcmodify (the corpus itself is never edited).
  fs::path modifiedCopy(const std::string& corpus_name, const std::string& copy_name,
                        const std::vector<std::string>& dcmodify_args) {
    fs::path copy = dir_ / copy_name;
    fs::copy_file(corpus(corpus_name), copy, fs::copy_options::overwrite_existing);
    std::vector<std::string> args = {"-nb"};
    args.insert(args.end(), dcmodify_args.begin(), dcmodify_args.end());
    args.push_back(copy.string());
    ToolResult modified = runTool("dcmodify", args);
    EXPECT_EQ(modified.exit_code, 0) << modified.output;
    return copy;
  }

  // A storescu association profile: every SOP class in `sop_classes` with every transfer
  // syntax we accept, one presentation context per pair.
  fs::path writeProfile(const std::set<std::string>& sop_classes) {
    fs::path file = dir_ / "storescu.cfg";
    std::ofstream out(file);
    out << "[[TransferSyntaxes]]\n";
    const std::vector<std::string>& syntaxes = acceptedTransferSyntaxes();
    for (size_t i = 0; i < syntaxes.size(); ++i) {
      out << "[TS" << i << "]\nTransferSyntax1 = " << syntaxes[i] << "\n";
    }
    out << "[[PresentationContexts]]\n[Contexts]\n";
    int n = 0;
    for (const auto& sop_class : sop_classes) {
      for (size_t i = 0; i < syntaxes.size(); ++i) {
        out << "PresentationContext" << ++n << " = " << sop_class << "\\TS" << i << "\n";
      }
    }
    out << "[[Profiles]]\n[Everything]\nPresentationContexts = Contexts\n";
    return file;
  }

  // Files of instances being received (or left half-received). Recycled files (`.free`, the
  // files of removed or refused instances kept for reuse) are not counted: they hold no
  // instance anybody will read.
  size_t temporaryFiles() {
    return countFiles(dir_ / "spool" / "tmp", spool::FileSpool::kTemporarySuffix);
  }

  fs::path dir_;
  std::shared_ptr<const config::Config> config_;
  ReceiverSettings settings_;
  Recorder recorder_;
  std::atomic<bool> accepting_{true};
  engine::Metrics metrics_;
  SystemClock clock_;
  std::unique_ptr<spool::FileSpool> spool_;
  std::unique_ptr<StorageReceiver> receiver_;
};

TEST_F(StorageReceiverTest, AnswersEcho) {
  ASSERT_TRUE(startReceiver().ok());
  ToolResult echo = runEchoscu(kModalityAe, kOurAe, settings_.port);
  EXPECT_EQ(echo.exit_code, 0) << echo.output;
}

TEST_F(StorageReceiverTest, StoresEveryTransferSyntaxUnchanged) {
  ASSERT_TRUE(startReceiver(0, true).ok());
  const std::vector<std::string> names = {
      "pydicom_CT_small.dcm",                                          // explicit LE
      "openrem_DX-Im-DRGEM.dcm",                                       // implicit LE
      "pydicom_rtdose_expb_1frame.dcm",                                // explicit BE
      "orthanc_1.2.840.10008.1.2.1.99.dcm",                            // deflated
      "fodicom_GH538-jpeg1.dcm",                                       // JPEG baseline
      "dicomparser_mf_CT0012.fragmented_no_bot_jpeg_baseline.51.dcm",  // JPEG extended
      "dicomparser_mf_CT0012.fragmented_no_bot_jpeg_lossless.57.dcm",  // JPEG lossless
      "dcm4che_MR-JPEGLosslessSV1.dcm",                                // JPEG lossless SV1
      "dicomparser_sf_CT1_UNC.fragmented_bot_jpeg_ls.80.dcm",          // JPEG-LS lossless
      "orthanc_1.2.840.10008.1.2.4.81.dcm",                            // JPEG-LS near-lossless
      "pydicom_MR_small_jp2klossless.dcm",                             // JPEG 2000 lossless
      "pydicom_JPEG2000.dcm",                                          // JPEG 2000
      "dcm4che_YBR_FULL-RLE.dcm",                                      // RLE
  };
  std::vector<std::string> files;
  std::set<std::string> sop_classes;
  for (const auto& name : names) {
    files.push_back(corpus(name).string());
    sop_classes.insert(readContents(corpus(name)).sop_class_uid);
  }
  // storescu proposes one compressed syntax per run (-xy, -xs ...) and none for .57; an
  // association profile proposes every syntax we accept, one presentation context each, so
  // storescu sends each file in its own syntax.
  ToolResult sent = runStorescu(kModalityAe, kOurAe, settings_.port, files,
                                {"-nh", "-xf", writeProfile(sop_classes).string(), "Everything"});
  ASSERT_EQ(sent.exit_code, 0) << sent.output;
  EXPECT_EQ(sent.output.find("Error"), std::string::npos) << sent.output;

  std::vector<SpooledInstance> spooled = recorder_.snapshot();
  ASSERT_EQ(spooled.size(), names.size()) << sent.output;
  std::set<std::string> seen_syntaxes;
  for (size_t i = 0; i < names.size(); ++i) {
    SCOPED_TRACE(names[i]);
    Contents original = readContents(corpus(names[i]));
    const SpooledInstance* match = nullptr;
    for (const auto& instance : spooled) {
      if (instance.sop_instance_uid == original.sop_instance_uid) match = &instance;
    }
    ASSERT_NE(match, nullptr);
    EXPECT_EQ(match->site, kSite);
    EXPECT_EQ(match->calling_ae, kModalityAe);
    EXPECT_EQ(match->study_uid, original.study_uid);
    EXPECT_EQ(match->transfer_syntax_uid, original.transfer_syntax);
    EXPECT_EQ(fs::path(match->spool_path),
              spool_->committedPath(original.study_uid, original.sop_instance_uid));
    EXPECT_EQ(match->bytes, fs::file_size(match->spool_path));
    EXPECT_GT(match->bytes, 0u);

    Contents received = readContents(match->spool_path);
    EXPECT_EQ(received.transfer_syntax, original.transfer_syntax);
    EXPECT_EQ(received.study_uid, original.study_uid);
    EXPECT_EQ(received.sop_instance_uid, original.sop_instance_uid);
    EXPECT_TRUE(received.has_pixel_data);
    EXPECT_EQ(received.pixel_data.size(), original.pixel_data.size());
    EXPECT_TRUE(received.pixel_data == original.pixel_data) << "pixel data differs";
    seen_syntaxes.insert(received.transfer_syntax);
  }
  EXPECT_EQ(seen_syntaxes.size(), names.size());
  EXPECT_EQ(counter("sundial_instances_received_total", {{"site", kSite}}), names.size());
  EXPECT_GT(counter("sundial_bytes_received_total", {{"site", kSite}}), 0u);
  EXPECT_EQ(recorder_.wrong_thread.load(), 0);
  EXPECT_EQ(temporaryFiles(), 0u);
  EXPECT_EQ(spool_->listCommitted().size(), names.size());
}

// A forwarded instance's file is recycled for the next one: the receiver overwrites it in place
// (same inode) and cuts what the longer, earlier instance left behind.
TEST_F(StorageReceiverTest, ReceivesIntoARecycledFileAndCutsItToLength) {
  ASSERT_TRUE(startReceiver(0, true).ok());
  const fs::path longer = corpus("pydicom_CT_small.dcm");      // 39 KB
  const fs::path shorter = corpus("openrem_DX-Im-DRGEM.dcm");  // 1 KB
  ToolResult sent = runStorescu(kModalityAe, kOurAe, settings_.port, {longer.string()});
  ASSERT_EQ(sent.exit_code, 0) << sent.output;
  ASSERT_EQ(recorder_.snapshot().size(), 1u);
  const SpooledInstance first = recorder_.snapshot()[0];
  struct stat first_file {};
  ASSERT_EQ(::stat(first.spool_path.c_str(), &first_file), 0);
  ASSERT_TRUE(spool_->remove(first.spool_path).ok());
  ASSERT_EQ(spool_->recycledFilesForTest(), 1u);

  sent = runStorescu(kModalityAe, kOurAe, settings_.port, {shorter.string()});
  ASSERT_EQ(sent.exit_code, 0) << sent.output;
  ASSERT_EQ(recorder_.snapshot().size(), 2u);
  const SpooledInstance second = recorder_.snapshot()[1];
  EXPECT_EQ(spool_->recycledFilesForTest(), 0u);
  struct stat second_file {};
  ASSERT_EQ(::stat(second.spool_path.c_str(), &second_file), 0);
  EXPECT_EQ(second_file.st_ino, first_file.st_ino);
  EXPECT_LT(second_file.st_size, first_file.st_size);
  EXPECT_EQ(second.bytes, static_cast<std::uint64_t>(second_file.st_size));
  EXPECT_EQ(counter("sundial_spool_files_created_total", {}), 1u);
  EXPECT_EQ(counter("sundial_spool_files_recycled_total", {}), 1u);

  Contents original = readContents(shorter);
  Contents received = readContents(second.spool_path);
  EXPECT_EQ(received.sop_instance_uid, original.sop_instance_uid);
  EXPECT_TRUE(received.pixel_data == original.pixel_data) << "pixel data differs";
  // Nothing of the first instance is left at the end: the file ends with the data set.
  DcmFileFormat reread;
  ASSERT_TRUE(reread.loadFile(second.spool_path.c_str()).good());
  DcmFileFormat fresh;
  ASSERT_TRUE(fresh.loadFile(shorter.c_str()).good());
  EXPECT_EQ(reread.getDataset()->card(), fresh.getDataset()->card());
  EXPECT_EQ(temporaryFiles(), 0u);
}

TEST_F(StorageReceiverTest, PublishesTheStudyAttributesTheMatcherNeeds) {
  ASSERT_TRUE(startReceiver().ok());
  fs::path file = modifiedCopy(
      "pydicom_CT_small.dcm", "facts.dcm",
      {"-i", "(0008,0050)=ACC-77", "-i", "(0010,0020)=PID-77", "-i", "(0010,0010)=Doe^Jane",
       "-i", "(0010,0030)=19700102", "-i", "(0010,0040)=F", "-i", "(0008,0020)=20261130",
       "-i", "(0008,0030)=013000", "-i", "(0008,1030)=CT HEAD W/O", "-i",
       "(0018,0015)=HEAD", "-i", "(0008,0090)=Who^Doctor"});
  ToolResult sent = store({file.string()});
  ASSERT_EQ(sent.exit_code, 0) << sent.output;
  std::vector<SpooledInstance> spooled = recorder_.snapshot();
  ASSERT_EQ(spooled.size(), 1u);
  const InstanceStudyAttributes& study = spooled[0].study;
  EXPECT_EQ(study.accession_number, "ACC-77");
  EXPECT_EQ(study.patient_id, "PID-77");
  EXPECT_EQ(study.patient_name, "Doe^Jane");
  EXPECT_EQ(study.birth_date, "19700102");
  EXPECT_EQ(study.sex, "F");
  EXPECT_EQ(study.study_date, "20261130");
  EXPECT_EQ(study.study_time, "013000");
  EXPECT_EQ(study.study_description, "CT HEAD W/O");
  EXPECT_EQ(study.body_part_examined, "HEAD");
  EXPECT_EQ(study.referring_physician, "Who^Doctor");
}

TEST_F(StorageReceiverTest, KeepsTheProposersFirstTransferSyntax) {
  ASSERT_TRUE(startReceiver().ok());
  // +C -xs: one context proposing JPEG lossless SV1 first, then the uncompressed syntaxes.
  ToolResult sent = runStorescu(kModalityAe, kOurAe, settings_.port,
                                {corpus("dcm4che_MR-JPEGLosslessSV1.dcm").string()},
                                {"-R", "+C", "-xs"});
  ASSERT_EQ(sent.exit_code, 0) << sent.output;
  std::vector<SpooledInstance> spooled = recorder_.snapshot();
  ASSERT_EQ(spooled.size(), 1u) << sent.output;
  EXPECT_EQ(spooled[0].transfer_syntax_uid, "1.2.840.10008.1.2.4.70");
  EXPECT_EQ(spooled[0].modality, "MR");
}

TEST_F(StorageReceiverTest, RejectsUnknownCallingAe) {
  ASSERT_TRUE(startReceiver().ok());
  ToolResult echo = runEchoscu("STRANGER", kOurAe, settings_.port);
  EXPECT_NE(echo.exit_code, 0) << echo.output;
  EXPECT_NE(echo.output.find("Rejected"), std::string::npos) << echo.output;
  EXPECT_EQ(rejected("unknown_caller"), 1u);
}

TEST_F(StorageReceiverTest, RejectsKnownAeFromWrongAddress) {
  ASSERT_TRUE(startReceiver().ok());
  ToolResult sent = store({corpus("pydicom_CT_small.dcm").string()}, kElsewhereAe);
  EXPECT_NE(sent.exit_code, 0) << sent.output;
  EXPECT_NE(sent.output.find("Rejected"), std::string::npos) << sent.output;
  EXPECT_EQ(rejected("unknown_caller"), 1u);
  EXPECT_TRUE(recorder_.snapshot().empty());
}

TEST_F(StorageReceiverTest, RejectsWrongCalledAe) {
  ASSERT_TRUE(startReceiver().ok());
  ToolResult echo = runEchoscu(kModalityAe, "NOT_US", settings_.port);
  EXPECT_NE(echo.exit_code, 0) << echo.output;
  EXPECT_NE(echo.output.find("Rejected"), std::string::npos) << echo.output;
  EXPECT_EQ(rejected("called_ae"), 1u);
}

TEST_F(StorageReceiverTest, MalformedInstanceFailsAndNextSucceeds) {
  ASSERT_TRUE(startReceiver().ok());
  fs::path no_study = modifiedCopy("pydicom_CT_small.dcm", "no-study.dcm", {"-ea", "(0020,000D)"});
  fs::path bad_uid = modifiedCopy("pydicom_MR_small.dcm", "bad-uid.dcm",
                                  {"-m", "(0020,000D)=1.2.three.4"});

  ToolResult first = store({no_study.string()});
  EXPECT_NE(first.output.find("Error: CannotUnderstand"), std::string::npos) << first.output;
  EXPECT_EQ(refused("missing_uid"), 1u);

  ToolResult second = store({bad_uid.string()});
  EXPECT_NE(second.output.find("Error: CannotUnderstand"), std::string::npos) << second.output;
  EXPECT_EQ(refused("invalid_uid"), 1u);

  ToolResult next = store({corpus("pydicom_CT_small.dcm").string()});
  EXPECT_EQ(next.exit_code, 0) << next.output;
  std::vector<SpooledInstance> spooled = recorder_.snapshot();
  ASSERT_EQ(spooled.size(), 1u);
  EXPECT_EQ(spooled[0].modality, "CT");
  EXPECT_EQ(temporaryFiles(), 0u);
  EXPECT_EQ(spool_->listCommitted().size(), 1u);
}

TEST_F(StorageReceiverTest, MalformedInstanceDoesNotEndTheAssociation) {
  ASSERT_TRUE(startReceiver().ok());
  fs::path no_study = modifiedCopy("pydicom_CT_small.dcm", "no-study.dcm", {"-ea", "(0020,000D)"});
  ToolResult sent = store({no_study.string(), corpus("pydicom_MR_small.dcm").string()});
  EXPECT_NE(sent.output.find("Error: CannotUnderstand"), std::string::npos) << sent.output;
  EXPECT_EQ(recorder_.snapshot().size(), 1u) << sent.output;
  EXPECT_EQ(refused("missing_uid"), 1u);
}

TEST_F(StorageReceiverTest, FullSpoolAnswersOutOfResources) {
  ASSERT_TRUE(startReceiver(std::uint64_t{1} << 62).ok());
  ToolResult sent = store({corpus("pydicom_CT_small.dcm").string()});
  EXPECT_NE(sent.output.find("Refused: OutOfResources"), std::string::npos) << sent.output;
  EXPECT_EQ(refused("out_of_resources"), 1u);
  EXPECT_TRUE(recorder_.snapshot().empty());
  EXPECT_EQ(countFiles(dir_ / "spool"), 0u);
}

TEST_F(StorageReceiverTest, NotAcceptingWorkRejectsAssociations) {
  ASSERT_TRUE(startReceiver().ok());
  accepting_ = false;
  ToolResult sent = store({corpus("pydicom_CT_small.dcm").string()});
  EXPECT_NE(sent.exit_code, 0) << sent.output;
  EXPECT_NE(sent.output.find("Rejected"), std::string::npos) << sent.output;
  EXPECT_NE(sent.output.find("Transient"), std::string::npos) << sent.output;
  EXPECT_EQ(rejected("not_accepting"), 1u);
  EXPECT_TRUE(recorder_.snapshot().empty());

  accepting_ = true;
  ToolResult later = store({corpus("pydicom_CT_small.dcm").string()});
  EXPECT_EQ(later.exit_code, 0) << later.output;
  EXPECT_EQ(recorder_.snapshot().size(), 1u);
}

TEST_F(StorageReceiverTest, NotAcceptingWorkMidAssociationAnswersOutOfResources) {
  ASSERT_TRUE(startReceiver().ok());
  recorder_.stop_accepting_after_publish = &accepting_;  // Redis "goes down" after one
  ToolResult sent = store({corpus("pydicom_CT_small.dcm").string(),
                           corpus("pydicom_MR_small.dcm").string()});
  EXPECT_NE(sent.output.find("Refused: OutOfResources"), std::string::npos) << sent.output;
  EXPECT_EQ(recorder_.snapshot().size(), 1u);
  EXPECT_EQ(refused("not_accepting"), 1u);
  EXPECT_EQ(spool_->listCommitted().size(), 1u);
  EXPECT_EQ(temporaryFiles(), 0u);
}

TEST_F(StorageReceiverTest, PublishFailureStillAnswersSuccess) {
  ASSERT_TRUE(startReceiver().ok());
  recorder_.fail = true;
  ToolResult sent = store({corpus("pydicom_CT_small.dcm").string()});
  EXPECT_EQ(sent.exit_code, 0) << sent.output;
  EXPECT_EQ(sent.output.find("Refused"), std::string::npos) << sent.output;
  EXPECT_EQ(spool_->listCommitted().size(), 1u);
}

TEST_F(StorageReceiverTest, ServesThirtyFourConcurrentAssociations) {
  ASSERT_TRUE(startReceiver().ok());
  constexpr int kSenders = 34;
  std::vector<fs::path> files;
  for (int i = 0; i < kSenders; ++i) {
    files.push_back(modifiedCopy("pydicom_CT_small.dcm", "ct-" + std::to_string(i) + ".dcm",
                                 {"-m", "(0008,0018)=1.2.826.0.1.3680043.2.1125.99." +
                                            std::to_string(i + 1)}));
  }
  std::vector<std::unique_ptr<ToolProcess>> senders;
  for (const auto& file : files) {
    senders.push_back(std::make_unique<ToolProcess>(
        "storescu", testing::storescuArgs(kModalityAe, kOurAe, settings_.port, {file.string()}),
        dir_));
  }
  for (auto& sender : senders) {
    ToolResult result = sender->wait(60s);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    EXPECT_EQ(result.output.find("Error"), std::string::npos) << result.output;
  }
  EXPECT_EQ(recorder_.snapshot().size(), static_cast<size_t>(kSenders));
  EXPECT_EQ(spool_->listCommitted().size(), static_cast<size_t>(kSenders));
  EXPECT_EQ(recorder_.publishers_made.load(), kSenders);  // one per association
  EXPECT_EQ(recorder_.wrong_thread.load(), 0);
}

TEST_F(StorageReceiverTest, StopWhileAssociationsRunReturnsPromptly) {
  ASSERT_TRUE(startReceiver(0, true).ok());
  std::vector<std::string> many(300, corpus("pydicom_CT_small.dcm").string());
  std::vector<std::unique_ptr<ToolProcess>> senders;
  for (int i = 0; i < 6; ++i) {
    senders.push_back(std::make_unique<ToolProcess>(
        "storescu", testing::storescuArgs(kModalityAe, kOurAe, settings_.port, many), dir_));
  }
  ASSERT_TRUE(waitUntil([this] { return !recorder_.snapshot().empty(); }, 30s));

  auto before = std::chrono::steady_clock::now();
  receiver_->stop();
  auto took = std::chrono::steady_clock::now() - before;
  EXPECT_LT(took, settings_.stop_grace + 5s);
  EXPECT_FALSE(receiver_->running());

  for (auto& sender : senders) {
    ToolResult result = sender->wait(30s);
    EXPECT_FALSE(result.timed_out);
  }
  // Whatever was cut mid-transfer left no temporary file; what was answered is committed.
  EXPECT_EQ(temporaryFiles(), 0u);
  EXPECT_EQ(spool_->listCommitted().size(), 1u);  // the same instance, stored again and again
  ToolResult echo = runEchoscu(kModalityAe, kOurAe, settings_.port, {}, 10s);
  EXPECT_NE(echo.exit_code, 0) << "port still open after stop()";
}

TEST_F(StorageReceiverTest, StopCutsAssociationsThatOutliveTheGrace) {
  settings_.stop_grace = 200ms;
  ASSERT_TRUE(startReceiver(0, true).ok());
  std::vector<std::string> many(5000, corpus("pydicom_CT_small.dcm").string());
  std::vector<std::unique_ptr<ToolProcess>> senders;
  for (int i = 0; i < 4; ++i) {
    senders.push_back(std::make_unique<ToolProcess>(
        "storescu", testing::storescuArgs(kModalityAe, kOurAe, settings_.port, many), dir_));
  }
  ASSERT_TRUE(waitUntil([this] { return recorder_.snapshot().size() >= 8; }, 30s));

  auto before = std::chrono::steady_clock::now();
  receiver_->stop();
  auto took = std::chrono::steady_clock::now() - before;
  EXPECT_LT(took, 5s);
  EXPECT_LT(recorder_.snapshot().size(), many.size() * senders.size());  // really cut short

  for (auto& sender : senders) {
    ToolResult result = sender->wait(30s);
    EXPECT_FALSE(result.timed_out);
  }
  EXPECT_EQ(temporaryFiles(), 0u);
}

TEST_F(StorageReceiverTest, StartFailsWhenPortIsTaken) {
  ASSERT_TRUE(startReceiver().ok());
  StorageReceiver second(settings_, makeSiteCallerPolicy(config_), *spool_, [] { return nullptr; },
                         acceptingWhile(accepting_), metrics_, clock_);
  Result<void> started = second.start();
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, ErrorCode::Unavailable);
  // The first receiver still works.
  EXPECT_EQ(runEchoscu(kModalityAe, kOurAe, settings_.port).exit_code, 0);
}

TEST_F(StorageReceiverTest, StopAndStartAgain) {
  ASSERT_TRUE(startReceiver().ok());
  receiver_->stop();
  receiver_->stop();  // idempotent
  ASSERT_TRUE(receiver_->start().ok());
  EXPECT_EQ(runEchoscu(kModalityAe, kOurAe, settings_.port).exit_code, 0);
}

}  // namespace
}  // namespace sundial::adapters::dicom
