#include "print/pdf_split.hpp"

#include <unordered_map>

#include "base/error.hpp"

namespace minqing::print {

namespace {

// The page's objects: everything `page` reaches through references, except its way back up the
// page tree (/Parent).
std::vector<long> reachable(const pdf::Document& doc, long page) {
  std::vector<long> order{page}, stack{page};
  std::unordered_map<long, bool> seen{{page, true}, {doc.pages, true}};
  while (!stack.empty()) {
    const long n = stack.back();
    stack.pop_back();
    const pdf::Object* o = doc.find(n);
    if (!o) throw RenderError("splitting a PDF: it lacks object " + std::to_string(n));
    for (const long r : pdf::references(o->header())) {
      if (seen.emplace(r, true).second) {
        order.push_back(r);
        stack.push_back(r);
      }
    }
  }
  return order;
}

}  // namespace

std::vector<std::string> split_pdf(const std::string& document, const std::vector<pdf::Info>& infos) {
  const pdf::Document doc = pdf::parse(document, 0);
  if (doc.page_objects.size() != infos.size() || static_cast<long>(infos.size()) != doc.count) {
    throw RenderError("splitting a PDF: " + std::to_string(doc.count) + " pages for " + std::to_string(infos.size()) +
                      " files");
  }
  std::vector<std::string> out;
  out.reserve(infos.size());
  for (std::size_t i = 0; i < infos.size(); ++i) {
    pdf::Writer w;
    const long pages = w.reserve();
    std::unordered_map<long, long> numbers{{doc.pages, pages}};  // the page's /Parent: the new tree
    const std::vector<long> objects = reachable(doc, doc.page_objects[i]);
    for (const long n : objects) numbers[n] = w.reserve();
    const auto map = [&](long n) { return numbers.at(n); };
    for (const long n : objects) {
      const pdf::Object& o = *doc.find(n);
      w.write_raw(map(n), pdf::renumber(o.header(), map), o.tail());
    }
    w.write(pages, "<< /Type /Pages /Kids [ " + std::to_string(map(doc.page_objects[i])) + " 0 R ] /Count 1 >>");
    out.push_back(w.finish(pages, infos[i]));
  }
  return out;
}

}  // namespace minqing::print
