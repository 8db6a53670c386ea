#include "adapters/dicom/dicom_inflate.h"

#include <zlib.h>

#include <array>
#include <fstream>
#include <string>

namespace sundial::adapters::dicom {
namespace {

constexpr std::size_t kChunkBytes = 64 * 1024;

// Ends the zlib stream whichever way the function returns.
struct Inflater {
  z_stream stream{};
  bool ready = false;
  Inflater() { ready = inflateInit2(&stream, -MAX_WBITS) == Z_OK; }  // raw deflate, no header
  ~Inflater() {
    if (ready) inflateEnd(&stream);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
};

}  // namespace

Result<std::uint64_t> inflateDataSet(const std::filesystem::path& file,
                                     std::uint64_t data_set_offset,
                                     const std::filesystem::path& into, std::uint64_t max_bytes) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return makeError(ErrorCode::Unavailable, "cannot read the received file", file.string());
  in.seekg(static_cast<std::streamoff>(data_set_offset));
  std::ofstream out(into, std::ios::binary | std::ios::trunc);
  if (!out) return makeError(ErrorCode::Unavailable, "cannot write", into.string());
  Inflater inflater;
  if (!inflater.ready) return makeError(ErrorCode::Internal, "zlib would not start");

  std::array<unsigned char, kChunkBytes> input{};
  std::array<unsigned char, kChunkBytes> output{};
  std::uint64_t written = 0;
  int status = Z_OK;
  while (status != Z_STREAM_END && written < max_bytes) {
    in.read(reinterpret_cast<char*>(input.data()), input.size());
    const std::streamsize got = in.gcount();
    if (got <= 0) break;  // the stream ends without its end marker: keep what came
    inflater.stream.next_in = input.data();
    inflater.stream.avail_in = static_cast<uInt>(got);
    do {
      inflater.stream.next_out = output.data();
      inflater.stream.avail_out = static_cast<uInt>(output.size());
      status = inflate(&inflater.stream, Z_NO_FLUSH);
      if (status == Z_NEED_DICT || status == Z_DATA_ERROR || status == Z_MEM_ERROR) {
        if (written == 0) {
          return makeError(ErrorCode::InvalidInput, "the deflated data set is not raw deflate",
                           file.string());
        }
        status = Z_STREAM_END;  // corrupt after a while: what came so far may hold the header
        break;
      }
      std::uint64_t produced = output.size() - inflater.stream.avail_out;
      if (produced > max_bytes - written) produced = max_bytes - written;
      out.write(reinterpret_cast<const char*>(output.data()), static_cast<std::streamsize>(produced));
      written += produced;
    } while (inflater.stream.avail_out == 0 && written < max_bytes);
  }
  out.close();
  if (!out) return makeError(ErrorCode::Unavailable, "cannot write", into.string());
  return written;
}

}  // namespace sundial::adapters::dicom
