// The ingest tables as the binary insert path writes them: an explicit column list (never a MATERIALIZED column,
// so the same statement works against a Distributed table in front of them) with the type of each column.
export type ColumnType =
  | 'String' | 'DateTime' | 'UInt64' | 'Int32' | 'Float64'
  | 'Array(String)' | 'Array(Float64)' | 'Nullable(Float64)' | 'Nullable(String)';

export type TableLayout = ReadonlyArray<readonly [column: string, type: ColumnType]>;

/** Column layouts of the tables ingest writes (store/migrations.ts defines them); other tables insert as JSON. */
export const INSERT_LAYOUTS: Readonly<Record<string, TableLayout>> = {
  predictions: [
    ['model', 'String'], ['model_version', 'String'], ['prediction_id', 'String'], ['ts', 'DateTime'], ['ts_ms', 'UInt64'],
    ['num_names', 'Array(String)'], ['num_values', 'Array(Float64)'], ['cat_names', 'Array(String)'], ['cat_values', 'Array(String)'],
    ['missing_names', 'Array(String)'], ['prediction_num', 'Nullable(Float64)'], ['prediction_str', 'Nullable(String)'],
    ['label_num', 'Nullable(Float64)'], ['label_str', 'Nullable(String)'], ['metadata', 'String'], ['ingested_at', 'DateTime'],
  ],
  labels: [
    ['model', 'String'], ['prediction_id', 'String'], ['label_num', 'Nullable(Float64)'], ['label_str', 'Nullable(String)'],
    ['ts', 'DateTime'], ['ts_ms', 'UInt64'], ['ingested_at', 'DateTime'],
  ],
  dead_letters: [
    ['received_at', 'DateTime'], ['source', 'String'], ['topic', 'String'], ['partition', 'Int32'], ['offset', 'String'],
    ['reason', 'String'], ['payload', 'String'],
  ],
};

/** A value the binary encoder will not write as it is (a string that is not well-formed Unicode, a wrong type):
 *  the rows then go as JSON, so ClickHouse's own parser judges them exactly as before. */
export class NotEncodable extends Error {}
