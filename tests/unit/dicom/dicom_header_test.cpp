// readDicomHeader on real files from other systems (../shared/corpus/dicom): the study facts
// come back as UTF-8 whatever Specific Character Set the site wrote them in.
#include "adapters/dicom/dicom_header.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "dcmtk/config/osconfig.h"  // first, as DCMTK requires

#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"

namespace sundial::adapters::dicom {
namespace {

namespace fs = std::filesystem;

fs::path corpus(const std::string& name) { return fs::path(SUNDIAL_CORPUS_DIR) / "dicom" / name; }

std::string patientNameOf(const fs::path& file) {
  auto header = readDicomHeader(file);
  EXPECT_TRUE(header) << file;
  return header ? header->study.patient_name : std::string();
}

struct NamedFile {
  const char* file;
  const char* charset;  // what the file declares, for the failure message
  const char* utf8_name;
};

class CharacterSetTest : public testing::TestWithParam<NamedFile> {};

TEST_P(CharacterSetTest, PatientNameComesBackAsUtf8) {
  const NamedFile& f = GetParam();
  EXPECT_EQ(patientNameOf(corpus(f.file)), f.utf8_name) << f.file << " (" << f.charset << ")";
}

INSTANTIATE_TEST_SUITE_P(
    Corpus, CharacterSetTest,
    testing::Values(
        NamedFile{"pydicom_chrGerm.dcm", "ISO_IR 100", "Äneas^Rüdiger"},
        NamedFile{"pydicom_chrGreek.dcm", "ISO_IR 126", "Διονυσιος"},
        NamedFile{"pydicom_chrRuss.dcm", "ISO_IR 144", "Люкceмбypг"},
        NamedFile{"pydicom_chrArab.dcm", "ISO_IR 127", "قباني^لنزار"},
        NamedFile{"pydicom_chrHbrw.dcm", "ISO_IR 138", "שרון^דבורה"},
        NamedFile{"pydicom_chrKoreanMulti.dcm", "\\ISO 2022 IR 149", "김희중"},
        NamedFile{"pydicom_chrJapMulti.dcm", "\\ISO 2022 IR 87", "やまだ^たろう"},
        NamedFile{"pydicom_chrH31.dcm", "\\ISO 2022 IR 87",
                  "Yamada^Tarou=山田^太郎=やまだ^たろう"},
        NamedFile{"pydicom_chrX1.dcm", "ISO_IR 192", "Wang^XiaoDong=王^小東="}),
    [](const testing::TestParamInfo<NamedFile>& info) {
      std::string name = info.param.file;
      name = name.substr(0, name.find('.'));
      for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

// A copy of a corpus file with its Specific Character Set replaced by `charset`.
fs::path copyWithCharset(const std::string& source, const char* charset, const fs::path& dir) {
  DcmFileFormat file;
  EXPECT_TRUE(file.loadFile(corpus(source).c_str()).good());
  EXPECT_TRUE(file.getDataset()->putAndInsertString(DCM_SpecificCharacterSet, charset).good());
  fs::path out = dir / source;
  EXPECT_TRUE(file.saveFile(out.c_str(), EXS_LittleEndianExplicit).good());
  return out;
}

class TempDir : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sundial-dicom-header-" + std::to_string(::getpid()) + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

using UnknownCharacterSetTest = TempDir;

TEST_F(UnknownCharacterSetTest, KeepsTheAsciiAndMarksTheRestInsteadOfPassingBadBytes) {
  fs::path file = copyWithCharset("pydicom_chrGerm.dcm", "ISO_IR 999", dir_);
  EXPECT_EQ(patientNameOf(file), "?neas^R?diger");
}

TEST_F(UnknownCharacterSetTest, UndeclaredLatin1IsNotPassedOnAsInvalidUtf8) {
  // A site that writes ISO 8859-1 without declaring it: the default repertoire is ASCII.
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile(corpus("pydicom_chrGerm.dcm").c_str()).good());
  file.getDataset()->findAndDeleteElement(DCM_SpecificCharacterSet);
  fs::path out = dir_ / "undeclared.dcm";
  ASSERT_TRUE(file.saveFile(out.c_str(), EXS_LittleEndianExplicit).good());
  EXPECT_EQ(patientNameOf(out), "?neas^R?diger");
}

}  // namespace
}  // namespace sundial::adapters::dicom
