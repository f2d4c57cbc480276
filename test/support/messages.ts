// Synthetic prediction messages for tests: deterministic, with `features` numeric and categorical.
export function predictionMessage(i: number, model = 'fraud', tsMs = Date.UTC(2026, 10, 24, 10) + i * 1000): Record<string, unknown> {
  return {
    model,
    model_version: '3',
    prediction_id: `p-${i}`,
    timestamp: new Date(tsMs).toISOString(),
    features: { amount: (i % 97) * 1.5, age: 20 + (i % 50), country: ['DE', 'FR', 'US'][i % 3], missing: null },
    prediction: (i % 10) / 10,
  };
}
