// Baselines: reading training/current files, profiling them into versioned baseline JSON, and comparing current
// data against a reference (a data file or a baseline).
export { readTable, formatOf, type ReadOptions, type FileFormat } from './read.js';
export { type Table, type Column } from './table.js';
export {
  buildBaseline,
  numericProfile,
  categoricalProfile,
  referenceQuality,
  BASELINE_SCHEMA_VERSION,
  EXACT_SAMPLE_LIMIT,
  SEGMENT_EXACT_SAMPLE_LIMIT,
  PROFILE_QUANTILES,
  type BaselineProfile,
  type BaselineOptions,
  type FeatureProfile,
  type NumericProfile,
  type CategoricalProfile,
  type QualityProfile,
} from './profile.js';
export {
  referenceFromTable,
  referenceFromBaseline,
  parseBaseline,
  looksLikeBaseline,
  quantileEcdf,
  kindsOf,
  type ReferenceSet,
  type ColumnReference,
} from './reference.js';
export { compareToReference } from './compare.js';
export {
  segmentProfiles,
  segmentBaseline,
  profiledValues,
  rankedValues,
  SEGMENT_OTHER,
  DEFAULT_SEGMENT_MIN_ROWS,
  DEFAULT_BASELINE_SEGMENT_TOP,
  type SegmentProfile,
  type SegmentColumnProfiles,
  type SegmentOptions,
} from './segments.js';
