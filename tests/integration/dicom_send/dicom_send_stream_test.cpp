// The streamed C-STORE path of DicomInstanceSender (the data set's bytes copied from the spool
// file, never parsed) against real DCMTK storescp peers: what arrives must be the spool file's
// data set byte for byte (storescp +B writes it as received), and sendPathCounts() tells which
// path each C-STORE took.

#include <regex>

#include "adapters/dicom/dicom_file_meta.h"
#include "dcmtk/dcmdata/dcmetinf.h"
#include "dcmtk/dcmdata/dcvrobow.h"
#include "tests/integration/dicom_send/send_test_fixture.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <thread>

namespace sundial::adapters::dicom {
namespace {

using namespace send_test;  // NOLINT: the shared fixture and corpus names

using Bytes = std::vector<std::uint8_t>;

constexpr const char* kBigEndianMr = "pydicom_MR_small_bigendian.dcm";
constexpr const char* kJpegBaselineSc = "fodicom_GH538-jpeg1.dcm";
constexpr const char* kOddLengthDx = "highdicom_dx_image.dcm";  // odd-length Pixel Data
constexpr const char* kExplicitCt = "pydicom_CT_small.dcm";
// storescp's smallest maximum PDU, and the PDV length DCMTK (so we) send to it: the maximum
// minus 12 (assoc.cc: "length is minus PDU and PDV header bytes").
constexpr std::uint32_t kSmallPeerPdu = 4096;
constexpr std::uint64_t kSmallPeerPdv = kSmallPeerPdu - 12;

Bytes dataSetBytes(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0) << path;
  if (fd < 0) return {};
  Result<FileMetaInfo> meta = readFileMetaInfo(fd);
  ::close(fd);
  EXPECT_TRUE(meta.ok()) << path << ": " << (meta.ok() ? "" : meta.error().message);
  if (!meta.ok()) return {};
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(meta->data_set_offset));
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The message IDs of the C-STORE requests storescp logged, in order.
std::vector<int> storeMessageIds(const StorescpProcess& scp) {
  static const std::regex kRequest(R"(Received Store Request \(MsgID (\d+))");
  std::vector<int> ids;
  const std::string log = scp.log();
  for (auto it = std::sregex_iterator(log.begin(), log.end(), kRequest);
       it != std::sregex_iterator(); ++it) {
    ids.push_back(std::stoi((*it)[1]));
  }
  return ids;
}

class DicomSendStreamTest : public DicomSendTest {
 protected:
  // A copy of a corpus instance saved by DCMTK in explicit VR little endian (so with a meta
  // group naming it, as our receiver writes), its Data Set Trailing Padding replaced by one
  // of `padding_bytes` (none for 0): the data set is then `padding_bytes` + 12 longer than
  // with none.
  engine::ForwardJob paddedJob(const std::string& corpus_name, const std::string& spool_name,
                               std::uint32_t padding_bytes) {
    fs::path target = work_dir_ / "spool" / spool_name;
    DcmFileFormat file;
    EXPECT_TRUE(file.loadFile(corpusFile(corpus_name).c_str()).good());
    file.loadAllDataIntoMemory();
    file.getDataset()->findAndDeleteElement(DCM_DataSetTrailingPadding);  // some have one
    if (padding_bytes > 0) {
      auto* padding = new DcmOtherByteOtherWord(DcmTag(DCM_DataSetTrailingPadding, EVR_OB));
      Bytes zeros(padding_bytes, 0);
      padding->putUint8Array(zeros.data(), padding_bytes);
      EXPECT_TRUE(file.getDataset()->insert(padding, OFTrue).good());
    }
    OFCondition saved = file.saveFile(target.c_str(), EXS_LittleEndianExplicit);
    EXPECT_TRUE(saved.good()) << saved.text();
    return jobFor(target, "archive");
  }

  // Each job arrived, in its own syntax, with exactly the spool file's data set bytes.
  void expectReceivedByteForByte(const StorescpProcess& scp,
                                 const std::vector<engine::ForwardJob>& jobs) {
    for (const engine::ForwardJob& job : jobs) {
      SCOPED_TRACE(job.spool_path);
      fs::path received = receivedFile(scp, job.sop_instance_uid);
      ASSERT_FALSE(received.empty()) << "not received";
      EXPECT_EQ(readInstance(received).transfer_syntax_uid, job.transfer_syntax_uid);
      Bytes sent = dataSetBytes(job.spool_path);
      Bytes got = dataSetBytes(received);
      EXPECT_FALSE(sent.empty());
      EXPECT_EQ(got.size(), sent.size());
      EXPECT_TRUE(got == sent) << "the data set that arrived differs from the spool file's";
    }
  }

  StorescpOptions bitPreservingArchive() {
    StorescpOptions options;
    options.ae_title = "ARCHIVE";
    options.accept_all_syntaxes = true;
    options.extra_args = {"+B"};  // writes the data set exactly as it arrived
    return options;
  }
};

TEST_F(DicomSendStreamTest, StreamsEveryTransferSyntaxByteForByteOnOneAssociation) {
  auto scp = startStorescp("archive", bitPreservingArchive());
  ASSERT_TRUE(scp);
  std::vector<engine::ForwardJob> jobs;
  for (const char* name : {kExplicitPt, kImplicitSeg, kBigEndianMr, kDeflatedSr, kJpegLosslessMr,
                           kJpegBaselineSc, kJpegLsCt, kRleUs, kJpeg2000Mr}) {
    jobs.push_back(spoolJob(name, "archive"));
  }
  auto sender = makeSender(destinationFor("ARCHIVE", scp->port()));
  sendAll(*sender, jobs);
  EXPECT_EQ(sender->sendPathCounts().streamed, static_cast<int>(jobs.size()));
  EXPECT_EQ(sender->sendPathCounts().through_dcmtk, 0);
  EXPECT_EQ(sender->associationsOpened(), 1);
  sender->release();

  std::vector<int> expected_ids(jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) expected_ids[i] = static_cast<int>(i + 1);
  EXPECT_EQ(storeMessageIds(*scp), expected_ids);  // one association, increasing message IDs
  expectReceivedByteForByte(*scp, jobs);
}

TEST_F(DicomSendStreamTest, SmallPeerPduSplitsTheDataSetIntoManyPdus) {
  StorescpOptions options = bitPreservingArchive();
  options.max_pdu_bytes = kSmallPeerPdu;
  auto scp = startStorescp("archive", options);
  ASSERT_TRUE(scp);

  // The data set of this copy fills whole PDVs exactly: no short last fragment.
  engine::ForwardJob exact = paddedJob(kExplicitCt, "exact.dcm", 0);
  const std::uint64_t unpadded = dataSetBytes(exact.spool_path).size();
  const std::uint64_t target = ((unpadded + 12) / kSmallPeerPdv + 2) * kSmallPeerPdv;
  exact = paddedJob(kExplicitCt, "exact.dcm", static_cast<std::uint32_t>(target - unpadded - 12));
  ASSERT_EQ(dataSetBytes(exact.spool_path).size() % kSmallPeerPdv, 0u);

  std::vector<engine::ForwardJob> jobs = {spoolJob(kRleUs, "archive"), exact};
  ASSERT_GT(dataSetBytes(jobs.front().spool_path).size(), 40 * kSmallPeerPdv);
  auto sender = makeSender(destinationFor("ARCHIVE", scp->port()));
  sendAll(*sender, jobs);
  EXPECT_EQ(sender->sendPathCounts().streamed, 2);
  EXPECT_EQ(sender->associationsOpened(), 1);
  sender->release();
  expectReceivedByteForByte(*scp, jobs);
}

// An odd data set is malformed (elements have even lengths) and DCMTK peers abort on an odd
// PDV: DCMTK sends it, padding the odd value, as before streaming existed.
TEST_F(DicomSendStreamTest, OddLengthDataSetGoesThroughDcmtk) {
  StorescpOptions options = bitPreservingArchive();
  options.max_pdu_bytes = kSmallPeerPdu;
  auto scp = startStorescp("archive", options);
  ASSERT_TRUE(scp);
  engine::ForwardJob odd = spoolJob(kOddLengthDx, "archive");
  ASSERT_EQ(dataSetBytes(odd.spool_path).size() % 2, 1u) << "meant to be odd";
  auto sender = makeSender(destinationFor("ARCHIVE", scp->port()));
  Result<void> sent = sender->send(odd);
  ASSERT_TRUE(sent.ok()) << sent.error().describe();
  EXPECT_EQ(sender->sendPathCounts().through_dcmtk, 1);
  EXPECT_EQ(sender->sendPathCounts().streamed, 0);
  fs::path received = receivedFile(*scp, odd.sop_instance_uid);
  ASSERT_FALSE(received.empty());
  EXPECT_EQ(dataSetBytes(received).size(), dataSetBytes(odd.spool_path).size() + 1);
}

TEST_F(DicomSendStreamTest, PeerRefusingTheInstanceIsAFailureAndTheAssociationStays) {
  StorescpOptions options;  // not bit-preserving: storescp checks the data set's UIDs
  options.ae_title = "ARCHIVE";
  options.accept_all_syntaxes = true;
  auto scp = startStorescp("archive", options);
  ASSERT_TRUE(scp);

  // A spool file whose meta group names another instance than its data set: the command says
  // one UID, the data set another, and storescp answers 0xA900.
  engine::ForwardJob mismatched = spoolJob(kExplicitPt, "archive");
  {
    std::fstream file(mismatched.spool_path, std::ios::in | std::ios::out | std::ios::binary);
    std::string head(4096, '\0');
    file.read(head.data(), static_cast<std::streamsize>(head.size()));
    std::size_t at = head.find(mismatched.sop_instance_uid);
    ASSERT_NE(at, std::string::npos);
    ASSERT_LT(at, 400u) << "expected in the meta group";
    std::size_t last = at + mismatched.sop_instance_uid.size() - 1;
    file.clear();
    file.seekp(static_cast<std::streamoff>(last));
    file.put(head[last] == '9' ? '8' : '9');
  }
  engine::ForwardJob good = spoolJob(kJpegLsCt, "archive");
  auto sender = makeSender(destinationFor("ARCHIVE", scp->port()));
  sender->prepare({mismatched, good});

  Result<void> refused = sender->send(mismatched);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::InvalidInput) << refused.error().describe();
  EXPECT_NE(refused.error().message.find("0xA900"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("ARCHIVE@127.0.0.1:"), std::string::npos);
  EXPECT_TRUE(sender->associationOpen());

  Result<void> sent = sender->send(good);
  ASSERT_TRUE(sent.ok()) << sent.error().describe();
  EXPECT_EQ(sender->associationsOpened(), 1);
  EXPECT_EQ(sender->sendPathCounts().streamed, 2);
  EXPECT_EQ(storeMessageIds(*scp), (std::vector<int>{1, 2}));
}

TEST_F(DicomSendStreamTest, PeerVanishingMidSendIsUnavailableAndTheNextSendReopens) {
  StorescpOptions options;
  options.ae_title = "ARCHIVE";
  options.accept_all_syntaxes = true;
  options.extra_args = {"--abort-during"};  // A-ABORT while the data set arrives
  auto scp = startStorescp("aborting", options);
  ASSERT_TRUE(scp);
  // Far more than the socket buffers hold: the abort lands while we are still writing.
  engine::ForwardJob big = paddedJob(kExplicitCt, "big.dcm", 24 * 1024 * 1024);
  auto sender = makeSender(destinationFor("ARCHIVE", scp->port()));

  Result<void> lost = sender->send(big);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code, ErrorCode::Unavailable) << lost.error().describe();
  EXPECT_NE(lost.error().message.find("association lost"), std::string::npos);
  EXPECT_FALSE(sender->associationOpen());
  EXPECT_EQ(sender->sendPathCounts().streamed, 1);

  const std::uint16_t port = scp->port();
  scp->stop();
  StorescpOptions healthy = bitPreservingArchive();
  healthy.port = port;
  auto again = startStorescp("archive", healthy);
  ASSERT_TRUE(again);
  Result<void> back = sender->send(big);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(sender->associationsOpened(), 2);
  EXPECT_EQ(sender->sendPathCounts().streamed, 2);
  sender->release();
  expectReceivedByteForByte(*again, {big});
}

TEST_F(DicomSendStreamTest, DicomTlsUsesTheStreamedPath) {
  if (!commandExists("openssl")) GTEST_SKIP() << "openssl not installed";
  fs::path certs = work_dir_ / "certs";
  std::string make_certs = "bash " + std::string(SUNDIAL_SOURCE_DIR) +
                           "/scripts/make-demo-certs.sh " + certs.string() +
                           " archive sundial >/dev/null 2>&1";
  ASSERT_EQ(std::system(make_certs.c_str()), 0);
  const std::string ca = (certs / "ca.pem").string();
  StorescpOptions options = bitPreservingArchive();
  options.extra_args = {"+B",  "+tls", (certs / "archive.key").string(),
                        (certs / "archive.pem").string(), "+cf", ca};
  options.probe_args = {"+tls", (certs / "sundial.key").string(), (certs / "sundial.pem").string(),
                        "+cf", ca};
  auto scp = startStorescp("archive", options);
  ASSERT_TRUE(scp);

  config::NodeConfig node;
  node.ae_title = kOurAeTitle;
  node.dimse_timeout = std::chrono::seconds(10);
  DicomTlsFiles tls{(certs / "sundial.pem").string(), (certs / "sundial.key").string(), ca};
  DicomInstanceSender sender(node, destinationFor("ARCHIVE", scp->port()), tls);
  std::vector<engine::ForwardJob> jobs = {spoolJob(kExplicitPt, "archive"),
                                          spoolJob(kJpegLsCt, "archive"),
                                          spoolJob(kRleUs, "archive")};
  sendAll(sender, jobs);
  EXPECT_EQ(sender.sendPathCounts().streamed, 3);
  EXPECT_EQ(sender.sendPathCounts().through_dcmtk, 0);
  EXPECT_EQ(sender.associationsOpened(), 1);
  sender.release();
  expectReceivedByteForByte(*scp, jobs);
}

TEST_F(DicomSendStreamTest, ConversionsStillGoThroughDcmtk) {
  StorescpOptions options;
  options.ae_title = "READER";
  options.extra_args = {"+xi"};  // implicit VR little endian only
  auto scp = startStorescp("reader", options);
  ASSERT_TRUE(scp);
  auto sender = makeSender(destinationFor("READER", scp->port()));
  engine::ForwardJob explicit_pt = spoolJob(kExplicitPt, "reader");  // re-encoded
  engine::ForwardJob jpeg_ls = spoolJob(kJpegLsCt, "reader");       // decoded
  engine::ForwardJob implicit_seg = spoolJob(kImplicitSeg, "reader");  // its own syntax
  sender->prepare({explicit_pt, jpeg_ls, implicit_seg});

  for (const engine::ForwardJob* job : {&explicit_pt, &jpeg_ls}) {
    Result<void> sent = sender->send(*job);
    ASSERT_TRUE(sent.ok()) << sent.error().describe();
    EXPECT_EQ(readInstance(receivedFile(*scp, job->sop_instance_uid)).transfer_syntax_uid,
              UID_LittleEndianImplicitTransferSyntax);
  }
  EXPECT_EQ(sender->sendPathCounts().through_dcmtk, 2);
  EXPECT_EQ(sender->sendPathCounts().streamed, 0);

  Result<void> sent = sender->send(implicit_seg);
  ASSERT_TRUE(sent.ok()) << sent.error().describe();
  EXPECT_EQ(sender->sendPathCounts().streamed, 1);
  EXPECT_EQ(sender->associationsOpened(), 1);
}

// A repeat of an instance is committed over its spool file (a rename) whenever it arrives, also
// while the file is being sent. DCMTK reads a value longer than 4 KiB (the pixel data) only as
// it writes it: that read must come from the file opened for the job, not from whatever has
// its name by then. A repeat from another AE title has a longer meta group, which would shift
// every value's offset: the peer would store other bytes under this instance's UID.
TEST_F(DicomSendStreamTest, SpoolFileReplacedWhileDcmtkSendsItSendsTheOpenedFilesBytes) {
  StorescpOptions options;
  options.ae_title = "READER";
  options.extra_args = {"+xi"};  // implicit VR little endian only: DCMTK re-encodes
  auto scp = startStorescp("reader", options);
  ASSERT_TRUE(scp);
  engine::ForwardJob job = spoolJob(kExplicitPt, "reader");
  DcmFileFormat original;
  ASSERT_TRUE(original.loadFile(job.spool_path.c_str()).good());
  const std::vector<std::vector<Uint8>> pixels = storedPixelData(*original.getDataset());
  ASSERT_EQ(pixels.size(), 1u);
  ASSERT_GT(pixels.front().size(), 4096u) << "meant to be read lazily by DCMTK";

  // The same instance as received from two callers: meta groups of different lengths.
  auto copyFrom = [&](const char* calling_ae, const std::string& name) {
    DcmFileFormat file;
    EXPECT_TRUE(file.loadFile(job.spool_path.c_str()).good());
    file.loadAllDataIntoMemory();
    EXPECT_TRUE(file.getMetaInfo()
                    ->putAndInsertString(DCM_SourceApplicationEntityTitle, calling_ae)
                    .good());
    // Written as is (DCMTK would otherwise rebuild the meta group), with its group length.
    EXPECT_TRUE(file.getMetaInfo()
                    ->computeGroupLengthAndPadding(EGL_withGL, EPD_noChange,
                                                   META_HEADER_DEFAULT_TRANSFERSYNTAX,
                                                   EET_ExplicitLength)
                    .good());
    const fs::path path = work_dir_ / name;
    EXPECT_TRUE(file.saveFile(path.c_str(), EXS_LittleEndianExplicit, EET_ExplicitLength,
                              EGL_recalcGL, EPD_noChange, 0, 0, EWM_dontUpdateMeta)
                    .good());
    return path;
  };
  const fs::path copies[2] = {copyFrom("CT", "short-meta.dcm"),
                              copyFrom("A_LONGER_AE_NAME", "long-meta.dcm")};
  ASSERT_NE(fs::file_size(copies[0]), fs::file_size(copies[1]));

  auto sender = makeSender(destinationFor("READER", scp->port()));
  // What arrives when nothing replaces the file.
  auto deliverAndCompare = [&]() -> ::testing::AssertionResult {
    Result<void> sent = sender->send(job);
    if (!sent.ok()) return ::testing::AssertionFailure() << sent.error().describe();
    const fs::path received = receivedFile(*scp, job.sop_instance_uid);
    if (received.empty()) return ::testing::AssertionFailure() << "not received";
    DcmFileFormat arrived;
    if (arrived.loadFile(received.c_str()).bad()) return ::testing::AssertionFailure() << "unreadable";
    const bool same = storedPixelData(*arrived.getDataset()) == pixels;
    fs::remove(received);
    if (!same) return ::testing::AssertionFailure() << "the peer got other pixel data than the instance's";
    return ::testing::AssertionSuccess();
  };
  ASSERT_TRUE(deliverAndCompare());

  // Repeats keep landing on the job's spool file while it is sent, as commit() renames them.
  std::atomic<bool> stop{false};
  std::thread repeats([&] {
    const fs::path incoming = work_dir_ / "incoming.dcm";
    for (unsigned i = 0; !stop.load(); ++i) {
      ::unlink(incoming.c_str());
      if (::link(copies[i % 2].c_str(), incoming.c_str()) != 0) continue;
      ::rename(incoming.c_str(), job.spool_path.c_str());
    }
  });
  for (int round = 0; round < 40; ++round) {
    EXPECT_TRUE(deliverAndCompare()) << "round " << round;
  }
  stop = true;
  repeats.join();
  EXPECT_EQ(sender->sendPathCounts().streamed, 0);
}

TEST_F(DicomSendStreamTest, FileWhoseMetaGroupDoesNotNameTheInstanceGoesThroughDcmtk) {
  auto scp = startStorescp("archive", bitPreservingArchive());
  ASSERT_TRUE(scp);
  auto sender = makeSender(destinationFor("ARCHIVE", scp->port()));
  engine::ForwardJob nm = spoolJob(kExplicitNm, "archive");  // no (0002,0002)/(0002,0003)
  Result<void> sent = sender->send(nm);
  ASSERT_TRUE(sent.ok()) << sent.error().describe();
  EXPECT_EQ(sender->sendPathCounts().through_dcmtk, 1);
  EXPECT_EQ(sender->sendPathCounts().streamed, 0);
  EXPECT_FALSE(receivedFile(*scp, nm.sop_instance_uid).empty());
}

TEST_F(DicomSendStreamTest, MalformedMetaGroupIsInvalidInputAndNothingIsSent) {
  auto scp = startStorescp("archive", bitPreservingArchive());
  ASSERT_TRUE(scp);
  auto sender = makeSender(destinationFor("ARCHIVE", scp->port()));
  engine::ForwardJob good = spoolJob(kExplicitPt, "archive");
  engine::ForwardJob broken = spoolJob(kJpegLsCt, "archive");
  {
    // The group length claims more than the whole file.
    std::fstream file(broken.spool_path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(132 + 8);
    const char huge[4] = {'\xF0', '\xFF', '\xFF', '\x7F'};
    file.write(huge, 4);
  }
  sender->prepare({good, broken});
  ASSERT_TRUE(sender->send(good).ok());
  Result<void> sent = sender->send(broken);
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, ErrorCode::InvalidInput) << sent.error().describe();
  EXPECT_NE(sent.error().message.find("group length"), std::string::npos) << sent.error().message;
  EXPECT_TRUE(sender->associationOpen());
  EXPECT_EQ(storeMessageIds(*scp), (std::vector<int>{1}));
}

}  // namespace
}  // namespace sundial::adapters::dicom
