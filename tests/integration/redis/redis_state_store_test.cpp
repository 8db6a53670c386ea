// Contract tests of RedisStateStore against a real redis-server.

#include "adapters/redis/redis_state_store.h"

#include "adapters/redis/redis_forward_queue.h"
#include "tests/integration/redis/redis_test_fixture.h"

namespace sundial::adapters::redis {
namespace {

class RedisStateStoreTest : public RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store_ = std::make_unique<RedisStateStore>(clientOptions(), kPrefix);
    queue_ = std::make_unique<RedisForwardQueue>(clientOptions(), kPrefix, clock_);
  }

  long long ready(const std::string& destination) {
    auto depth = queue_->depth(destination);
    EXPECT_TRUE(depth.ok());
    return depth.ok() ? depth->ready : -1;
  }

  engine::StudySummary onlyStudy() {
    auto studies = store_->listStudies(10);
    EXPECT_TRUE(studies.ok());
    EXPECT_EQ(studies->size(), 1u);
    return studies->empty() ? engine::StudySummary{} : studies->front();
  }

  ManualClock clock_;
  std::unique_ptr<RedisStateStore> store_;
  std::unique_ptr<RedisForwardQueue> queue_;
};

TEST_F(RedisStateStoreTest, RecordsInstancesAndSummarisesTheirStudy) {
  ASSERT_TRUE(store_
                  ->recordInstances({makeRecord(1, 1, {"ARCH"}, {}, kBaseMs + 500),
                                     makeRecord(1, 2, {"ARCH"}, {}, kBaseMs)})
                  .ok());
  const auto study = onlyStudy();
  EXPECT_EQ(study.study_uid, studyUid(1));
  EXPECT_EQ(study.site, "north");
  EXPECT_EQ(study.modality, "CT");
  EXPECT_EQ(study.state, engine::StudyState::Receiving);
  EXPECT_EQ(study.instances, 2);
  EXPECT_EQ(study.bytes, 1001 + 1002);
  EXPECT_EQ(toEpochMs(study.first_received_at), kBaseMs);
  EXPECT_EQ(toEpochMs(study.last_received_at), kBaseMs + 500);
  EXPECT_EQ(toEpochMs(study.completed_at), 0);
  EXPECT_EQ(ready("ARCH"), 0);
}

TEST_F(RedisStateStoreTest, StudyFactsComeFromTheFirstInstanceWithCountAndCompletion) {
  auto first = makeRecord(1, 1, {"ARCH"}, {"ARCH"}, kBaseMs);
  first.instance.study.accession_number = "ACC-1";
  first.instance.study.patient_id = "PID-1";
  first.instance.study.patient_name = "Doe^Jane";
  first.instance.study.birth_date = "19700101";
  first.instance.study.sex = "F";
  first.instance.study.study_date = "20261130";
  first.instance.study.study_time = "010203";
  first.instance.study.study_description = "CT HEAD";
  first.instance.study.body_part_examined = "HEAD";
  first.instance.study.referring_physician = "Who^Doctor";
  auto second = makeRecord(1, 2, {"ARCH"}, {}, kBaseMs + 10);
  second.instance.study.accession_number = "OTHER";  // later instances do not change facts
  ASSERT_TRUE(store_->recordInstances({first, second}).ok());

  auto facts = store_->studyFacts(studyUid(1));
  ASSERT_TRUE(facts.ok()) << facts.error().describe();
  EXPECT_EQ(facts->site, "north");
  EXPECT_EQ(facts->modality, "CT");
  EXPECT_EQ(facts->accession_number, "ACC-1");
  EXPECT_EQ(facts->patient_id, "PID-1");
  EXPECT_EQ(facts->patient_name, "Doe^Jane");
  EXPECT_EQ(facts->birth_date, "19700101");
  EXPECT_EQ(facts->sex, "F");
  EXPECT_EQ(facts->study_date, "20261130");
  EXPECT_EQ(facts->study_time, "010203");
  EXPECT_EQ(facts->study_description, "CT HEAD");
  EXPECT_EQ(facts->body_part_examined, "HEAD");
  EXPECT_EQ(facts->referring_physician, "Who^Doctor");
  EXPECT_EQ(facts->instances, 2);
  EXPECT_FALSE(facts->complete);
  EXPECT_EQ(toEpochMs(facts->first_received_at), kBaseMs);

  ASSERT_TRUE(store_->completeStudy(studyUid(1), fromEpochMs(kBaseMs + 99), {"ARCH"}).ok());
  facts = store_->studyFacts(studyUid(1));
  ASSERT_TRUE(facts.ok());
  EXPECT_TRUE(facts->complete);
  EXPECT_EQ(toEpochMs(facts->completed_at), kBaseMs + 99);
  // The store-and-forward summary still reads the same hash.
  EXPECT_EQ(onlyStudy().instances, 2);
  EXPECT_EQ(ready("ARCH"), 2);
}

TEST_F(RedisStateStoreTest, StudyFactsOfAnUnknownStudyAreNotFound) {
  auto facts = store_->studyFacts(studyUid(7));
  ASSERT_FALSE(facts.ok());
  EXPECT_EQ(facts.error().code, ErrorCode::NotFound);
  EXPECT_EQ(store_->studyFacts("not a uid").error().code, ErrorCode::InvalidInput);
}

TEST_F(RedisStateStoreTest, RepeatedRecordNeitherCountsTwiceNorEnqueuesTwice) {
  const auto record = makeRecord(1, 1, {"ARCH", "WS"}, {"WS"});
  ASSERT_TRUE(store_->recordInstances({record, record}).ok());
  ASSERT_TRUE(store_->recordInstances({record}).ok());
  const auto study = onlyStudy();
  EXPECT_EQ(study.instances, 1);
  EXPECT_EQ(study.bytes, 1001);
  EXPECT_EQ(ready("WS"), 1);
  EXPECT_EQ(ready("ARCH"), 0);
  ASSERT_EQ(study.destinations.size(), 1u);
  EXPECT_EQ(study.destinations[0].destination, "WS");
  EXPECT_EQ(study.destinations[0].pending, 1);
}

TEST_F(RedisStateStoreTest, RepeatsSayWhetherTheirSpoolFileIsStillNeeded) {
  const auto record = makeRecord(1, 1, {"WS"}, {"WS"});
  auto first = store_->recordInstances({record, record});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.value(), (std::vector<engine::RecordOutcome>{
                               engine::RecordOutcome::Recorded, engine::RecordOutcome::Duplicate}));

  // The same UID spooled under another path (another study): that copy is never read.
  auto elsewhere = record;
  elsewhere.instance.spool_path = "/spool/other/" + record.instance.sop_instance_uid + ".dcm";
  auto moved = store_->recordInstances({elsewhere});
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->front(), engine::RecordOutcome::DuplicateFileUnneeded);

  // Once forwarded everywhere, a repeat's file is not needed either.
  auto jobs = queue_->claim("WS", "w1", 10, std::chrono::milliseconds(0));
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 1u);
  ASSERT_TRUE(queue_->acknowledge(jobs->front(), "w1").ok());
  auto after = store_->recordInstances({record});
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->front(), engine::RecordOutcome::DuplicateFileUnneeded);
  EXPECT_EQ(ready("WS"), 0) << "never enqueued again";
}

TEST_F(RedisStateStoreTest, ForgetsOnlyFinishedStudiesPastTheCutoff) {
  // Study 1: complete and sent everywhere. Study 2: complete, one instance still queued.
  // Study 3: still receiving.
  ASSERT_TRUE(store_->recordInstances({makeRecord(1, 1, {"WS"}, {"WS"}),
                                       makeRecord(2, 1, {"WS"}, {"WS"}),
                                       makeRecord(3, 1, {"WS"}, {})})
                  .ok());
  ASSERT_TRUE(store_->completeStudy(studyUid(1), fromEpochMs(kBaseMs + 10), {}).ok());
  ASSERT_TRUE(store_->completeStudy(studyUid(2), fromEpochMs(kBaseMs + 10), {}).ok());
  auto jobs = queue_->claim("WS", "w1", 10, std::chrono::milliseconds(0));
  ASSERT_TRUE(jobs.ok());
  for (const auto& job : jobs.value()) {
    if (job.study_uid == studyUid(1)) ASSERT_TRUE(queue_->acknowledge(job, "w1").ok());
  }

  auto early = store_->forgetFinishedStudies(fromEpochMs(kBaseMs), 100);
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early.value(), 0) << "nothing is older than the cutoff yet";

  auto forgotten = store_->forgetFinishedStudies(fromEpochMs(kBaseMs + 1'000'000), 100);
  ASSERT_TRUE(forgotten.ok());
  EXPECT_EQ(forgotten.value(), 1);
  auto studies = store_->listStudies(10);
  ASSERT_TRUE(studies.ok());
  ASSERT_EQ(studies->size(), 2u);
  for (const auto& study : studies.value()) EXPECT_NE(study.study_uid, studyUid(1));
  auto known = store_->knownInstances({sopUid(1, 1), sopUid(2, 1), sopUid(3, 1)});
  ASSERT_TRUE(known.ok());
  EXPECT_EQ(known.value(), (std::vector<bool>{false, true, true}));
}

TEST_F(RedisStateStoreTest, FinishedMeansEveryDestinationHasIt) {
  ASSERT_TRUE(store_->recordInstances({makeRecord(1, 1, {"WS"}, {"WS"}),
                                       makeRecord(1, 2, {"WS"}, {"WS"})})
                  .ok());
  auto jobs = queue_->claim("WS", "w1", 1, std::chrono::milliseconds(0));
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 1u);
  ASSERT_TRUE(queue_->acknowledge(jobs->front(), "w1").ok());
  const std::string sent = jobs->front().sop_instance_uid;
  const std::string other = sent == sopUid(1, 1) ? sopUid(1, 2) : sopUid(1, 1);
  auto finished = store_->finishedInstances({sent, other, sopUid(9, 9), "not-a-uid"});
  ASSERT_TRUE(finished.ok());
  EXPECT_EQ(finished.value(), (std::vector<bool>{true, false, false, false}));
}

TEST_F(RedisStateStoreTest, CompletionEnqueuesEveryInstanceOncePerDestination) {
  ASSERT_TRUE(store_
                  ->recordInstances({makeRecord(1, 1, {"ARCH"}), makeRecord(1, 2, {"ARCH"}),
                                     makeRecord(1, 3, {"ARCH"})})
                  .ok());
  ASSERT_TRUE(store_->completeStudy(studyUid(1), fromEpochMs(kBaseMs + 9000), {"ARCH", "WS"}).ok());
  ASSERT_TRUE(store_->completeStudy(studyUid(1), fromEpochMs(kBaseMs + 9500), {"ARCH", "WS"}).ok());
  EXPECT_EQ(ready("ARCH"), 3);
  EXPECT_EQ(ready("WS"), 3);
  const auto study = onlyStudy();
  EXPECT_EQ(study.state, engine::StudyState::Complete);
  EXPECT_EQ(toEpochMs(study.completed_at), kBaseMs + 9500);
  ASSERT_EQ(study.destinations.size(), 2u);
  EXPECT_EQ(study.destinations[0].destination, "ARCH");
  EXPECT_EQ(study.destinations[0].pending, 3);
  EXPECT_EQ(study.destinations[1].pending, 3);
}

TEST_F(RedisStateStoreTest, CompletionSkipsInstancesAlreadyQueuedForADestination) {
  ASSERT_TRUE(store_->recordInstances({makeRecord(1, 1, {"ARCH", "WS"}, {"ARCH"})}).ok());
  ASSERT_TRUE(store_->completeStudy(studyUid(1), fromEpochMs(kBaseMs), {"ARCH", "WS"}).ok());
  EXPECT_EQ(ready("ARCH"), 1);
  EXPECT_EQ(ready("WS"), 1);
}

TEST_F(RedisStateStoreTest, CompletionOfAnUnknownStudyIsNotFound) {
  auto result = store_->completeStudy(studyUid(7), fromEpochMs(kBaseMs), {"ARCH"});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::NotFound);
}

TEST_F(RedisStateStoreTest, OpenStudiesAreTheOnesStillReceiving) {
  ASSERT_TRUE(store_
                  ->recordInstances({makeRecord(1, 1, {}, {}, kBaseMs + 10),
                                     makeRecord(2, 1, {}, {}, kBaseMs + 20)})
                  .ok());
  ASSERT_TRUE(store_->completeStudy(studyUid(1), fromEpochMs(kBaseMs + 30), {}).ok());
  auto open = store_->openStudies();
  ASSERT_TRUE(open.ok()) << open.error().describe();
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ(open->front().study_uid, studyUid(2));
  EXPECT_EQ(open->front().site, "north");
  EXPECT_EQ(open->front().modality, "CT");
  EXPECT_EQ(toEpochMs(open->front().last_received_at), kBaseMs + 20);
}

TEST_F(RedisStateStoreTest, LateInstanceReopensTheStudyAndIsEnqueuedOnNextCompletion) {
  ASSERT_TRUE(store_->recordInstances({makeRecord(1, 1, {"ARCH"})}).ok());
  ASSERT_TRUE(store_->completeStudy(studyUid(1), fromEpochMs(kBaseMs + 1), {"ARCH"}).ok());
  ASSERT_TRUE(store_->recordInstances({makeRecord(1, 2, {"ARCH"}, {}, kBaseMs + 2)}).ok());
  auto open = store_->openStudies();
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->size(), 1u);
  EXPECT_EQ(onlyStudy().state, engine::StudyState::Receiving);
  ASSERT_TRUE(store_->completeStudy(studyUid(1), fromEpochMs(kBaseMs + 3), {"ARCH"}).ok());
  EXPECT_EQ(ready("ARCH"), 2);
}

TEST_F(RedisStateStoreTest, KnownInstancesAnswersForEachUid) {
  ASSERT_TRUE(store_->recordInstances({makeRecord(1, 1, {}), makeRecord(1, 3, {})}).ok());
  auto known = store_->knownInstances({sopUid(1, 1), sopUid(1, 2), sopUid(1, 3), "not-a-uid"});
  ASSERT_TRUE(known.ok());
  EXPECT_EQ(*known, (std::vector<bool>{true, false, true, false}));
}

TEST_F(RedisStateStoreTest, ListsStudiesNewestFirstUpToTheLimit) {
  ASSERT_TRUE(store_
                  ->recordInstances({makeRecord(1, 1, {}, {}, kBaseMs + 100),
                                     makeRecord(2, 1, {}, {}, kBaseMs + 300),
                                     makeRecord(3, 1, {}, {}, kBaseMs + 200)})
                  .ok());
  auto studies = store_->listStudies(2);
  ASSERT_TRUE(studies.ok());
  ASSERT_EQ(studies->size(), 2u);
  EXPECT_EQ((*studies)[0].study_uid, studyUid(2));
  EXPECT_EQ((*studies)[1].study_uid, studyUid(3));
}

TEST_F(RedisStateStoreTest, RefusesUidsAndNamesThatCannotBeKeysAndWritesNothing) {
  auto bad_uid = makeRecord(1, 2, {});
  bad_uid.instance.sop_instance_uid = "1.2:3";
  auto result = store_->recordInstances({makeRecord(1, 1, {}), bad_uid});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::InvalidInput);
  auto bad_name = store_->recordInstances({makeRecord(1, 1, {"ARCH:ready"})});
  ASSERT_FALSE(bad_name.ok());
  EXPECT_EQ(bad_name.error().code, ErrorCode::InvalidInput);
  auto known = store_->knownInstances({sopUid(1, 1)});
  ASSERT_TRUE(known.ok());
  EXPECT_FALSE(known->front());
}

TEST_F(RedisStateStoreTest, KeysCarryThePrefixAndSchemaVersion) {
  ASSERT_TRUE(store_->recordInstances({makeRecord(1, 1, {"ARCH"}, {"ARCH"})}).ok());
  auto keys = store_->clientForTest().command({"KEYS", "*"});
  ASSERT_TRUE(keys.ok());
  ASSERT_FALSE(keys->elements.empty());
  for (const auto& key : keys->elements) EXPECT_EQ(key.str.rfind("sundial:v1:", 0), 0u) << key.str;
  EXPECT_EQ(store_->keys().ready("ARCH"), "sundial:v1:fwd:ARCH:ready");
  EXPECT_EQ(store_->keys().instance(sopUid(1, 1)), "sundial:v1:inst:" + sopUid(1, 1));
}

}  // namespace
}  // namespace sundial::adapters::redis
