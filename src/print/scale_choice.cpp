#include "print/scale_choice.hpp"

#include <algorithm>
#include <vector>

#include "print/sheet_layout.hpp"

namespace minqing::print {

bool is_round_scale(int denominator) noexcept {
  return std::find(std::begin(kRoundScales), std::end(kRoundScales), denominator) != std::end(kRoundScales);
}

SheetFit choose_fit(const FitRequest& r) noexcept {
  std::vector<Paper> papers = r.paper ? std::vector<Paper>{*r.paper} : std::vector<Paper>{Paper::a4, Paper::a3};
  std::vector<Orientation> orientations = r.orientation ? std::vector<Orientation>{*r.orientation}
                                                        : std::vector<Orientation>{Orientation::landscape, Orientation::portrait};
  const double w = std::max(r.ground_width_m, 1.0), h = std::max(r.ground_height_m, 1.0);
  struct Candidate {
    SheetFit fit;
    double fill = 0;
  };
  std::optional<Candidate> best;
  for (const Paper p : papers) {
    for (const Orientation o : orientations) {
      const SheetLayout l = layout_for(p, o);
      const double frame_w_m = l.map.w / kPointsPerMm / 1000, frame_h_m = l.map.h / kPointsPerMm / 1000;
      int scale = kRoundScales[std::size(kRoundScales) - 1];
      if (r.scale) {
        scale = *r.scale;
      } else {
        for (const int n : kRoundScales) {
          if (frame_w_m * n >= w && frame_h_m * n >= h) {
            scale = n;
            break;
          }
        }
      }
      const double fill = (w * h) / (frame_w_m * scale * frame_h_m * scale);
      const Candidate c{{p, o, scale}, fill};
      // Larger scale first (smaller N), then smaller paper, then fuller frame.
      const auto better = [](const Candidate& a, const Candidate& b) {
        if (a.fit.scale != b.fit.scale) return a.fit.scale < b.fit.scale;
        if (a.fit.paper != b.fit.paper) return a.fit.paper == Paper::a4;
        return a.fill > b.fill;
      };
      if (!best || better(c, *best)) best = c;
    }
  }
  return best->fit;
}

}  // namespace minqing::print
