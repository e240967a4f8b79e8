#pragma once
// A uniformly random element of a fixed table, for the demo data generators (app.cc,
// demo_service.cc).

#include <cstddef>
#include <random>

namespace kehu::cli {

template <typename T, size_t N>
const T& Pick(std::mt19937_64& rng, const T (&items)[N]) {
  return items[rng() % N];
}

}  // namespace kehu::cli
