#include "render/png_encoder.hpp"

#include <libdeflate.h>
#include <png.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "base/error.hpp"

namespace minqing::render {

namespace {

struct Rgba {
  std::uint8_t r, g, b, a;
};

inline Rgba unpremultiply(std::uint32_t p) {
  const std::uint8_t a = static_cast<std::uint8_t>(p >> 24);
  std::uint8_t r = static_cast<std::uint8_t>(p >> 16), g = static_cast<std::uint8_t>(p >> 8), b = static_cast<std::uint8_t>(p);
  if (a != 255) {
    if (a == 0) return {0, 0, 0, 0};
    r = static_cast<std::uint8_t>((r * 255 + a / 2) / a);
    g = static_cast<std::uint8_t>((g * 255 + a / 2) / a);
    b = static_cast<std::uint8_t>((b * 255 + a / 2) / a);
  }
  return {r, g, b, a};
}

void write_to_string(png_structp png, png_bytep data, png_size_t n) {
  static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<const char*>(data), n);
}
void flush_nothing(png_structp) {}
[[noreturn]] void on_error(png_structp, png_const_charp msg) { throw RenderError(std::string("libpng: ") + msg); }
void on_warning(png_structp, png_const_charp) {}

int png_filter_flag(PngFilter f) {
  switch (f) {
    case PngFilter::none: return PNG_FILTER_NONE;
    case PngFilter::sub: return PNG_FILTER_SUB;
    case PngFilter::up: return PNG_FILTER_UP;
    case PngFilter::average: return PNG_FILTER_AVG;
    case PngFilter::paeth: return PNG_FILTER_PAETH;
    case PngFilter::all: return PNG_ALL_FILTERS;
  }
  return PNG_FILTER_SUB;
}

// Median-cut quantizer over a 4-bit-per-channel histogram. Returns the palette and, per pixel,
// its index. Images with ≤ 256 distinct colours are kept exact.
struct Quantized {
  std::vector<Rgba> palette;
  std::vector<std::uint8_t> indices;
};

Quantized quantize(const std::vector<Rgba>& px) {
  Quantized q;
  q.indices.resize(px.size());
  // Exact path.
  {
    std::vector<std::uint32_t> keys(px.size());
    for (std::size_t i = 0; i < px.size(); ++i) std::memcpy(&keys[i], &px[i], 4);
    std::vector<std::uint32_t> uniq = keys;
    std::sort(uniq.begin(), uniq.end());
    uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
    if (uniq.size() <= 256) {
      for (auto k : uniq) {
        Rgba c;
        std::memcpy(&c, &k, 4);
        q.palette.push_back(c);
      }
      for (std::size_t i = 0; i < px.size(); ++i) {
        q.indices[i] = static_cast<std::uint8_t>(std::lower_bound(uniq.begin(), uniq.end(), keys[i]) - uniq.begin());
      }
      return q;
    }
  }
  auto bin_of = [](const Rgba& c) { return (c.r >> 4) << 12 | (c.g >> 4) << 8 | (c.b >> 4) << 4 | (c.a >> 4); };
  struct Bin {
    std::uint32_t count = 0;
    std::uint64_t r = 0, g = 0, b = 0, a = 0;
  };
  std::vector<Bin> bins(65536);
  for (const auto& c : px) {
    Bin& b = bins[static_cast<std::size_t>(bin_of(c))];
    ++b.count;
    b.r += c.r;
    b.g += c.g;
    b.b += c.b;
    b.a += c.a;
  }
  struct Entry {
    std::array<double, 4> v;
    std::uint32_t count;
    int bin;
  };
  std::vector<Entry> entries;
  for (int i = 0; i < 65536; ++i) {
    const Bin& b = bins[static_cast<std::size_t>(i)];
    if (!b.count) continue;
    entries.push_back({{double(b.r) / b.count, double(b.g) / b.count, double(b.b) / b.count, double(b.a) / b.count}, b.count, i});
  }
  struct Box {
    std::size_t begin, end;
  };
  std::vector<Box> boxes{{0, entries.size()}};
  auto range_of = [&](const Box& bx, int& axis) {
    double best = -1;
    for (int k = 0; k < 4; ++k) {
      double lo = 1e9, hi = -1e9;
      for (std::size_t i = bx.begin; i < bx.end; ++i) {
        lo = std::min(lo, entries[i].v[static_cast<std::size_t>(k)]);
        hi = std::max(hi, entries[i].v[static_cast<std::size_t>(k)]);
      }
      if (hi - lo > best) {
        best = hi - lo;
        axis = k;
      }
    }
    return best;
  };
  while (boxes.size() < 256) {
    // Split the box with the largest (range × population).
    double best_score = 0;
    std::size_t best = boxes.size();
    int best_axis = 0;
    for (std::size_t i = 0; i < boxes.size(); ++i) {
      if (boxes[i].end - boxes[i].begin < 2) continue;
      int axis = 0;
      const double range = range_of(boxes[i], axis);
      std::uint64_t pop = 0;
      for (std::size_t k = boxes[i].begin; k < boxes[i].end; ++k) pop += entries[k].count;
      const double score = range * std::sqrt(static_cast<double>(pop));
      if (score > best_score) {
        best_score = score;
        best = i;
        best_axis = axis;
      }
    }
    if (best == boxes.size()) break;
    Box bx = boxes[best];
    std::sort(entries.begin() + static_cast<std::ptrdiff_t>(bx.begin), entries.begin() + static_cast<std::ptrdiff_t>(bx.end),
              [&](const Entry& a, const Entry& b) { return a.v[static_cast<std::size_t>(best_axis)] < b.v[static_cast<std::size_t>(best_axis)]; });
    // Median by population.
    std::uint64_t total = 0, acc = 0;
    for (std::size_t k = bx.begin; k < bx.end; ++k) total += entries[k].count;
    std::size_t mid = bx.begin + 1;
    for (std::size_t k = bx.begin; k < bx.end - 1; ++k) {
      acc += entries[k].count;
      mid = k + 1;
      if (acc * 2 >= total) break;
    }
    boxes[best] = {bx.begin, mid};
    boxes.push_back({mid, bx.end});
  }
  std::vector<std::uint8_t> bin_index(65536, 0);
  for (std::size_t bi = 0; bi < boxes.size(); ++bi) {
    double r = 0, g = 0, b = 0, a = 0, n = 0;
    for (std::size_t k = boxes[bi].begin; k < boxes[bi].end; ++k) {
      const double w = entries[k].count;
      r += entries[k].v[0] * w;
      g += entries[k].v[1] * w;
      b += entries[k].v[2] * w;
      a += entries[k].v[3] * w;
      n += w;
      bin_index[static_cast<std::size_t>(entries[k].bin)] = static_cast<std::uint8_t>(bi);
    }
    auto byte = [&](double v) { return static_cast<std::uint8_t>(std::clamp(v / n + 0.5, 0.0, 255.0)); };
    q.palette.push_back({byte(r), byte(g), byte(b), byte(a)});
  }
  for (std::size_t i = 0; i < px.size(); ++i) q.indices[i] = bin_index[static_cast<std::size_t>(bin_of(px[i]))];
  return q;
}

// Whether every pixel's alpha is 255 (the PNG is then RGB).
bool is_opaque(const std::uint8_t* argb, int width, int height, int stride) {
  for (int y = 0; y < height; ++y) {
    const auto* row = reinterpret_cast<const std::uint32_t*>(argb + static_cast<std::ptrdiff_t>(y) * stride);
    for (int x = 0; x < width; ++x) {
      if ((row[x] >> 24) != 255) return false;
    }
  }
  return true;
}

// The PNG container around a libdeflate zlib stream, for the RGB and RGBA paths: libdeflate
// compresses a whole buffer about 2–3× faster than zlib at a like ratio, and a tile is one buffer.
struct CompressorDeleter {
  void operator()(libdeflate_compressor* c) const noexcept { libdeflate_free_compressor(c); }
};

// One compressor per thread and level (a compressor is not thread-safe; making one costs more than
// a tile).
libdeflate_compressor* compressor(int level) {
  thread_local std::array<std::unique_ptr<libdeflate_compressor, CompressorDeleter>, 13> per_level;
  auto& c = per_level[static_cast<std::size_t>(level)];
  if (!c) {
    c.reset(libdeflate_alloc_compressor(level));
    if (!c) throw RenderError("libdeflate: cannot allocate a compressor");
  }
  return c.get();
}

void put_u32(std::string& out, std::uint32_t v) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(b, 4);
}

// Starts a chunk: its length (set by close_chunk) and type. Returns where the chunk starts.
std::size_t open_chunk(std::string& out, const char (&type)[5]) {
  const std::size_t at = out.size();
  out.append(4, '\0');
  out.append(type, 4);
  return at;
}

// Ends the chunk opened at `at` whose data follows its type: its length, then its CRC.
void close_chunk(std::string& out, std::size_t at) {
  const std::size_t n = out.size() - at - 8;
  for (int k = 0; k < 4; ++k) out[at + static_cast<std::size_t>(k)] = static_cast<char>(n >> (24 - 8 * k));
  put_u32(out, libdeflate_crc32(0, out.data() + at + 4, n + 4));
}

// The most a thread keeps of its encoding buffers between images: a 512 px (@2x) tile's RGBA
// scanlines and their deflated bound.
constexpr std::size_t kKeptBytes = 1100 * 1024;

// The filter byte and filtered bytes of one row (`bpp` bytes a pixel); `prev` is the row above
// (null for the first).
void filter_row(PngFilter f, const std::uint8_t* row, const std::uint8_t* prev, std::size_t n, int bpp, std::uint8_t* out) {
  const auto b = static_cast<std::size_t>(bpp);
  switch (f) {
    case PngFilter::sub:
      out[0] = 1;
      for (std::size_t i = 0; i < n; ++i) out[1 + i] = static_cast<std::uint8_t>(row[i] - (i >= b ? row[i - b] : 0));
      return;
    case PngFilter::up:
      out[0] = 2;
      for (std::size_t i = 0; i < n; ++i) out[1 + i] = static_cast<std::uint8_t>(row[i] - (prev ? prev[i] : 0));
      return;
    default:
      out[0] = 0;
      std::memcpy(out + 1, row, n);
      return;
  }
}

// The rows of an ARGB32 image as PNG scanlines (a filter byte, then RGB when `channels` is 3 or
// straight RGBA when 4), filtered with `filter` (none, sub or up), into `raw`. Written straight
// from the image, row by row: no intermediate copy of the pixels. Returns false, with `raw`
// unfinished, when `channels` is 3 and a pixel is not opaque.
bool scanlines(const std::uint8_t* argb, int width, int height, int stride, int channels, PngFilter filter,
               std::vector<std::uint8_t>& raw) {
  const std::size_t row_bytes = static_cast<std::size_t>(width) * static_cast<std::size_t>(channels);
  raw.resize((row_bytes + 1) * static_cast<std::size_t>(height));
  std::vector<std::uint8_t> rows;  // sub and up: the unfiltered row and the one above it
  if (filter != PngFilter::none) rows.resize(2 * row_bytes);
  for (int y = 0; y < height; ++y) {
    const auto* in = reinterpret_cast<const std::uint32_t*>(argb + static_cast<std::ptrdiff_t>(y) * stride);
    std::uint8_t* line = raw.data() + static_cast<std::size_t>(y) * (row_bytes + 1);
    // Filter none: the pixels go straight after the filter byte.
    std::uint8_t* o = filter == PngFilter::none ? line + 1 : rows.data() + static_cast<std::size_t>(y % 2) * row_bytes;
    const std::uint8_t* const row = o;
    if (channels == 3) {
      std::uint32_t alpha = 0xff000000u;  // the alphas of the row, and-ed
      int x = 0;
      if constexpr (std::endian::native == std::endian::little) {
        // R, G, B as one 4-byte store (the byte-swapped pixel shifted down: R G B 0 in memory), 3
        // bytes apart: each store's last byte is overwritten by the next pixel's. ~25 % less time
        // than three byte stores a pixel. The row's last pixel is written byte by byte below, so
        // nothing is written past it.
        for (; x + 1 < width; ++x) {
          const std::uint32_t p = in[x];
          alpha &= p;
          const std::uint32_t rgb = __builtin_bswap32(p) >> 8;
          std::memcpy(o, &rgb, 4);
          o += 3;
        }
      }
      for (; x < width; ++x) {
        const std::uint32_t p = in[x];
        alpha &= p;
        *o++ = static_cast<std::uint8_t>(p >> 16);
        *o++ = static_cast<std::uint8_t>(p >> 8);
        *o++ = static_cast<std::uint8_t>(p);
      }
      if (alpha != 0xff000000u) return false;
    } else {
      for (int x = 0; x < width; ++x) {
        const Rgba c = unpremultiply(in[x]);
        *o++ = c.r;
        *o++ = c.g;
        *o++ = c.b;
        *o++ = c.a;
      }
    }
    if (filter == PngFilter::none) {
      line[0] = 0;
    } else {
      const std::uint8_t* prev = y > 0 ? rows.data() + static_cast<std::size_t>((y + 1) % 2) * row_bytes : nullptr;
      filter_row(filter, row, prev, row_bytes, channels, line);
    }
  }
  return true;
}

// Writes RGB (opaque) or RGBA scanlines (`raw`, from scanlines()) as a PNG with one IDAT, deflated
// by libdeflate at `level`.
std::string write_png_deflate(const std::vector<std::uint8_t>& raw, int width, int height, int channels, int level) {
  libdeflate_compressor* c = compressor(level);
  // Compressed into a buffer kept by the thread (up to kKeptBytes), then copied into a string of
  // its own size: a string reserved for the bound (about the raw size, ~200 KB a 256 px tile)
  // would keep that capacity wherever the PNG is kept.
  thread_local std::vector<char> kept;
  std::vector<char> once;
  const std::size_t bound = libdeflate_zlib_compress_bound(c, raw.size());
  std::vector<char>& deflated = bound <= kKeptBytes ? kept : once;
  if (deflated.size() < bound) deflated.resize(bound);
  const std::size_t n = libdeflate_zlib_compress(c, raw.data(), raw.size(), deflated.data(), bound);
  if (n == 0) throw RenderError("libdeflate: the compressed tile does not fit its bound");
  std::string out;
  out.reserve(8 + 25 + 12 + n + 12);
  out.append("\x89PNG\r\n\x1a\n", 8);
  std::size_t at = open_chunk(out, "IHDR");
  put_u32(out, static_cast<std::uint32_t>(width));
  put_u32(out, static_cast<std::uint32_t>(height));
  const char ihdr_rest[5] = {8, static_cast<char>(channels == 3 ? 2 : 6), 0, 0, 0};  // depth, RGB|RGBA, deflate, filters, no interlace
  out.append(ihdr_rest, 5);
  close_chunk(out, at);
  at = open_chunk(out, "IDAT");
  out.append(deflated.data(), n);
  close_chunk(out, at);
  close_chunk(out, open_chunk(out, "IEND"));
  return out;
}

}  // namespace

std::string encode_png(const std::uint8_t* argb, int width, int height, int stride, const PngOptions& options) {
  if (!options.palette && (options.filter == PngFilter::none || options.filter == PngFilter::sub || options.filter == PngFilter::up) &&
      options.deflate_level > 0) {
    // Kept by the thread: a tile's scanlines are ~200 KB, fresh pages at every tile otherwise. A
    // larger image (a printed sheet's) gets its own buffer, not kept.
    thread_local std::vector<std::uint8_t> kept;
    std::vector<std::uint8_t> once;
    const std::size_t most = (static_cast<std::size_t>(width) * 4 + 1) * static_cast<std::size_t>(height);
    std::vector<std::uint8_t>& raw = most <= kKeptBytes ? kept : once;
    // RGB when every pixel is opaque (map tiles, with their background), found while converting;
    // else RGBA from the start.
    int channels = 3;
    if (!scanlines(argb, width, height, stride, channels, options.filter, raw)) {
      channels = 4;
      scanlines(argb, width, height, stride, channels, options.filter, raw);
    }
    return write_png_deflate(raw, width, height, channels, std::clamp(options.deflate_level, 1, 12));
  }
  std::string out;
  out.reserve(static_cast<std::size_t>(width) * height / 2);
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, on_error, on_warning);
  if (!png) throw RenderError("libpng: cannot create the write struct");
  png_infop info = png_create_info_struct(png);
  struct Cleanup {
    png_structp* png;
    png_infop* info;
    ~Cleanup() { png_destroy_write_struct(png, info); }
  } cleanup{&png, &info};
  if (!info) throw RenderError("libpng: cannot create the info struct");
  png_set_write_fn(png, &out, write_to_string, flush_nothing);
  png_set_compression_level(png, std::clamp(options.compression_level, 0, 9));
  png_set_filter(png, PNG_FILTER_TYPE_BASE, png_filter_flag(options.filter));

  const bool opaque = is_opaque(argb, width, height, stride);
  std::vector<png_bytep> rows(static_cast<std::size_t>(height));
  if (options.palette) {
    std::vector<Rgba> px(static_cast<std::size_t>(width) * height);
    for (int y = 0; y < height; ++y) {
      const auto* row = reinterpret_cast<const std::uint32_t*>(argb + static_cast<std::ptrdiff_t>(y) * stride);
      for (int x = 0; x < width; ++x) px[static_cast<std::size_t>(y) * width + x] = unpremultiply(row[x]);
    }
    Quantized q = quantize(px);
    png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8, PNG_COLOR_TYPE_PALETTE,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    std::vector<png_color> pal;
    std::vector<png_byte> trans;
    for (const auto& c : q.palette) {
      pal.push_back({c.r, c.g, c.b});
      trans.push_back(c.a);
    }
    png_set_PLTE(png, info, pal.data(), static_cast<int>(pal.size()));
    if (!opaque) png_set_tRNS(png, info, trans.data(), static_cast<int>(trans.size()), nullptr);
    // Filters rarely help palette images.
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
    for (int y = 0; y < height; ++y) rows[static_cast<std::size_t>(y)] = q.indices.data() + static_cast<std::ptrdiff_t>(y) * width;
    png_set_rows(png, info, rows.data());
    png_write_png(png, info, PNG_TRANSFORM_IDENTITY, nullptr);
    return out;
  }
  const int channels = opaque ? 3 : 4;
  std::vector<png_byte> buf(static_cast<std::size_t>(width) * height * channels);
  for (int y = 0; y < height; ++y) {
    const auto* row = reinterpret_cast<const std::uint32_t*>(argb + static_cast<std::ptrdiff_t>(y) * stride);
    png_byte* o = buf.data() + static_cast<std::ptrdiff_t>(y) * width * channels;
    for (int x = 0; x < width; ++x) {
      const Rgba c = unpremultiply(row[x]);
      *o++ = c.r;
      *o++ = c.g;
      *o++ = c.b;
      if (!opaque) *o++ = c.a;
    }
    rows[static_cast<std::size_t>(y)] = buf.data() + static_cast<std::ptrdiff_t>(y) * width * channels;
  }
  png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8,
               opaque ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_set_rows(png, info, rows.data());
  png_write_png(png, info, PNG_TRANSFORM_IDENTITY, nullptr);
  return out;
}

namespace {
struct ReadState {
  const std::string* bytes;
  std::size_t pos = 0;
};
void read_from_string(png_structp png, png_bytep data, png_size_t n) {
  auto* s = static_cast<ReadState*>(png_get_io_ptr(png));
  if (s->pos + n > s->bytes->size()) png_error(png, "truncated PNG");
  std::memcpy(data, s->bytes->data() + s->pos, n);
  s->pos += n;
}
}  // namespace

DecodedPng decode_png(const std::string& bytes) {
  if (bytes.size() < 8 || png_sig_cmp(reinterpret_cast<png_const_bytep>(bytes.data()), 0, 8) != 0) {
    throw RenderError("not a PNG");
  }
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, on_error, on_warning);
  if (!png) throw RenderError("libpng: cannot create the read struct");
  png_infop info = png_create_info_struct(png);
  struct Cleanup {
    png_structp* png;
    png_infop* info;
    ~Cleanup() { png_destroy_read_struct(png, info, nullptr); }
  } cleanup{&png, &info};
  ReadState state{&bytes, 0};
  png_set_read_fn(png, &state, read_from_string);
  png_read_info(png, info);
  DecodedPng d;
  d.width = static_cast<int>(png_get_image_width(png, info));
  d.height = static_cast<int>(png_get_image_height(png, info));
  d.color_type = png_get_color_type(png, info);
  png_set_expand(png);
  png_set_strip_16(png);
  png_set_gray_to_rgb(png);
  png_set_add_alpha(png, 0xff, PNG_FILLER_AFTER);
  png_read_update_info(png, info);
  if (png_get_rowbytes(png, info) != static_cast<png_size_t>(d.width) * 4) throw RenderError("unexpected PNG row layout");
  d.rgba.resize(static_cast<std::size_t>(d.width) * d.height * 4);
  std::vector<png_bytep> rows(static_cast<std::size_t>(d.height));
  for (int y = 0; y < d.height; ++y) rows[static_cast<std::size_t>(y)] = reinterpret_cast<png_bytep>(d.rgba.data()) + static_cast<std::ptrdiff_t>(y) * d.width * 4;
  png_read_image(png, rows.data());
  png_read_end(png, nullptr);
  return d;
}

}  // namespace minqing::render
