// DicomInstanceSender against a real DCMTK storescp on loopback.

#include "tests/integration/dicom_send/send_test_fixture.h"

namespace sundial::adapters::dicom {
namespace {

using namespace send_test;  // NOLINT: the shared fixture and corpus names

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
  sendAll(*sender, jobs);
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
