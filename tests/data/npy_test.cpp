// .npy I/O: round trips of every dtype, files NumPy wrote, files NumPy reads back (checked with
// Debian's python3), and clear errors on malformed headers.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#include "data/npy.h"
#include "base/error.h"
#include "base/fs.h"
#include "tests/support/testing.h"

namespace hito::data {
namespace {

using testing::fixture_path;

void expect_error_mentions(const fs::path& path, const std::string& words) {
  try {
    load_npy(path);
    FAIL() << "no error for " << path;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
  }
}

TEST(Npy, RoundTripsEveryDtypeAndRank) {
  fs::path dir = testing::temp_dir("npy");
  Tensor f = testing::randn({3, 4, 5}, 1);
  Tensor i = Tensor::from_vector<int64_t>({-3, 0, 7, 1LL << 40}, {4});
  Tensor u = Tensor::from_vector<uint8_t>({0, 1, 254, 255, 9, 10}, {2, 3});
  Tensor s = Tensor::scalar(1.5f);
  Tensor empty = Tensor::zeros({0, 3});
  for (auto [name, t] : std::vector<std::pair<std::string, Tensor>>{{"f", f}, {"i", i}, {"u", u}, {"s", s}, {"e", empty}}) {
    save_npy(dir / (name + ".npy"), t);
    Tensor back = load_npy(dir / (name + ".npy"));
    EXPECT_EQ(back.shape(), t.shape()) << name;
    EXPECT_EQ(back.dtype(), t.dtype()) << name;
    ASSERT_EQ(back.nbytes(), t.nbytes());
    if (t.nbytes() > 0) EXPECT_EQ(std::memcmp(back.raw_data(), t.raw_data(), t.nbytes()), 0) << name;
    // The data start on a 64-byte boundary, as NumPy writes them.
    EXPECT_EQ((fs::file_size(dir / (name + ".npy")) - t.nbytes()) % 64, 0u) << name;
  }
  fs::remove_all(dir);
}

TEST(Npy, ReadsWhatNumpyWrote) {
  Tensor f = load_npy(fixture_path("data/numpy_f32.npy"));
  EXPECT_EQ(f.shape(), (Shape{3, 5}));
  EXPECT_EQ(f.dtype(), DType::F32);
  EXPECT_EQ(load_npy(fixture_path("data/numpy_i64.npy")).shape(), (Shape{7}));
  Tensor u = load_npy(fixture_path("data/numpy_u8.npy"));
  EXPECT_EQ(u.shape(), (Shape{2, 3, 4}));
  EXPECT_EQ(u.dtype(), DType::U8);
  Tensor s = load_npy(fixture_path("data/numpy_scalar_f32.npy"));
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.item(), 2.5f);
}

TEST(Npy, NumpyReadsWhatWeWrote) {
  HITO_REQUIRE_PATH("/usr/bin/python3");
  fs::path dir = testing::temp_dir("npy-numpy");
  save_npy(dir / "f.npy", Tensor::from_vector<float>({1.5f, -2.0f, 3.25f, 0.0f, 5.0f, 6.0f}, {2, 3}));
  save_npy(dir / "i.npy", Tensor::from_vector<int64_t>({-1, 1LL << 40, 3}, {3}));
  save_npy(dir / "u.npy", Tensor::from_vector<uint8_t>({0, 255}, {1, 2, 1}));
  std::string script =
      "import numpy as np, sys; d = sys.argv[1]\n"
      "f = np.load(d + '/f.npy'); i = np.load(d + '/i.npy'); u = np.load(d + '/u.npy')\n"
      "assert f.dtype == np.float32 and f.shape == (2, 3) and f[0, 2] == 3.25 and f[1, 0] == 0, f\n"
      "assert i.dtype == np.int64 and i.tolist() == [-1, 1 << 40, 3], i\n"
      "assert u.dtype == np.uint8 and u.shape == (1, 2, 1) and u.ravel().tolist() == [0, 255], u\n";
  write_file_atomic(dir / "check.py", script);
  std::string command = "/usr/bin/python3 " + (dir / "check.py").string() + " " + dir.string();
  EXPECT_EQ(std::system(command.c_str()), 0) << "numpy could not read the files in " << dir;
  fs::remove_all(dir);
}

TEST(Npy, MalformedFilesGiveClearErrors) {
  expect_error_mentions(fixture_path("data/bad_f64.npy"), "'<f8' is not supported");
  expect_error_mentions(fixture_path("data/bad_fortran.npy"), "Fortran-order");
  expect_error_mentions(fixture_path("data/bad_bigendian.npy"), "big-endian");
  fs::path dir = testing::temp_dir("npy-bad");
  write_file_atomic(dir / "text.npy", "hello, not numpy");
  expect_error_mentions(dir / "text.npy", "not an .npy file");
  // A good file cut short.
  std::string bytes = read_file(fixture_path("data/numpy_f32.npy"));
  write_file_atomic(dir / "short.npy", bytes.substr(0, bytes.size() - 4));
  expect_error_mentions(dir / "short.npy", "needs 60");
  write_file_atomic(dir / "header.npy", bytes.substr(0, 20));
  expect_error_mentions(dir / "header.npy", "truncated");
  fs::remove_all(dir);
}

// An .npy file with this header dict and `data_bytes` bytes of data.
std::string npy_with(const std::string& dict, size_t data_bytes) {
  std::string header = dict + std::string(64 - (10 + dict.size() + 1) % 64, ' ') + "\n";
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  return bytes + header + std::string(data_bytes, '\0');
}

TEST(Npy, HostileShapesAreRefusedBeforeAnyAllocation) {
  fs::path dir = testing::temp_dir("npy-hostile");
  // 2^21 x 2^21 x 2^21 wraps to 0 elements in plain int64 arithmetic and so matched an empty file.
  write_file_atomic(dir / "wrap.npy", npy_with("{'descr': '<f4', 'fortran_order': False, 'shape': (2097152, 2097152, 2097152), }", 0));
  expect_error_mentions(dir / "wrap.npy", "overflows 64 bits");
  // A shape of 10^12 floats over 16 bytes of data: refused by size, nothing allocated.
  write_file_atomic(dir / "huge.npy", npy_with("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000000), }", 16));
  expect_error_mentions(dir / "huge.npy", "needs 4000000000000");
  // A dimension that does not fit in int64.
  write_file_atomic(dir / "digits.npy", npy_with("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", 0));
  expect_error_mentions(dir / "digits.npy", "malformed shape");
  write_file_atomic(dir / "descr.npy", npy_with("{'descr': , 'fortran_order': False, 'shape': (1,), }", 4));
  expect_error_mentions(dir / "descr.npy", "'descr' must be a quoted string");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace hito::data
