#pragma once
// Reading the shared HL7 corpus by manifest name (read only).

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace sundial::hl7::testing {

inline std::filesystem::path corpusDir() {
  return std::filesystem::path(SUNDIAL_CORPUS_DIR) / "hl7";
}

inline std::string readCorpusFile(const std::string& name) {
  std::ifstream in(corpusDir() / name, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

struct ManifestEntry {
  std::string file;
  std::string exercises;
};

inline std::vector<ManifestEntry> readManifest() {
  std::ifstream in(corpusDir() / "MANIFEST.tsv");
  std::vector<ManifestEntry> entries;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> columns;
    std::size_t start = 0;
    while (true) {
      const std::size_t tab = line.find('\t', start);
      columns.push_back(line.substr(start, tab == std::string::npos ? tab : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    if (columns.size() >= 5) entries.push_back({columns[0], columns[4]});
  }
  return entries;
}

}  // namespace sundial::hl7::testing
