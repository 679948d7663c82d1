#pragma once
// The village atlas (图集): every sheet of some villages' maps as its own PDF, plus one PDF per
// village holding all of its sheets, rendered on several threads, resumable.
//
// Files under the output directory:
//   <code>/<code>-<map>.pdf   one sheet
//   <code>.pdf                the village's sheets, one page each, in the order of `maps`
// A village's sheets are drawn as the pages of one PDF (its own, when all are drawn) and the
// sheets' files cut from it, so the fonts and relief they share are written once; no page is
// drawn twice.
//   atlas-manifest.json       per file, the key it was made from
// A file's key is everything that changes it — the sheet's data version (a digest of the features
// on it, print/data_version.hpp), its options, the styles' versions, who prints, the program's
// version — but not the date: a sheet whose key is unchanged and whose file exists is skipped.
// The manifest is rewritten after every file, so an interrupted run resumes where it stopped.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "print/sheet.hpp"
#include "query/scoped_reader.hpp"

namespace minqing::print {

struct AtlasRequest {
  std::vector<std::string> villages;  // village codes
  std::vector<std::string> maps;      // map names, in page order
  SheetOptions options;
  std::filesystem::path out;
  int jobs = 1;  // threads
};

struct AtlasProgress {
  std::size_t done = 0;   // files finished (written or skipped)
  std::size_t total = 0;  // files in the atlas
  std::size_t skipped = 0;
  std::string last;       // the file just finished, relative to `out`
};

struct AtlasResult {
  std::size_t sheets_written = 0;
  std::size_t sheets_skipped = 0;
  std::size_t villages_written = 0;
  std::size_t villages_skipped = 0;
  std::size_t pages = 0;  // pages drawn
};

// Renders the atlas. `progress` (may be empty) is called after each file, from any thread, one call
// at a time. @throws Error (after the other threads finish) for the first file that failed — a
// village `reader` does not see (RequestError), a file that cannot be written (Error); the files
// finished before stay in the manifest.
AtlasResult run_atlas(const SheetPrinter& printer, const query::ScopedReader& reader, const AtlasRequest& request,
                      const SheetStamp& stamp, const std::function<void(const AtlasProgress&)>& progress);

}  // namespace minqing::print
