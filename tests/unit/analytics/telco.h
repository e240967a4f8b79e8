#pragma once
// Test helper: reads the IBM Telco churn CSV in ../shared/data into a feature matrix.
// Encoding: SeniorCitizen, tenure, MonthlyCharges, TotalCharges as numbers (TotalCharges " "
// for tenure-0 customers becomes NaN, i.e. missing); Yes/No columns as 0/1; every other
// categorical column one-hot (one column per distinct value, in order of first appearance);
// customerID dropped; Churn Yes/No is the label.

#include <string>
#include <vector>

#include "analytics/churn_model.h"
#include "core/result.h"

namespace kehu::analytics::testing {

struct TelcoData {
  FeatureMatrix features{};
  std::vector<float> churned{};
};

// Errors: kNotFound if the file cannot be opened; kInvalidArgument on a row with the wrong
// number of fields or a bad number or label.
Result<TelcoData> LoadTelco(const std::string& path);

}  // namespace kehu::analytics::testing
