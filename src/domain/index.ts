// Shared vocabulary of driftwatch: what a prediction, a label and a feature value are, and the base errors.
export type FeatureValue = number | string | null;

/** One logged prediction, as it arrives from Kafka or POST /v1/predictions (DESIGN.md contract). */
export interface Prediction {
  model: string;
  modelVersion: string;
  predictionId: string;
  /** epoch milliseconds, UTC */
  timestamp: number;
  features: Record<string, FeatureValue>;
  prediction: number | string | null;
  label: number | string | null;
  metadata: Record<string, unknown> | null;
}

/** A ground-truth label that may arrive hours after its prediction. */
export interface LabelEvent {
  model: string;
  predictionId: string;
  label: number | string;
  /** epoch milliseconds, UTC */
  timestamp: number;
}

export type FeatureKind = 'numeric' | 'categorical';
export type ModelTask = 'binary' | 'multiclass' | 'regression';

/** Base of every error driftwatch raises on purpose; `code` is stable and machine-readable. */
export class DriftwatchError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The caller's input is wrong (bad file, bad value, bad flag): CLI exit 2, HTTP 400. */
export class InputError extends DriftwatchError {
  constructor(message: string, code = 'bad_input') {
    super(message, code);
  }
}
