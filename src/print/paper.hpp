#pragma once
// Paper sizes and orientations a sheet is printed on (ISO 216 A4 and A3), in PostScript points
// (1/72 inch), the unit of cairo's PDF surface.

#include <optional>
#include <string_view>

namespace minqing::print {

enum class Paper { a4, a3 };
enum class Orientation { portrait, landscape };

struct PageSize {
  double width_pt = 0;
  double height_pt = 0;
};

inline constexpr double kPointsPerMm = 72.0 / 25.4;

// The page of `paper` turned to `orientation`: A4 portrait 595.28 × 841.89 pt, A3 landscape
// 1190.55 × 841.89 pt.
PageSize page_size(Paper paper, Orientation orientation) noexcept;

// "A4" / "A3" (any case); nullopt for anything else.
std::optional<Paper> parse_paper(std::string_view text) noexcept;
// "portrait" / "landscape"; nullopt for anything else.
std::optional<Orientation> parse_orientation(std::string_view text) noexcept;

std::string_view to_string(Paper paper) noexcept;              // "A4", "A3"
std::string_view to_string(Orientation orientation) noexcept;  // "portrait", "landscape"

}  // namespace minqing::print
