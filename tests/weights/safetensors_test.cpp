// safetensors I/O: round trips of every dtype, a file written by hito read by an independent Python
// reader, F16/BF16 widening against known values and PyTorch's, every kind of malformed file refused
// with a message naming the file (and tensor), and the real MobileNetV2 checkpoint.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>

#include <nlohmann/json.hpp>

#include "base/fs.h"
#include "tests/support/testing.h"
#include "weights/safetensors.h"

namespace hito {
namespace {

namespace fs = std::filesystem;

class SafetensorsTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::temp_dir("safetensors"); }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes an 8-byte length (the header's own, unless given), the header text and the data bytes.
  fs::path write_raw(const std::string& name, const std::string& header, const std::string& data,
                     uint64_t length = std::numeric_limits<uint64_t>::max()) {
    if (length == std::numeric_limits<uint64_t>::max()) length = header.size();
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((length >> (8 * i)) & 0xff);
    fs::path path = dir_ / name;
    write_file_atomic(path, bytes + header + data);
    return path;
  }

  fs::path dir_;
};

// The error message of read_safetensors(path), or "" when it succeeds.
std::string read_error(const fs::path& path) {
  try {
    read_safetensors(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

template <class T>
std::string bytes_of(const std::vector<T>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

TEST_F(SafetensorsTest, RoundTripOfEveryDtypeWithMetadata) {
  NamedTensors tensors = {
      {"weights", testing::randn({2, 3}, 1)},
      {"labels", Tensor::from_vector<int64_t>({-5, 0, 7, int64_t(1) << 40}, {4})},
      {"pixels", Tensor::from_vector<uint8_t>({0, 1, 127, 128, 200, 255, 3, 4}, {2, 2, 2})},
      {"scalar", Tensor::scalar(2.5f)},
      {"empty", Tensor::zeros({0, 3})},
  };
  std::map<std::string, std::string> metadata = {{"format", "pt"}, {"note", "quotes \" and \\ survive"}};
  fs::path path = dir_ / "round.safetensors";
  write_safetensors(path, tensors, metadata);
  SafetensorsFile file = read_safetensors(path);
  EXPECT_EQ(file.metadata, metadata);
  ASSERT_EQ(file.tensors.size(), tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const auto& [name, expected] = tensors[i];
    const auto& [got_name, got] = file.tensors[i];
    SCOPED_TRACE(name);
    EXPECT_EQ(got_name, name);  // file order is write order
    EXPECT_EQ(got.dtype(), expected.dtype());
    EXPECT_EQ(got.shape(), expected.shape());
    EXPECT_EQ(got.device(), Device::CPU);
    ASSERT_EQ(got.nbytes(), expected.nbytes());
    if (got.nbytes() > 0) EXPECT_EQ(std::memcmp(got.raw_data(), expected.raw_data(), got.nbytes()), 0);
  }
  // The data section starts 8-byte aligned (the header is padded with spaces).
  std::string bytes = read_file(path);
  uint64_t header_length = 0;
  std::memcpy(&header_length, bytes.data(), 8);
  EXPECT_EQ((8 + header_length) % 8, 0u);
}

TEST_F(SafetensorsTest, WriteRefusesBadNamesAndLeavesNoFile) {
  fs::path path = dir_ / "bad.safetensors";
  EXPECT_THROW(write_safetensors(path, {{"a", Tensor::ones({1})}, {"a", Tensor::ones({2})}}), Error);
  EXPECT_THROW(write_safetensors(path, {{"", Tensor::ones({1})}}), Error);
  EXPECT_THROW(write_safetensors(path, {{"__metadata__", Tensor::ones({1})}}), Error);
  EXPECT_THROW(write_safetensors(path, {{"undefined", Tensor()}}), Error);
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(SafetensorsTest, FileWrittenByHitoReadsInAnIndependentReader) {
  fs::path python = "/usr/bin/python3";
  HITO_REQUIRE_PATH(python);
  if (std::system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") != 0) GTEST_SKIP() << "NumPy not installed";
  NamedTensors tensors = {{"layer.weight", testing::randn({3, 2}, 2)},
                          {"layer.num_batches_tracked", Tensor::from_vector<int64_t>({12345678901}, {})},
                          {"image", Tensor::from_vector<uint8_t>({9, 250, 0}, {1, 3})}};
  fs::path path = dir_ / "for python.safetensors";
  write_safetensors(path, tensors, {{"source", "hito"}});
  fs::path out = dir_ / "python.json";
  std::string command = "/usr/bin/python3 '" + (testing::source_dir() / "tests/scripts/read_safetensors.py").string() +
                        "' '" + path.string() + "' > '" + out.string() + "' 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << read_file(out);
  nlohmann::json parsed = nlohmann::json::parse(read_file(out));
  EXPECT_EQ(parsed["metadata"]["source"], "hito");
  ASSERT_EQ(parsed["tensors"].size(), tensors.size());
  const char* dtypes[] = {"F32", "I64", "U8"};
  for (size_t i = 0; i < tensors.size(); ++i) {
    const nlohmann::json& t = parsed["tensors"][i];
    SCOPED_TRACE(tensors[i].first);
    EXPECT_EQ(t["name"], tensors[i].first);
    EXPECT_EQ(t["dtype"], dtypes[i]);
    EXPECT_EQ(t["shape"].get<Shape>(), tensors[i].second.shape());
  }
  EXPECT_EQ(parsed["tensors"][0]["values"].get<std::vector<float>>(), tensors[0].second.to_vector<float>());
  EXPECT_EQ(parsed["tensors"][1]["values"][0].get<double>(), 12345678901.0);
  EXPECT_EQ(parsed["tensors"][2]["values"].get<std::vector<int>>(), (std::vector<int>{9, 250, 0}));
}

TEST_F(SafetensorsTest, HalfPrecisionWidensToKnownValues) {
  // IEEE binary16: one, minus two, the largest finite, the smallest subnormal and normal, the
  // infinities, minus zero, a quiet NaN, and 1/3 rounded.
  std::vector<uint16_t> f16 = {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x0400, 0x7C00, 0xFC00, 0x8000, 0x7E00, 0x3555};
  // bfloat16: the upper halves of binary32 values.
  std::vector<uint16_t> bf16 = {0x3F80, 0xC2F7, 0x0001, 0x7F80, 0x4049, 0x8000};
  std::string header = R"({"h":{"dtype":"F16","shape":[10],"data_offsets":[0,20]},)"
                       R"("b":{"dtype":"BF16","shape":[2,3],"data_offsets":[20,32]}})";
  SafetensorsFile file = read_safetensors(write_raw("halves.safetensors", header, bytes_of(f16) + bytes_of(bf16)));
  ASSERT_EQ(file.tensors.size(), 2u);
  Tensor h = file.tensors[0].second, b = file.tensors[1].second;
  EXPECT_EQ(h.dtype(), DType::F32);
  EXPECT_EQ(b.shape(), (Shape{2, 3}));
  std::vector<float> hv = h.to_vector<float>(), bv = b.to_vector<float>();
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> expected_h = {1.0f, -2.0f, 65504.0f, std::ldexp(1.0f, -24), std::ldexp(1.0f, -14), inf, -inf, -0.0f};
  for (size_t i = 0; i < expected_h.size(); ++i) EXPECT_EQ(hv[i], expected_h[i]) << "f16 element " << i;
  EXPECT_TRUE(std::signbit(hv[7]));
  EXPECT_TRUE(std::isnan(hv[8]));
  EXPECT_EQ(hv[9], 0.333251953125f);
  std::vector<float> expected_b = {1.0f, -123.5f, std::ldexp(1.0f, -133), inf, 3.140625f, -0.0f};
  for (size_t i = 0; i < expected_b.size(); ++i) EXPECT_EQ(bv[i], expected_b[i]) << "bf16 element " << i;
  EXPECT_TRUE(std::signbit(bv[5]));
}

TEST_F(SafetensorsTest, HalfPrecisionMatchesPyTorchWidening) {
  SafetensorsFile file = read_safetensors(testing::fixture_path("engine/halves.safetensors"));
  std::map<std::string, Tensor> t(file.tensors.begin(), file.tensors.end());
  for (const char* name : {"f16", "bf16"}) {
    SCOPED_TRACE(name);
    std::vector<float> got = t.at(name).to_vector<float>(), expected = t.at(std::string(name) + "_as_f32").to_vector<float>();
    ASSERT_EQ(got.size(), expected.size());
    for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], expected[i]) << "element " << i;  // exact
  }
}

// A malformed file is refused with a message that names the file and contains `expected`.
struct Malformed {
  const char* name;
  std::string header;
  std::string data;
  uint64_t length;  // the header length written; max() = the header's true length
  const char* expected;
};

constexpr uint64_t kTrue = std::numeric_limits<uint64_t>::max();
const std::string kEight(8, 'x');  // eight bytes of data: two f32

std::vector<Malformed> malformed_cases() {
  auto one = [](const std::string& entry) { return R"({"t":)" + entry + "}"; };
  return {
      {"bad_header_length_zero", "{}", "", 0, "bad header length 0"},
      {"bad_header_length_huge", "{}", "", uint64_t(1) << 40, "bad header length"},
      {"header_longer_than_file", "{}", "", 4096, "claims 4096 bytes"},
      {"invalid_json", R"({"t": {"dtype": "F32",)", "", kTrue, "not valid JSON"},
      {"json_not_an_object", "[1, 2]", "", kTrue, "must be a JSON object"},
      {"entry_not_an_object", one("[0, 8]"), kEight, kTrue, "tensor 't': entry must be an object"},
      {"unknown_dtype", one(R"({"dtype":"Q4","shape":[2],"data_offsets":[0,8]})"), kEight, kTrue, "unsupported dtype \"Q4\""},
      {"unsupported_dtype", one(R"({"dtype":"F64","shape":[1],"data_offsets":[0,8]})"), kEight, kTrue, "unsupported dtype \"F64\""},
      {"missing_field", one(R"({"dtype":"F32","shape":[2]})"), kEight, kTrue, "missing field 'data_offsets'"},
      {"unknown_field", one(R"({"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":1})"), kEight, kTrue, "unknown field 'extra'"},
      {"negative_dimension", one(R"({"dtype":"F32","shape":[-2],"data_offsets":[0,8]})"), kEight, kTrue, "non-negative integer"},
      {"fractional_dimension", one(R"({"dtype":"F32","shape":[2.5],"data_offsets":[0,8]})"), kEight, kTrue, "non-negative integer"},
      {"overflowing_shape", one(R"({"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]})"), kEight, kTrue,
       "too large"},
      {"offsets_not_a_pair", one(R"({"dtype":"F32","shape":[2],"data_offsets":[0]})"), kEight, kTrue, "must be [begin, end]"},
      {"offsets_reversed", one(R"({"dtype":"F32","shape":[0],"data_offsets":[8,0]})"), kEight, kTrue, "end before they begin"},
      {"size_not_dtype_times_shape", one(R"({"dtype":"F32","shape":[3],"data_offsets":[0,8]})"), kEight, kTrue,
       "hold 8 bytes, but F32 (3,) needs 12"},
      {"offsets_out_of_range", one(R"({"dtype":"F32","shape":[4],"data_offsets":[0,16]})"), kEight, kTrue, "run past the end"},
      {"offsets_far_out_of_range", one(R"({"dtype":"U8","shape":[8],"data_offsets":[18446744073709551600,18446744073709551608]})"),
       kEight, kTrue, "run past the end"},
      {"overlapping_tensors",
       R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
       kEight, kTrue, "overlap tensor 'a'"},
      {"gap_between_tensors",
       R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[2],"data_offsets":[6,8]}})",
       kEight, kTrue, "tensor 'b': bytes [4, 6) before it belong to no tensor"},
      {"trailing_bytes", one(R"({"dtype":"F32","shape":[1],"data_offsets":[0,4]})"), kEight, kTrue, "last 4 bytes"},
      {"duplicate_names",
       R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
       kEight, kTrue, "names 'a' twice"},
      {"metadata_not_strings", R"({"__metadata__":{"epoch":3}})", "", kTrue, "__metadata__ value of 'epoch'"},
      {"truncated_data", one(R"({"dtype":"F32","shape":[4],"data_offsets":[0,16]})"), kEight.substr(0, 5), kTrue,
       "run past the end"},
  };
}

TEST_F(SafetensorsTest, EveryMalformedFileIsRefusedWithItsReason) {
  for (const Malformed& c : malformed_cases()) {
    SCOPED_TRACE(c.name);
    fs::path path = write_raw(std::string(c.name) + ".safetensors", c.header, c.data, c.length);
    std::string message = read_error(path);
    ASSERT_FALSE(message.empty()) << "was accepted";
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_NE(message.find(c.expected), std::string::npos) << message;
  }
}

TEST_F(SafetensorsTest, ShortAndMissingFilesAreRefused) {
  fs::path short_file = dir_ / "short.safetensors";
  write_file_atomic(short_file, "abc");
  EXPECT_NE(read_error(short_file).find("truncated: 3 bytes"), std::string::npos) << read_error(short_file);
  fs::path missing = dir_ / "missing.safetensors";
  EXPECT_NE(read_error(missing).find(missing.string()), std::string::npos);
  EXPECT_NE(read_error(dir_).find("cannot"), std::string::npos) << read_error(dir_);
}

TEST_F(SafetensorsTest, EveryTruncationOfAValidFileIsRefused) {
  fs::path path = dir_ / "whole.safetensors";
  write_safetensors(path, {{"a", testing::randn({3, 2}, 3)}, {"b", Tensor::from_vector<int64_t>({1, 2}, {2})}});
  std::string bytes = read_file(path);
  for (size_t keep = 0; keep < bytes.size(); ++keep) {
    fs::path cut = dir_ / "cut.safetensors";
    write_file_atomic(cut, bytes.substr(0, keep));
    ASSERT_FALSE(read_error(cut).empty()) << "a file cut to " << keep << " of " << bytes.size() << " bytes was accepted";
  }
}

TEST(RealCheckpoint, MobileNetV2ReadsCompletely) {
  fs::path path = testing::shared_path("weights/mobilenet_v2_imagenet.safetensors");
  HITO_REQUIRE_PATH(path);
  SafetensorsFile file = read_safetensors(path);
  EXPECT_EQ(file.tensors.size(), 314u);
  EXPECT_TRUE(file.metadata.count("arch")) << "the header's notes are kept";
  int64_t parameters = 0, integer_buffers = 0;
  for (const auto& [name, tensor] : file.tensors) {
    bool statistic = name.find("running_") != std::string::npos;
    if (tensor.dtype() == DType::I64) ++integer_buffers;
    else if (!statistic) parameters += tensor.numel();
  }
  EXPECT_EQ(parameters, 3504872);  // as its README states
  EXPECT_EQ(integer_buffers, 52);
  EXPECT_EQ(file.tensors.front().first, "features.0.0.weight");
  EXPECT_EQ(file.tensors.front().second.shape(), (Shape{32, 3, 3, 3}));
}

}  // namespace
}  // namespace hito
