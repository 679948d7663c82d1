#pragma once
// Choosing the paper, orientation and round scale of a sheet: the village framed whole at the
// largest round scale (1:2,000, 1:5,000, 1:10,000, 1:15,000 …) at which it fits the map frame, on the
// smaller paper when both give that scale, in the orientation its shape fills best.

#include <optional>
#include <span>

#include "print/paper.hpp"

namespace minqing::print {

// The scales a sheet is printed at: the denominators of 1:N, largest scale first.
inline constexpr int kRoundScales[] = {500,   1000,  2000,  2500,  5000,   10000,
                                       15000, 20000, 25000, 50000, 100000, 250000};

// Whether N is one of kRoundScales.
bool is_round_scale(int denominator) noexcept;

struct SheetFit {
  Paper paper = Paper::a3;
  Orientation orientation = Orientation::landscape;
  int scale = 5000;  // the denominator N of 1:N
};

// What the caller fixed; anything left empty is chosen.
struct FitRequest {
  double ground_width_m = 0;   // the village's extent on the ground (with a margin)
  double ground_height_m = 0;
  std::optional<Paper> paper;
  std::optional<Orientation> orientation;
  std::optional<int> scale;
};

// The best sheet for `r`: among the allowed papers and orientations, the largest round scale at
// which the extent fits the map frame (sheet_layout.hpp); ties go to the smaller paper, then to
// the frame the extent fills most. A fixed scale is kept even when the extent does not fit (the
// sheet then shows its middle). An extent that fits nowhere gets the smallest round scale.
SheetFit choose_fit(const FitRequest& r) noexcept;

}  // namespace minqing::print
