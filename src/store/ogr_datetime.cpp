#include "store/ogr_datetime.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace minqing::store {

std::string ogr_datetime_text(const OGRFeature& f, int k) {
  const OGRField* raw = f.GetRawFieldRef(k);
  const auto type = f.GetFieldDefnRef(k)->GetType();
  const auto& d = raw->Date;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.Year, d.Month, d.Day);
  std::string out = buf;
  if (type == OFTDate) return out;
  const double whole = std::floor(static_cast<double>(d.Second));
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02d", d.Hour, d.Minute, static_cast<int>(whole));
  out += buf;
  if (const double frac = static_cast<double>(d.Second) - whole; frac > 0.0005) {
    std::snprintf(buf, sizeof buf, "%.3f", frac);  // "0.500"
    std::string digits = std::string(buf).substr(1);
    while (digits.back() == '0') digits.pop_back();
    out += digits;
  }
  // OGR's TZFlag: 0 unknown, 1 local time, 100 UTC, 100 ± n: n quarter hours east/west of UTC.
  if (d.TZFlag == 100) {
    out += "Z";
  } else if (d.TZFlag > 1) {
    const int quarters = d.TZFlag - 100;
    const int minutes = std::abs(quarters) * 15;
    std::snprintf(buf, sizeof buf, "%c%02d:%02d", quarters < 0 ? '-' : '+', minutes / 60, minutes % 60);
    out += buf;
  }
  return out;
}

}  // namespace minqing::store
