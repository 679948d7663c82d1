#include "generate/feature_sink.hpp"

#include "base/error.hpp"

namespace minqing::generate {

FeatureSink::FeatureSink(const model::LayerCatalog& catalog)
    : m_catalog(&catalog), m_features(catalog.classes().size()) {}

FeatureSink::Builder& FeatureSink::Builder::set(std::string_view field, model::Value v) {
  const int i = m_def->field_index(field);
  if (i < 0) throw ConfigError("generate: feature class " + m_def->name + " has no field " + std::string(field));
  m_feature->values[static_cast<std::size_t>(i)] = std::move(v);
  return *this;
}

FeatureSink::Builder FeatureSink::add(std::string_view class_name, geo::Geometry geometry) {
  const auto& classes = m_catalog->classes();
  for (std::size_t i = 0; i < classes.size(); ++i) {
    if (classes[i].name != class_name) continue;
    auto& f = m_features[i].emplace_back();
    f.values.resize(classes[i].fields.size());
    f.geometry = std::move(geometry);
    return Builder(classes[i], f);
  }
  throw ConfigError("generate: the layer catalog has no feature class " + std::string(class_name));
}

}  // namespace minqing::generate
