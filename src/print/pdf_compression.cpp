#include "print/pdf_compression.hpp"

#include <dlfcn.h>

#include <zlib.h>

namespace minqing::print {

int pdf_deflate_level() noexcept { return Z_BEST_SPEED; }

}  // namespace minqing::print

namespace {

using DeflateInit = int (*)(z_streamp, int, const char*, int);

// zlib's own deflateInit_, found once after ours in the lookup order.
DeflateInit real_deflate_init() noexcept {
  static const DeflateInit real = reinterpret_cast<DeflateInit>(dlsym(RTLD_NEXT, "deflateInit_"));
  return real;
}

}  // namespace

// zlib's deflateInit_, with the default level replaced (pdf_compression.hpp).
extern "C" int deflateInit_(z_streamp stream, int level, const char* version, int stream_size) {
  const DeflateInit real = real_deflate_init();
  if (!real) return Z_VERSION_ERROR;  // no zlib after us: cannot happen in a program linking zlib
  if (level == Z_DEFAULT_COMPRESSION) level = minqing::print::pdf_deflate_level();
  return real(stream, level, version, stream_size);
}
