#include "print/pdf_merge.hpp"

#include <unordered_map>

#include "base/error.hpp"
#include "print/pdf_objects.hpp"

namespace minqing::print {

std::string merge_pdfs(const std::vector<std::string>& pdfs, const std::string& title) {
  if (pdfs.empty()) throw RenderError("merging PDFs: nothing to merge");
  std::vector<pdf::Document> parsed;
  for (std::size_t i = 0; i < pdfs.size(); ++i) parsed.push_back(pdf::parse(pdfs[i], i));
  pdf::Writer out;
  const long pages = out.reserve();
  std::string kids;
  long count = 0;
  for (std::size_t f = 0; f < parsed.size(); ++f) {
    const pdf::Document& p = parsed[f];
    std::unordered_map<long, long> numbers;  // the input's → the output's
    for (const pdf::Object& o : p.objects) numbers[o.number] = out.reserve();
    const auto map = [&](long n) {
      const auto it = numbers.find(n);
      if (it == numbers.end()) throw RenderError("merging PDFs: input " + std::to_string(f + 1) + " lacks object " +
                                                 std::to_string(n));
      return it->second;
    };
    for (const pdf::Object& o : p.objects) {
      std::string head = pdf::renumber(o.header(), map);
      if (o.number == p.pages) {  // each file's page tree becomes a child of the new root
        const auto open = head.find("<<");
        if (open == std::string::npos) {
          throw RenderError("merging PDFs: input " + std::to_string(f + 1) + " has a page tree without a dictionary");
        }
        head.insert(open + 2, " /Parent " + std::to_string(pages) + " 0 R");
      }
      out.write_raw(map(o.number), head, o.tail());
    }
    kids += std::to_string(map(p.pages)) + " 0 R ";
    count += p.count;
  }
  out.write(pages, "<< /Type /Pages /Kids [ " + kids + "] /Count " + std::to_string(count) + " >>");
  return out.finish(pages, pdf::Info{title, {}, {}});
}

}  // namespace minqing::print
