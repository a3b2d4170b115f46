import { ShError, shError } from '../../../core/index.js';
import type { InputSpec, ModelCard, OutputMeaning, OutputSpec, TensorDimension } from '../../../core/index.js';

const MEANINGS: Record<OutputMeaning, 1> = { probability: 1, quantiles: 1, regression: 1, 'class-probabilities': 1, label: 1 };
const CARD_KEYS = new Set(['id', 'version', 'sha256', 'description', 'features', 'trainingWindow', 'inputs', 'outputs']);
const OUTPUT_KEYS = new Set(['name', 'dtype', 'shape', 'meaning', 'labels', 'quantiles']);
const INPUT_KEYS = new Set(['name', 'dtype', 'shape']);

interface Problem {
  readonly field: string;
  readonly received: unknown;
  readonly expected: string;
}

type Raw = Record<string, unknown>;
const isObject = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);
const isDate = (value: unknown): value is string => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));

/** Values per row of a tensor: the product of its dimensions after the batch dimension (1 for `['batch']`). */
export function widthOf(shape: readonly TensorDimension[]): number {
  return shape.slice(1).reduce<number>((product, dim) => product * (dim === 'batch' ? 1 : dim), 1);
}

/**
 * Check a parsed card JSON and return it as a `ModelCard` (a batch dimension written -1 becomes `'batch'`).
 * Throws SH_ERR_INFERENCE_CARD_INVALID listing every problem, each naming its field, what was received and what
 * was expected. `where` (a file path, or a registry entry) prefixes the fields.
 *
 * @example parseModelCard(JSON.parse(text), 'models/mlp.card.json')
 */
export function parseModelCard(value: unknown, where: string): ModelCard {
  const problems: Problem[] = [];
  const problem = (field: string, received: unknown, expected: string): void => {
    problems.push({ field, received, expected });
  };
  if (!isObject(value)) throw cardInvalid(where, [{ field: '(card)', received: value, expected: 'a JSON object' }]);

  for (const key of Object.keys(value)) if (!CARD_KEYS.has(key)) problem(key, key, `only the keys ${[...CARD_KEYS].join(', ')}`);
  const text = (field: string): string => {
    const v = value[field];
    if (typeof v !== 'string' || v.trim() === '') problem(field, v, 'a non-empty string');
    return typeof v === 'string' ? v : '';
  };
  const id = text('id');
  const version = text('version');
  const sha256 = value['sha256'];
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) problem('sha256', sha256, '64 lowercase hex digits (the SHA-256 of the model file)');
  const description = value['description'];
  if (description !== undefined && typeof description !== 'string') problem('description', description, 'a string, or no description');

  const features = value['features'];
  const featureNames: string[] = [];
  if (!Array.isArray(features) || features.length === 0) problem('features', features, 'a non-empty array of feature names, in column order');
  else {
    features.forEach((name: unknown, i) => {
      if (typeof name !== 'string' || name === '') problem(`features[${i}]`, name, 'a non-empty string');
      else if (featureNames.includes(name)) problem(`features[${i}]`, name, 'a name not listed before');
      else featureNames.push(name);
    });
  }

  const window = value['trainingWindow'];
  if (!isObject(window)) problem('trainingWindow', window, 'an object { from, to } of dates YYYY-MM-DD');
  else {
    if (!isDate(window['from'])) problem('trainingWindow.from', window['from'], 'a date YYYY-MM-DD');
    if (!isDate(window['to'])) problem('trainingWindow.to', window['to'], 'a date YYYY-MM-DD');
    if (isDate(window['from']) && isDate(window['to']) && window['from'] > window['to']) problem('trainingWindow', window, 'from on or before to');
  }

  /** The shape with -1 read as 'batch', or undefined (problems recorded) when it is not a valid shape. */
  const shapeOf = (field: string, shape: unknown): TensorDimension[] | undefined => {
    if (!Array.isArray(shape) || shape.length === 0) {
      problem(field, shape, 'an array of dimensions starting with "batch" (or -1), e.g. ["batch", 4]');
      return undefined;
    }
    const before = problems.length;
    const dims = shape.map((dim: unknown, i): TensorDimension => {
      if (i === 0) {
        if (dim !== 'batch' && dim !== -1) problem(`${field}[0]`, dim, '"batch" (or -1): the first dimension is the row dimension');
        return 'batch';
      }
      if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1) problem(`${field}[${i}]`, dim, 'a positive integer (only the first dimension is the batch)');
      return typeof dim === 'number' ? dim : 0;
    });
    return problems.length === before ? dims : undefined;
  };

  const inputs: InputSpec[] = [];
  const rawInputs = value['inputs'];
  if (!Array.isArray(rawInputs) || rawInputs.length !== 1) problem('inputs', rawInputs, 'an array of exactly one input: rows are passed as one float32 tensor ["batch", features.length]');
  else {
    const input: unknown = rawInputs[0];
    if (!isObject(input)) problem('inputs[0]', input, 'an object { name, dtype, shape }');
    else {
      for (const key of Object.keys(input)) if (!INPUT_KEYS.has(key)) problem(`inputs[0].${key}`, key, 'only the keys name, dtype, shape');
      if (typeof input['name'] !== 'string' || input['name'] === '') problem('inputs[0].name', input['name'], 'a non-empty string');
      if (input['dtype'] !== 'float32') problem('inputs[0].dtype', input['dtype'], '"float32"');
      const shape = shapeOf('inputs[0].shape', input['shape']);
      // Compared with the features as written, so that one wrong feature is one problem, not two.
      const columns = Array.isArray(features) && features.length > 0 ? features.length : undefined;
      if (columns !== undefined && shape !== undefined && (shape.length !== 2 || shape[1] !== columns)) {
        problem('inputs[0].shape', input['shape'], `["batch", ${columns}]: one column per feature`);
      }
      inputs.push({ name: String(input['name']), dtype: 'float32', shape: shape ?? [] });
    }
  }

  const outputs: OutputSpec[] = [];
  const rawOutputs = value['outputs'];
  if (!Array.isArray(rawOutputs) || rawOutputs.length === 0) problem('outputs', rawOutputs, 'a non-empty array of every model output, in the model\'s order');
  else {
    const names = new Set<string>();
    rawOutputs.forEach((output: unknown, i) => {
      const at = `outputs[${i}]`;
      if (!isObject(output)) {
        problem(at, output, 'an object { name, dtype, shape, meaning, labels?, quantiles? }');
        return;
      }
      for (const key of Object.keys(output)) if (!OUTPUT_KEYS.has(key)) problem(`${at}.${key}`, key, `only the keys ${[...OUTPUT_KEYS].join(', ')}`);
      const name = output['name'];
      if (typeof name !== 'string' || name === '') problem(`${at}.name`, name, 'a non-empty string');
      else if (names.has(name)) problem(`${at}.name`, name, 'a name not used by another output');
      else names.add(name);
      const dtype = output['dtype'];
      if (dtype !== 'float32' && dtype !== 'int64') problem(`${at}.dtype`, dtype, '"float32", or "int64" for labels');
      const meaning = output['meaning'];
      if (typeof meaning !== 'string' || !(meaning in MEANINGS)) problem(`${at}.meaning`, meaning, `one of ${Object.keys(MEANINGS).join(', ')}`);
      const shape = shapeOf(`${at}.shape`, output['shape']);
      const width = shape === undefined ? undefined : widthOf(shape); // undefined: the shape already has a problem
      const labels = output['labels'];
      if (labels !== undefined && (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string'))) problem(`${at}.labels`, labels, 'an array of class names');
      if (meaning === 'class-probabilities' && width !== undefined && Array.isArray(labels) && labels.length !== width) problem(`${at}.labels`, labels, `${width} class names, one per column`);
      const quantiles = output['quantiles'];
      if (meaning === 'quantiles') {
        const ascending = Array.isArray(quantiles) && quantiles.every((q, j) => typeof q === 'number' && q > 0 && q < 1 && (j === 0 || q > (quantiles[j - 1] as number)));
        if (!ascending || (width !== undefined && quantiles.length !== width)) problem(`${at}.quantiles`, quantiles, `${width === undefined ? '' : `${width} `}ascending levels in (0, 1), one per column`);
      } else if (quantiles !== undefined) problem(`${at}.quantiles`, quantiles, 'no quantiles unless the meaning is "quantiles"');
      if (meaning === 'probability' && width !== undefined && width !== 1) problem(`${at}.shape`, output['shape'], '["batch"] or ["batch", 1]: one probability per row');
      outputs.push({
        name: String(name),
        dtype: dtype === 'int64' ? 'int64' : 'float32',
        shape: shape ?? [],
        meaning: meaning as OutputMeaning,
        ...(Array.isArray(labels) ? { labels: labels.map(String) } : {}),
        ...(Array.isArray(quantiles) ? { quantiles: quantiles.map(Number) } : {}),
      });
    });
  }

  if (problems.length > 0) throw cardInvalid(where, problems);
  return {
    id,
    version,
    sha256: sha256 as string,
    ...(typeof description === 'string' ? { description } : {}),
    features: featureNames,
    trainingWindow: { from: String((window as Raw)['from']), to: String((window as Raw)['to']) },
    inputs,
    outputs,
  };
}

function cardInvalid(where: string, problems: readonly Problem[]): ShError {
  const errors = problems.map((p) =>
    shError('SH_ERR_INFERENCE_CARD_INVALID', `Model card ${where}: field ${p.field} is invalid.`, { where: `${where}: ${p.field}`, field: p.field, received: p.received, expected: p.expected }),
  );
  const first = problems[0];
  const summary = first === undefined ? '' : ` First: ${first.field} was ${JSON.stringify(first.received) ?? String(first.received)}, expected ${first.expected}.`;
  return new ShError(
    'SH_ERR_INFERENCE_CARD_INVALID',
    `Model card ${where} has ${problems.length} problem${problems.length === 1 ? '' : 's'}.${summary}`,
    { where, ...(first ? { field: first.field, received: first.received, expected: first.expected } : {}) },
    errors,
  );
}
