#pragma once
// The GEOS C API together with our wrappers over it, for src/geo/*.cpp and for tests that check
// our results against GEOS directly. No other module includes this header (or geos_c.h): they
// use the GEOS-free wrappers it gathers, and the build refuses geos_c.h outside src/geo/
// (CMakeLists.txt, tests/build/module_boundaries_test.cpp). Link with GEOS::geos_c.

#include <geos_c.h>

#include "geo/geometry_ops.hpp"
#include "geo/geos_context.hpp"
#include "geo/geos_geometry.hpp"
#include "geo/nearest_points.hpp"
#include "geo/prepared_geometry.hpp"
