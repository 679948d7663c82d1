#pragma once
// Joins PDFs written by cairo's PDF surface into one, page after page, without drawing anything
// again: the village PDF of the atlas is its sheets' PDFs joined (half the atlas's work when each
// page was drawn twice).
//
// Only for cairo's output and ours (print/pdf_objects.hpp): objects are copied byte for byte with
// their numbers changed (references are rewritten in dictionaries only, never inside stream data),
// each file's page tree becomes a child of a new root, and a new catalog and document information
// dictionary are added.

#include <string>
#include <vector>

namespace minqing::print {

// The pages of `pdfs`, in order, as one PDF titled `title` (UTF-8).
// @throws RenderError naming the input that is not a PDF of that shape. @pre !pdfs.empty().
std::string merge_pdfs(const std::vector<std::string>& pdfs, const std::string& title);

}  // namespace minqing::print
