#include "print/paper.hpp"

#include <utility>

namespace minqing::print {

PageSize page_size(Paper paper, Orientation orientation) noexcept {
  // ISO 216 in millimetres, portrait.
  const double w_mm = paper == Paper::a4 ? 210 : 297;
  const double h_mm = paper == Paper::a4 ? 297 : 420;
  PageSize p{w_mm * kPointsPerMm, h_mm * kPointsPerMm};
  if (orientation == Orientation::landscape) std::swap(p.width_pt, p.height_pt);
  return p;
}

std::optional<Paper> parse_paper(std::string_view text) noexcept {
  if (text == "A4" || text == "a4") return Paper::a4;
  if (text == "A3" || text == "a3") return Paper::a3;
  return std::nullopt;
}

std::optional<Orientation> parse_orientation(std::string_view text) noexcept {
  if (text == "portrait") return Orientation::portrait;
  if (text == "landscape") return Orientation::landscape;
  return std::nullopt;
}

std::string_view to_string(Paper paper) noexcept { return paper == Paper::a4 ? "A4" : "A3"; }

std::string_view to_string(Orientation orientation) noexcept {
  return orientation == Orientation::portrait ? "portrait" : "landscape";
}

}  // namespace minqing::print
