#include "print/pdf_merge.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "base/error.hpp"

namespace minqing::print {

namespace {

struct Object {
  long number = 0;
  std::string_view text;  // from "N 0 obj" to just before the next object or the xref table
};

struct Parsed {
  std::vector<Object> objects;
  long size = 0;   // the trailer's /Size: object numbers are 1 … size - 1
  long root = 0;   // the catalog's number
  long pages = 0;  // the page tree's root
  long count = 0;  // pages
};

[[noreturn]] void bad(std::size_t index, const std::string& why) {
  throw RenderError("merging PDFs: input " + std::to_string(index + 1) + " " + why);
}

// The integer after `key` (a name such as "/Root") in `text`, or -1.
long number_after(std::string_view text, std::string_view key) {
  const auto at = text.find(key);
  if (at == std::string_view::npos) return -1;
  std::size_t i = at + key.size();
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  long v = 0;
  bool any = false;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    v = v * 10 + (text[i++] - '0');
    any = true;
  }
  return any ? v : -1;
}

// Where an object's dictionary ends and its stream (if any) begins.
std::size_t header_end(std::string_view obj) {
  for (std::size_t at = obj.find("stream"); at != std::string_view::npos; at = obj.find("stream", at + 6)) {
    if (at >= 3 && obj.substr(at - 3, 3) == "end") continue;
    std::size_t j = at;
    while (j > 0 && std::isspace(static_cast<unsigned char>(obj[j - 1]))) --j;
    if (j >= 2 && obj.substr(j - 2, 2) == ">>") return at;
  }
  return obj.size();
}

Parsed parse(const std::string& pdf, std::size_t index) {
  Parsed p;
  const auto sx = pdf.rfind("startxref");
  if (pdf.compare(0, 5, "%PDF-") != 0 || sx == std::string::npos) bad(index, "is not a PDF");
  const long xref = std::strtol(pdf.c_str() + sx + 9, nullptr, 10);
  if (xref <= 0 || static_cast<std::size_t>(xref) >= pdf.size() || pdf.compare(xref, 4, "xref") != 0) {
    bad(index, "has no classic cross-reference table");
  }
  const std::string_view trailer(pdf.data() + xref, sx - xref);
  p.size = number_after(trailer, "/Size");
  p.root = number_after(trailer, "/Root");
  if (p.size <= 1 || p.root <= 0 || p.root >= p.size) bad(index, "has no usable trailer");
  // The table: "xref\n0 N\n" then N entries of 20 bytes.
  std::size_t line = pdf.find('\n', xref);
  line = pdf.find('\n', line + 1) + 1;
  std::vector<std::pair<long, long>> offsets;  // offset, number
  for (long n = 0; n < p.size; ++n) {
    const std::size_t e = line + static_cast<std::size_t>(n) * 20;
    if (e + 18 > pdf.size()) bad(index, "has a short cross-reference table");
    if (pdf[e + 17] == 'n') offsets.emplace_back(std::strtol(pdf.c_str() + e, nullptr, 10), n);
  }
  std::sort(offsets.begin(), offsets.end());
  for (std::size_t i = 0; i < offsets.size(); ++i) {
    const long from = offsets[i].first, to = i + 1 < offsets.size() ? offsets[i + 1].first : xref;
    if (from <= 0 || to <= from) bad(index, "has overlapping objects");
    p.objects.push_back({offsets[i].second, std::string_view(pdf.data() + from, static_cast<std::size_t>(to - from))});
  }
  std::sort(p.objects.begin(), p.objects.end(), [](const Object& a, const Object& b) { return a.number < b.number; });
  const auto find = [&](long n) -> std::string_view {
    for (const auto& o : p.objects) {
      if (o.number == n) return o.text.substr(0, header_end(o.text));
    }
    bad(index, "lacks object " + std::to_string(n));
  };
  p.pages = number_after(find(p.root), "/Pages");
  if (p.pages <= 0) bad(index, "has no page tree");
  p.count = number_after(find(p.pages), "/Count");
  if (p.count <= 0) bad(index, "has no pages");
  return p;
}

// `header` with every "N G R" reference and the leading "N G obj" shifted by `shift`.
std::string renumber(std::string_view header, long shift) {
  std::string out;
  out.reserve(header.size() + 16);
  std::size_t i = 0;
  const auto digits = [&](std::size_t at) {
    std::size_t j = at;
    while (j < header.size() && std::isdigit(static_cast<unsigned char>(header[j]))) ++j;
    return j;
  };
  while (i < header.size()) {
    const bool starts = std::isdigit(static_cast<unsigned char>(header[i])) &&
                        (i == 0 || !(std::isalnum(static_cast<unsigned char>(header[i - 1])) || header[i - 1] == '.' ||
                                     header[i - 1] == '/' || header[i - 1] == '-'));
    if (starts) {
      const std::size_t a = digits(i);
      std::size_t b = a;
      while (b < header.size() && header[b] == ' ') ++b;
      const std::size_t c = digits(b);
      std::size_t d = c;
      while (d < header.size() && header[d] == ' ') ++d;
      const bool ref = c > b && b > a && d < header.size() && header[d] == 'R' &&
                       (d + 1 == header.size() || !std::isalnum(static_cast<unsigned char>(header[d + 1])));
      const bool obj = c > b && b > a && header.substr(d, 3) == "obj";
      if (ref || obj) {
        out += std::to_string(std::strtol(std::string(header.substr(i, a - i)).c_str(), nullptr, 10) + shift);
        out.append(header.substr(a, d - a));
        i = d;
        continue;
      }
      out.append(header.substr(i, a - i));
      i = a;
      continue;
    }
    out += header[i++];
  }
  return out;
}

// A PDF text string: UTF-16BE with a byte-order mark, in hex.
std::string pdf_text_string(const std::string& utf8) {
  std::string out = "<FEFF";
  char buf[8];
  const auto put = [&](unsigned u) {
    std::snprintf(buf, sizeof buf, "%04X", u);
    out += buf;
  };
  for (std::size_t i = 0; i < utf8.size();) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    unsigned cp = c;
    int extra = 0;
    if (c >= 0xF0) {
      cp = c & 0x07;
      extra = 3;
    } else if (c >= 0xE0) {
      cp = c & 0x0F;
      extra = 2;
    } else if (c >= 0xC0) {
      cp = c & 0x1F;
      extra = 1;
    }
    ++i;
    for (int k = 0; k < extra && i < utf8.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(utf8[i++]) & 0x3F);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      put(0xD800 + (cp >> 10));
      put(0xDC00 + (cp & 0x3FF));
    } else {
      put(cp);
    }
  }
  return out + ">";
}

}  // namespace

std::string merge_pdfs(const std::vector<std::string>& pdfs, const std::string& title) {
  if (pdfs.empty()) throw RenderError("merging PDFs: nothing to merge");
  std::vector<Parsed> parsed;
  for (std::size_t i = 0; i < pdfs.size(); ++i) parsed.push_back(parse(pdfs[i], i));
  // New objects 1 (catalog), 2 (page tree root), 3 (information); the inputs follow.
  constexpr long kCatalog = 1, kPages = 2, kInfo = 3;
  std::string out = "%PDF-1.5\n%\xb5\xed\xae\xfb\n";
  std::vector<std::size_t> offsets(4, 0);
  std::string kids;
  long count = 0, shift = kInfo;
  for (std::size_t f = 0; f < parsed.size(); ++f) {
    const Parsed& p = parsed[f];
    offsets.resize(static_cast<std::size_t>(shift + p.size), 0);
    for (const Object& o : p.objects) {
      const std::size_t h = header_end(o.text);
      std::string head = renumber(o.text.substr(0, h), shift);
      if (o.number == p.pages) {
        const auto open = head.find("<<");
        if (open == std::string::npos) bad(f, "has a page tree without a dictionary");
        head.insert(open + 2, " /Parent " + std::to_string(kPages) + " 0 R");
      }
      offsets[static_cast<std::size_t>(o.number + shift)] = out.size();
      out += head;
      out.append(o.text.substr(h));
    }
    kids += std::to_string(p.pages + shift) + " 0 R ";
    count += p.count;
    shift += p.size;
  }
  const auto object = [&](long n, const std::string& body) {
    offsets[static_cast<std::size_t>(n)] = out.size();
    out += std::to_string(n) + " 0 obj\n" + body + "\nendobj\n";
  };
  object(kCatalog, "<< /Type /Catalog /Pages " + std::to_string(kPages) + " 0 R >>");
  object(kPages, "<< /Type /Pages /Kids [ " + kids + "] /Count " + std::to_string(count) + " >>");
  object(kInfo, "<< /Title " + pdf_text_string(title) + " /Creator (Minqing Map " MINQING_VERSION ") >>");
  const std::size_t xref = out.size();
  out += "xref\n0 " + std::to_string(offsets.size()) + "\n";
  char entry[40];
  for (std::size_t n = 0; n < offsets.size(); ++n) {
    if (n == 0 || offsets[n] == 0) {
      out += "0000000000 65535 f \n";
    } else {
      std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", offsets[n]);
      out += entry;
    }
  }
  out += "trailer\n<< /Size " + std::to_string(offsets.size()) + " /Root " + std::to_string(kCatalog) +
         " 0 R /Info " + std::to_string(kInfo) + " 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return out;
}

}  // namespace minqing::print
