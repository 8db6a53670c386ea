// dicom_send_throughput: sends every file of a folder to a C-STORE SCP with one
// DicomInstanceSender (one association) and prints instances/s and the peak RSS.
// A probe run by hand, not a test (speed is measured, not asserted):
//
//   python3 make_ct_series.py OUT_DIR 500          # 512x512 16-bit CT, ~0.5 MB each
//   TCP_NODELAY=1 storescp -aet DEST -od /dev/shm/in -pdu 131072 11113 &
//   dicom_send_throughput OUT_DIR 127.0.0.1 11113 DEST
//
// run_throughput.sh does all of that and times storescu on the same files for comparison.

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "adapters/dicom/send_instance_sender.h"
#include "dcmtk/config/osconfig.h"  // first, as DCMTK requires
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcxfer.h"

namespace {

long peakRssKiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sundial;
  if (argc < 5) {
    std::cerr << "usage: dicom_send_throughput DIR HOST PORT CALLED_AE [MAX_PDU]\n";
    return 2;
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(argv[1])) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::cerr << "no files in " << argv[1] << "\n";
    return 2;
  }
  std::uintmax_t total_bytes = 0;
  for (const auto& file : files) total_bytes += std::filesystem::file_size(file);

  // The queue would carry these; one read of the first file stands in for it.
  DcmFileFormat first;
  if (first.loadFile(files.front().c_str()).bad()) {
    std::cerr << "cannot read " << files.front() << "\n";
    return 2;
  }
  OFString sop_class;
  first.getDataset()->findAndGetOFString(DCM_SOPClassUID, sop_class);
  std::string syntax = DcmXfer(first.getDataset()->getOriginalXfer()).getXferID();

  config::DestinationConfig destination;
  destination.name = "bench";
  destination.host = argv[2];
  destination.port = static_cast<std::uint16_t>(std::stoi(argv[3]));
  destination.ae_title = argv[4];
  std::uint32_t max_pdu = argc > 5 ? static_cast<std::uint32_t>(std::stoul(argv[5])) : 131072;
  adapters::dicom::DicomInstanceSender sender("SUNDIAL", destination,
                                              adapters::dicom::SendTimeouts{}, max_pdu);

  std::vector<engine::ForwardJob> jobs;
  for (const auto& file : files) {
    engine::ForwardJob job;
    job.destination = destination.name;
    job.sop_class_uid = sop_class.c_str();
    job.transfer_syntax_uid = syntax;
    job.spool_path = file.string();
    jobs.push_back(std::move(job));
  }
  sender.prepare(jobs);
  long rss_before = peakRssKiB();
  auto start = std::chrono::steady_clock::now();
  int failures = 0;
  for (const auto& job : jobs) {
    Result<void> sent = sender.send(job);
    if (!sent) {
      ++failures;
      if (failures <= 3) std::cerr << sent.error().describe() << "\n";
    }
  }
  sender.release();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "instances=" << jobs.size() << " failures=" << failures << " seconds=" << seconds
            << " instances_per_s=" << jobs.size() / seconds
            << " MB_per_s=" << total_bytes / seconds / 1e6
            << " associations=" << sender.associationsOpened()
            << " peak_rss_kib_before=" << rss_before << " peak_rss_kib=" << peakRssKiB()
            << " largest_file_kib=" <<
      [&] {
        std::uintmax_t largest = 0;
        for (const auto& f : files) largest = std::max(largest, std::filesystem::file_size(f));
        return largest / 1024;
      }() << "\n";
  return failures == 0 ? 0 : 1;
}
