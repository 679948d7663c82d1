#pragma once
// The object layer of the PDFs cairo's PDF surface writes, for print/pdf_merge and print/pdf_split:
// reading a file into its numbered objects, rewriting the references in an object's dictionary,
// and writing objects back out with a fresh cross-reference table.
//
// Only for cairo's output (what this module writes): a classic cross-reference table, no object
// streams, no incremental updates, references ("N 0 R") only in dictionaries, never inside stream
// data. Objects are copied byte for byte apart from their dictionaries' references.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace minqing::print::pdf {

struct Object {
  long number = 0;
  std::string_view text;  // from "N 0 obj" to just before the next object or the xref table

  // The object up to its stream (if any): where all of its references are.
  std::string_view header() const;
  // The rest: "stream … endstream endobj", or just "endobj".
  std::string_view tail() const;
};

// A parsed PDF. Views into the text it was parsed from, which must outlive it.
struct Document {
  std::vector<Object> objects;  // by number
  long size = 0;                // the trailer's /Size: object numbers are 1 … size - 1
  long root = 0;                // the catalog's number
  long pages = 0;               // the page tree's root
  long count = 0;               // pages
  std::vector<long> page_objects;  // the pages' objects in order (a flat page tree: cairo's)

  // The object numbered `n`, or null.
  const Object* find(long n) const;
};

// Parses `text`; `input` (0-based) names it in errors.
// @throws RenderError naming the input that is not a PDF of that shape.
Document parse(const std::string& text, std::size_t input);

// The integer after `key` (a name such as "/Root") in `text`, or -1.
long number_after(std::string_view text, std::string_view key);

// The object numbers referenced ("N G R") in `header`.
std::vector<long> references(std::string_view header);

// `header` with every "N G R" reference and the leading "N G obj" renumbered by `map`.
std::string renumber(std::string_view header, const std::function<long(long)>& map);

// A PDF text string: UTF-16BE with a byte-order mark, in hex.
std::string text_string(const std::string& utf8);

// What a written file says about itself (its document information dictionary).
struct Info {
  std::string title;     // UTF-8
  std::string author;    // UTF-8, may be empty
  std::string keywords;  // ASCII, may be empty
};

// Writes a PDF object by object. Numbers are handed out by the writer; objects may be written in
// any order, and every number handed out must be written before finish().
class Writer {
 public:
  Writer();

  // A fresh object number.
  long reserve();
  // Writes object `n` (from reserve()) whose text, from "n 0 obj" through "endobj", is `text`.
  void write_raw(long n, std::string_view head, std::string_view tail);
  // Writes object `n` as "n 0 obj\n<body>\nendobj\n".
  void write(long n, const std::string& body);
  // The file: a catalog over the page tree `pages`, an information dictionary from `info`, the
  // cross-reference table and trailer. The writer is spent.
  std::string finish(long pages, const Info& info);

 private:
  std::string m_out;
  std::vector<std::size_t> m_offsets;  // by number; 0 = reserved, not yet written
};

}  // namespace minqing::print::pdf
