// ImageCache: building the file (ftruncate + writable mapping, filled in parallel, renamed into place)
// and opening it (read-only mapping behind a Storage that unmaps when the last view goes).
#include "data/image_cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "base/hash.h"
#include "data/parallel.h"
#include "base/error.h"
#include "base/fs.h"

namespace hito::data {

namespace {

constexpr char kMagic[8] = {'H', 'I', 'T', 'O', 'I', 'M', 'C', '1'};
constexpr int64_t kHeaderBytes = 64;
constexpr int64_t kChannels = 3;

struct Header {
  char magic[8];
  uint64_t key, count, height, width, channels;
  uint32_t mode, reserved;
  char padding[kHeaderBytes - 8 - 5 * 8 - 2 * 4];
};
static_assert(sizeof(Header) == kHeaderBytes);

uint64_t content_key(const std::string& dataset_key, const std::vector<std::filesystem::path>& paths) {
  Hasher hasher;
  hasher.add(dataset_key).add(static_cast<uint64_t>(paths.size()));
  for (const auto& path : paths) hasher.add(path.string());
  return hasher.digest();
}

Header expected_header(uint64_t key, int64_t count, int64_t height, int64_t width, ResizeMode mode) {
  Header header{};
  std::memcpy(header.magic, kMagic, sizeof(kMagic));
  header.key = key;
  header.count = static_cast<uint64_t>(count);
  header.height = static_cast<uint64_t>(height);
  header.width = static_cast<uint64_t>(width);
  header.channels = kChannels;
  header.mode = static_cast<uint32_t>(mode);
  return header;
}

size_t file_bytes(int64_t count, int64_t height, int64_t width) {
  return static_cast<size_t>(kHeaderBytes + count * height * width * kChannels);
}

// Maps a whole file; nullptr when it cannot be opened (a missing cache is not an error).
std::shared_ptr<Storage> map_read_only(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat info {};
  if (::fstat(fd, &info) != 0 || info.st_size < kHeaderBytes) {
    ::close(fd);
    return nullptr;
  }
  size_t bytes = static_cast<size_t>(info.st_size);
  void* data = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (data == MAP_FAILED) return nullptr;
  return std::make_shared<Storage>(data, bytes, Device::CPU, [data, bytes] { ::munmap(data, bytes); });
}

// Decodes every image into a new file at `path` (via a temporary name, so a crash leaves no torn cache).
void build_file(const std::filesystem::path& path, const Header& header, const std::vector<std::filesystem::path>& paths,
                int64_t height, int64_t width, ResizeMode mode, int threads) {
  std::filesystem::create_directories(path.parent_path());
  remove_stale_temporaries(path.parent_path());  // caches half-built by a killed process
  std::filesystem::path temp = path;
  temp += temporary_suffix(".tmp-") + "-" + std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id()) & 0xffff);
  size_t bytes = file_bytes(static_cast<int64_t>(paths.size()), height, width);
  int fd = ::open(temp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  HITO_CHECK(fd >= 0, "cannot create image cache ", temp.string(), ": ", std::strerror(errno));
  void* data = MAP_FAILED;
  try {
    // Blocks reserved now, so that a full disk is an error here, not a SIGBUS while filling the mapping.
    int reserved = ::posix_fallocate(fd, 0, static_cast<off_t>(bytes));
    HITO_CHECK(reserved == 0, "cannot size image cache ", temp.string(), " to ", bytes, " bytes: ", std::strerror(reserved));
    data = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    HITO_CHECK(data != MAP_FAILED, "cannot map image cache ", temp.string(), ": ", std::strerror(errno));
    auto* base = static_cast<uint8_t*>(data);
    size_t image_bytes = static_cast<size_t>(height * width * kChannels);
    parallel_items(static_cast<int64_t>(paths.size()), threads, [&](int64_t i, int) {
      Image image = decode_image(paths[static_cast<size_t>(i)]);
      resize_image_into(image, height, width, mode, base + kHeaderBytes + static_cast<size_t>(i) * image_bytes);
    });
    // Last: a header means the pixels are complete. No msync: other processes see the pages through
    // the page cache at once, and waiting for the disk would double the build time; a cache torn by
    // a system crash is a derived file (delete <run>/cache).
    std::memcpy(base, &header, sizeof(header));
    ::munmap(data, bytes);
    ::close(fd);
  } catch (...) {
    if (data != MAP_FAILED) ::munmap(data, bytes);
    ::close(fd);
    std::filesystem::remove(temp);
    throw;
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::filesystem::remove(temp);
    HITO_FAIL("cannot move ", temp.string(), " to ", path.string(), ": ", ec.message());
  }
}

}  // namespace

std::filesystem::path ImageCache::file_for(const std::filesystem::path& cache_dir, const std::string& dataset_key,
                                           const std::vector<std::filesystem::path>& paths, int64_t height, int64_t width,
                                           ResizeMode mode) {
  Hasher key;
  key.add(content_key(dataset_key, paths));
  return cache_dir / ("images-" + key.hex() + "-" + std::to_string(height) + "x" + std::to_string(width) + "-" +
                      resize_mode_name(mode) + ".u8");
}

std::shared_ptr<ImageCache> ImageCache::open_or_build(const std::filesystem::path& cache_dir, const std::string& dataset_key,
                                                      const std::vector<std::filesystem::path>& paths, int64_t height,
                                                      int64_t width, ResizeMode mode, int threads) {
  HITO_CHECK(height > 0 && width > 0, "image cache: size must be positive, got ", height, "x", width);
  int64_t count = static_cast<int64_t>(paths.size());
  Header header = expected_header(content_key(dataset_key, paths), count, height, width, mode);
  std::filesystem::path path = file_for(cache_dir, dataset_key, paths, height, width, mode);

  auto matches = [&](const std::shared_ptr<Storage>& mapping) {
    return mapping && mapping->bytes() == file_bytes(count, height, width) &&
           std::memcmp(mapping->data(), &header, sizeof(header)) == 0;
  };
  std::shared_ptr<ImageCache> cache(new ImageCache());
  cache->mapping_ = map_read_only(path);
  if (!matches(cache->mapping_)) {
    cache->mapping_.reset();
    build_file(path, header, paths, height, width, mode, threads);
    cache->mapping_ = map_read_only(path);
    HITO_CHECK(matches(cache->mapping_), "image cache ", path.string(), " does not read back as written");
    cache->built_now_ = true;
  }
  cache->file_ = path;
  cache->count_ = count;
  cache->height_ = height;
  cache->width_ = width;
  cache->mode_ = mode;
  return cache;
}

const uint8_t* ImageCache::pixels(int64_t i) const {
  HITO_CHECK(i >= 0 && i < count_, "image cache ", file_.string(), ": image ", i, " out of range [0, ", count_, ")");
  return static_cast<const uint8_t*>(mapping_->data()) + kHeaderBytes + i * height_ * width_ * kChannels;
}

void ImageCache::read(int64_t i, uint8_t* out) const {
  std::memcpy(out, pixels(i), static_cast<size_t>(height_ * width_ * kChannels));
}

Tensor ImageCache::image(int64_t i) const {
  pixels(i);  // range check
  return Tensor::from_storage(mapping_, {height_, width_, kChannels}, DType::U8, kHeaderBytes + i * height_ * width_ * kChannels);
}

}  // namespace hito::data
