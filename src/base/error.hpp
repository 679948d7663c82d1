#pragma once
// The project's one exception hierarchy. Every error names what is at fault — the file, layer,
// feature or parameter — so that a message alone tells a user what to fix.

#include <stdexcept>
#include <string>

namespace minqing {

// Base of every exception Minqing Map throws on purpose.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// A configuration or definition file (layers/, styles/, policy) is malformed.
class ConfigError : public Error {
 public:
  using Error::Error;
};

// Input data is wrong: a bad feature, field value, geometry or source file.
class DataError : public Error {
 public:
  using Error::Error;
};

// A coordinate reference system is unknown or a transformation failed.
class ProjError : public Error {
 public:
  using Error::Error;
};

// The feature store (GeoPackage / OGR) failed.
class StoreError : public Error {
 public:
  using Error::Error;
};

// A caller's request is malformed (bad parameter, path, value); maps to HTTP 400.
class RequestError : public Error {
 public:
  using Error::Error;
};

// Drawing failed (cairo, pango, PNG encoding).
class RenderError : public Error {
 public:
  using Error::Error;
};

}  // namespace minqing
