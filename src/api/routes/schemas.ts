// JSON Schemas shared by the routes: the error body every 4xx/5xx answer has, and the path parameters.
export const errorBody = {
  type: 'object',
  required: ['error', 'message'],
  properties: { error: { type: 'string' }, message: { type: 'string' } },
} as const;

/** Error responses of a route that needs a token (401, 403, 429 …) and can fail. */
export const errorResponses = { '4xx': errorBody, '5xx': errorBody } as const;

/** Model ids and baseline versions are names, not free text: they end up in SQL literals and URLs. */
export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$';

export const modelParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: NAME_PATTERN } },
} as const;
