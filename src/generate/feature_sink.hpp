#pragma once
// Collects generated features per feature class (catalog order), filling attribute values by
// field name so that the generator depends on the names in layers/*.json, not on field order.
// Not thread-safe: one sink per village task.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/feature.hpp"
#include "model/layer_catalog.hpp"

namespace minqing::generate {

class FeatureSink {
 public:
  // @throws ConfigError when the catalog lacks a class the generator writes.
  explicit FeatureSink(const model::LayerCatalog& catalog);

  // A feature being filled; valid until the next add() to the same class.
  class Builder {
   public:
    Builder(const model::FeatureClassDef& def, model::Feature& f) : m_def(&def), m_feature(&f) {}
    // @throws ConfigError when the class has no such field.
    Builder& set(std::string_view field, model::Value v);
    Builder& set(std::string_view field, const char* v) { return set(field, model::Value(std::string(v))); }
    Builder& set(std::string_view field, const std::string& v) { return set(field, model::Value(v)); }
    Builder& set(std::string_view field, int v) { return set(field, model::Value(static_cast<std::int64_t>(v))); }
    Builder& set(std::string_view field, std::int64_t v) { return set(field, model::Value(v)); }
    Builder& set(std::string_view field, double v) { return set(field, model::Value(v)); }

   private:
    const model::FeatureClassDef* m_def;
    model::Feature* m_feature;
  };

  Builder add(std::string_view class_name, geo::Geometry geometry);

  const model::LayerCatalog& catalog() const noexcept { return *m_catalog; }
  // Features per class, indexed like catalog().classes().
  const std::vector<std::vector<model::Feature>>& features() const noexcept { return m_features; }
  std::vector<std::vector<model::Feature>>& features() noexcept { return m_features; }

 private:
  const model::LayerCatalog* m_catalog;
  std::vector<std::vector<model::Feature>> m_features;
};

}  // namespace minqing::generate
