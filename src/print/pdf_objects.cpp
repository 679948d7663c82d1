#include "print/pdf_objects.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "base/error.hpp"

namespace minqing::print::pdf {

namespace {

[[noreturn]] void bad(std::size_t input, const std::string& why) {
  throw RenderError("PDF input " + std::to_string(input + 1) + " " + why);
}

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

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

// Calls `on(i, a, d, ref)` for every "N G R" (ref) and "N G obj" (!ref) in `header`: the number
// spans [i, a), the rest up to the keyword [a, d). Returns nothing; `plain(i, j)` gets the text
// between matches.
template <class OnMatch, class OnPlain>
void scan(std::string_view header, OnMatch&& on, OnPlain&& plain) {
  const auto digits = [&](std::size_t at) {
    std::size_t j = at;
    while (j < header.size() && is_digit(header[j])) ++j;
    return j;
  };
  std::size_t i = 0, copied = 0;
  while (i < header.size()) {
    const bool starts = is_digit(header[i]) &&
                        (i == 0 || !(std::isalnum(static_cast<unsigned char>(header[i - 1])) || header[i - 1] == '.' ||
                                     header[i - 1] == '/' || header[i - 1] == '-'));
    if (!starts) {
      ++i;
      continue;
    }
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
      plain(copied, i);
      on(i, a, d, ref);
      copied = i = d;
      continue;
    }
    i = a;
  }
  plain(copied, header.size());
}

long to_long(std::string_view digits) { return std::strtol(std::string(digits).c_str(), nullptr, 10); }

}  // namespace

std::string_view Object::header() const { return text.substr(0, header_end(text)); }

std::string_view Object::tail() const { return text.substr(header_end(text)); }

const Object* Document::find(long n) const {
  const auto it = std::lower_bound(objects.begin(), objects.end(), n,
                                   [](const Object& o, long v) { return o.number < v; });
  return it != objects.end() && it->number == n ? &*it : nullptr;
}

long number_after(std::string_view text, std::string_view key) {
  const auto at = text.find(key);
  if (at == std::string_view::npos) return -1;
  std::size_t i = at + key.size();
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  long v = 0;
  bool any = false;
  while (i < text.size() && is_digit(text[i])) {
    v = v * 10 + (text[i++] - '0');
    any = true;
  }
  return any ? v : -1;
}

std::vector<long> references(std::string_view header) {
  std::vector<long> out;
  scan(
      header,
      [&](std::size_t i, std::size_t a, std::size_t, bool ref) {
        if (ref) out.push_back(to_long(header.substr(i, a - i)));
      },
      [](std::size_t, std::size_t) {});
  return out;
}

std::string renumber(std::string_view header, const std::function<long(long)>& map) {
  std::string out;
  out.reserve(header.size() + 16);
  scan(
      header,
      [&](std::size_t i, std::size_t a, std::size_t d, bool) {
        out += std::to_string(map(to_long(header.substr(i, a - i))));
        out.append(header.substr(a, d - a));
      },
      [&](std::size_t from, std::size_t to) { out.append(header.substr(from, to - from)); });
  return out;
}

Document parse(const std::string& pdf, std::size_t input) {
  Document p;
  const auto sx = pdf.rfind("startxref");
  if (pdf.compare(0, 5, "%PDF-") != 0 || sx == std::string::npos) bad(input, "is not a PDF");
  const long xref = std::strtol(pdf.c_str() + sx + 9, nullptr, 10);
  if (xref <= 0 || static_cast<std::size_t>(xref) >= pdf.size() || pdf.compare(xref, 4, "xref") != 0) {
    bad(input, "has no classic cross-reference table");
  }
  const std::string_view trailer(pdf.data() + xref, sx - xref);
  p.size = number_after(trailer, "/Size");
  p.root = number_after(trailer, "/Root");
  if (p.size <= 1 || p.root <= 0 || p.root >= p.size) bad(input, "has no usable trailer");
  // The table: "xref\n0 N\n" then N entries of 20 bytes.
  std::size_t line = pdf.find('\n', xref);
  line = pdf.find('\n', line + 1) + 1;
  std::vector<std::pair<long, long>> offsets;  // offset, number
  for (long n = 0; n < p.size; ++n) {
    const std::size_t e = line + static_cast<std::size_t>(n) * 20;
    if (e + 18 > pdf.size()) bad(input, "has a short cross-reference table");
    if (pdf[e + 17] == 'n') offsets.emplace_back(std::strtol(pdf.c_str() + e, nullptr, 10), n);
  }
  std::sort(offsets.begin(), offsets.end());
  for (std::size_t i = 0; i < offsets.size(); ++i) {
    const long from = offsets[i].first, to = i + 1 < offsets.size() ? offsets[i + 1].first : xref;
    if (from <= 0 || to <= from) bad(input, "has overlapping objects");
    p.objects.push_back({offsets[i].second, std::string_view(pdf.data() + from, static_cast<std::size_t>(to - from))});
  }
  std::sort(p.objects.begin(), p.objects.end(), [](const Object& a, const Object& b) { return a.number < b.number; });
  const auto header_of = [&](long n) -> std::string_view {
    const Object* o = p.find(n);
    if (!o) bad(input, "lacks object " + std::to_string(n));
    return o->header();
  };
  p.pages = number_after(header_of(p.root), "/Pages");
  if (p.pages <= 0) bad(input, "has no page tree");
  const std::string_view tree = header_of(p.pages);
  p.count = number_after(tree, "/Count");
  if (p.count <= 0) bad(input, "has no pages");
  const auto kids = tree.find("/Kids");
  const auto close = kids == std::string_view::npos ? kids : tree.find(']', kids);
  if (close == std::string_view::npos) bad(input, "has a page tree without kids");
  p.page_objects = references(tree.substr(kids, close - kids));
  return p;
}

std::string text_string(const std::string& utf8) {
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

Writer::Writer() : m_out("%PDF-1.5\n%\xb5\xed\xae\xfb\n"), m_offsets(1, 0) {}

long Writer::reserve() {
  m_offsets.push_back(0);
  return static_cast<long>(m_offsets.size() - 1);
}

void Writer::write_raw(long n, std::string_view head, std::string_view tail) {
  m_offsets.at(static_cast<std::size_t>(n)) = m_out.size();
  m_out.append(head);
  m_out.append(tail);
}

void Writer::write(long n, const std::string& body) {
  m_offsets.at(static_cast<std::size_t>(n)) = m_out.size();
  m_out += std::to_string(n) + " 0 obj\n" + body + "\nendobj\n";
}

std::string Writer::finish(long pages, const Info& info) {
  const long catalog = reserve(), information = reserve();
  write(catalog, "<< /Type /Catalog /Pages " + std::to_string(pages) + " 0 R >>");
  std::string dict = "<< /Title " + text_string(info.title);
  if (!info.author.empty()) dict += " /Author " + text_string(info.author);
  if (!info.keywords.empty()) dict += " /Keywords " + text_string(info.keywords);
  write(information, dict + " /Creator (Minqing Map " MINQING_VERSION ") >>");
  const std::size_t xref = m_out.size();
  m_out += "xref\n0 " + std::to_string(m_offsets.size()) + "\n";
  char entry[40];
  for (std::size_t n = 0; n < m_offsets.size(); ++n) {
    if (m_offsets[n] == 0) {
      m_out += "0000000000 65535 f \n";
    } else {
      std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", m_offsets[n]);
      m_out += entry;
    }
  }
  m_out += "trailer\n<< /Size " + std::to_string(m_offsets.size()) + " /Root " + std::to_string(catalog) +
           " 0 R /Info " + std::to_string(information) + " 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return std::move(m_out);
}

}  // namespace minqing::print::pdf
