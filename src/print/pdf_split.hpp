#pragma once
// Cuts a PDF written by cairo's PDF surface into one PDF per page, without drawing anything again:
// the atlas draws a village's sheets as the pages of one cairo PDF — so the font subsets and the
// shaded relief, which all of its sheets share, are subset, encoded and compressed once instead of
// once per sheet — and cuts the sheets' own files from it (the reverse of print/pdf_merge).
//
// Each page's file holds the objects the page reaches (its content, resources, fonts, images),
// copied byte for byte with their numbers changed, under a new page tree, catalog and document
// information dictionary. Fonts are the whole document's subsets, so a page's file may carry a few
// glyphs it does not show.

#include <string>
#include <vector>

#include "print/pdf_objects.hpp"

namespace minqing::print {

// One PDF per page of `document`, in page order; the i-th described by `infos[i]`.
// @pre infos.size() is the page count of `document`.
// @throws RenderError when `document` is not a PDF of cairo's shape or the counts differ.
std::vector<std::string> split_pdf(const std::string& document, const std::vector<pdf::Info>& infos);

}  // namespace minqing::print
