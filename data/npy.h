// NumPy .npy files for tensors: f32 ('<f4'), i64 ('<i8') and u8 ('|u1'), C order, little endian,
// format versions 1.0 (written) and 1.0-3.0 (read). Files written here open with numpy.load; a
// header that is not one of these gives an error naming the file and what is wrong.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "engine/tensor.h"

namespace hito::data {

// Writes `tensor` (any device; copied to the host) atomically.
void save_npy(const std::filesystem::path& path, const Tensor& tensor);
// Reads a CPU tensor. Errors: not an .npy file, unsupported dtype or byte order, Fortran order,
// or a data section shorter or longer than the header's shape says.
Tensor load_npy(const std::filesystem::path& path);
// The same from the bytes of a file; `file` names it in messages. Every size in the header is
// multiplied with overflow checks and compared with the bytes present before anything is allocated.
Tensor decode_npy(std::string_view bytes, const std::string& file);

}  // namespace hito::data
