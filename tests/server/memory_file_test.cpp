// Memory files (server/memory_file.hpp) and the tile bytes kept in them (server/tile_bytes.hpp):
// ranges written once, pages given back on release, and — the property sendfile relies on — bytes
// a socket already took stay as they were when their range is released.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "server/memory_file.hpp"
#include "server/tile_bytes.hpp"

using namespace minqing::server;

namespace {

// `n` bytes that differ from any other call's with another `seed`.
std::string pattern(std::size_t n, unsigned seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + seed * 7919 + i / 4096) & 0xff);
  return s;
}

// Memory the file holds, as the kernel counts it.
std::size_t allocated_bytes(int fd) {
  struct stat st {};
  REQUIRE(::fstat(fd, &st) == 0);
  return static_cast<std::size_t>(st.st_blocks) * 512;
}

// Whether this machine can keep memory files at all; when not, the server copies and the cases
// that need one say so instead of failing.
bool memory_files_here() {
  if (MemoryFile::open(MemoryFile::kPage)) return true;
  WARN("no memory file on this machine (memfd missing, or shared memory uses large pages): tiles are copied");
  return false;
}

// A connected TCP pair on 127.0.0.1, as the server's sockets are: {sender, receiver}.
std::pair<int, int> loopback_pair(int receive_buffer) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(listener, 1) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  const int receiver = ::socket(AF_INET, SOCK_STREAM, 0);
  ::setsockopt(receiver, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  REQUIRE(::connect(receiver, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  const int sender = ::accept(listener, nullptr, nullptr);
  REQUIRE(sender >= 0);
  ::close(listener);
  return {sender, receiver};
}

std::string read_exactly(int fd, std::size_t n) {
  std::string out(n, '\0');
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::recv(fd, out.data() + got, n - got, 0);
    REQUIRE(r > 0);
    got += static_cast<std::size_t>(r);
  }
  return out;
}

}  // namespace

TEST_CASE("a memory file keeps each range's bytes on its own pages and never hands an offset out twice",
          "[tiles][sendfile]") {
  if (!memory_files_here()) return;
  auto file = MemoryFile::open(64 * MemoryFile::kPage);
  REQUIRE(file);
  std::vector<std::pair<std::uint64_t, std::string>> kept;
  std::set<std::uint64_t> offsets;
  for (unsigned i = 0; i < 6; ++i) {
    const std::string bytes = pattern(1 + i * 3000, i);
    const auto offset = file->append(bytes);
    REQUIRE(offset);
    CHECK(*offset % MemoryFile::kPage == 0);
    CHECK(offsets.insert(*offset).second);
    kept.emplace_back(*offset, bytes);
  }
  // Released ranges are not reused: what comes after lies past everything handed out.
  file->release(kept[0].first, kept[0].second.size());
  const auto later = file->append(pattern(100, 99));
  REQUIRE(later);
  CHECK(*later > *offsets.rbegin());
  for (std::size_t i = 1; i < kept.size(); ++i) {
    CHECK(std::string_view(file->data(kept[i].first), kept[i].second.size()) == kept[i].second);
  }
}

TEST_CASE("a released range gives its pages back, and a full file refuses", "[tiles][sendfile]") {
  if (!memory_files_here()) return;
  auto file = MemoryFile::open(16 * MemoryFile::kPage);
  REQUIRE(file);
  const std::string bytes = pattern(5 * MemoryFile::kPage + 10, 1);  // 6 pages
  const auto a = file->append(bytes);
  const auto b = file->append(bytes);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(allocated_bytes(file->fd()) == 12 * MemoryFile::kPage);
  CHECK(file->resident_bytes() == 12 * MemoryFile::kPage);
  file->release(*a, bytes.size());
  CHECK(allocated_bytes(file->fd()) == 6 * MemoryFile::kPage);
  CHECK(file->resident_bytes() == 6 * MemoryFile::kPage);
  // 12 of 16 pages were handed out; 6 more do not fit, however much was released.
  CHECK_FALSE(file->append(bytes));
  CHECK(file->append(pattern(2 * MemoryFile::kPage, 2)));
}

TEST_CASE("bytes a socket took by sendfile arrive unchanged though their range was released meanwhile",
          "[tiles][sendfile]") {
  if (!memory_files_here()) return;
  auto file = MemoryFile::open(256 * MemoryFile::kPage);
  REQUIRE(file);
  const std::string tile = pattern(40 * 1024, 7);
  const auto offset = file->append(tile);
  REQUIRE(offset);
  auto [sender, receiver] = loopback_pair(256 * 1024);
  off_t at = static_cast<off_t>(*offset);
  REQUIRE(::sendfile(sender, file->fd(), &at, tile.size()) == static_cast<ssize_t>(tile.size()));
  // The tile is evicted while its bytes wait in the socket, unread, and new tiles are written.
  file->release(*offset, tile.size());
  for (unsigned i = 0; i < 8; ++i) REQUIRE(file->append(pattern(40 * 1024, 100 + i)));
  // The file no longer holds the bytes (the hole reads as zeros)...
  std::string now(tile.size(), 'x');
  REQUIRE(::pread(file->fd(), now.data(), now.size(), static_cast<off_t>(*offset)) == static_cast<ssize_t>(now.size()));
  CHECK(now == std::string(tile.size(), '\0'));
  // ...but the socket delivers them as they were sent.
  CHECK(read_exactly(receiver, tile.size()) == tile);
  ::close(sender);
  ::close(receiver);
}

TEST_CASE("the keeper holds small tiles as strings, large ones in a file, and opens another when one is full",
          "[tiles][sendfile]") {
  const std::string small = pattern(100, 1);
  TileBytesKeeper keeper(1000, 4 * MemoryFile::kPage);
  TileBytes s = keeper.keep(small);
  CHECK(s == small);
  CHECK_FALSE(s.file());
  CHECK(s.memory() == small.size());
  if (!memory_files_here()) return;

  std::vector<TileBytes> kept;
  std::vector<std::string> expected;
  for (unsigned i = 0; i < 5; ++i) {  // two pages each: two per file
    expected.push_back(pattern(MemoryFile::kPage + 1, i));
    kept.push_back(keeper.keep(expected.back()));
  }
  CHECK(keeper.files_opened() == 3);
  for (std::size_t i = 0; i < kept.size(); ++i) {
    CHECK(kept[i] == expected[i]);
    CHECK(kept[i].memory() == 2 * MemoryFile::kPage);
  }
  // The first two lie in the first file, whose pages go when they do.
  const auto first = kept[0].file();
  REQUIRE(first);
  CHECK(first->fd != kept[4].file()->fd);
  CHECK(allocated_bytes(first->fd) == 4 * MemoryFile::kPage);
  kept[0] = TileBytes(std::string("replaced"));
  CHECK(allocated_bytes(first->fd) == 2 * MemoryFile::kPage);
  CHECK(kept[0] == "replaced");
  CHECK_FALSE(kept[0].file());
  // Larger than a whole file: kept as a string.
  CHECK_FALSE(keeper.keep(pattern(5 * MemoryFile::kPage, 9)).file());
}
