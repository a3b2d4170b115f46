import { ShError, shError } from '../../../core/index.js';
import type { ModelCard, TensorSpec } from '../../../core/index.js';

/** What a session says about one of its inputs or outputs (onnxruntime's ValueMetadata, structurally). */
export interface ValueSignature {
  readonly name: string;
  readonly isTensor: boolean;
  readonly type?: string;
  /** Empty when the model does not declare a shape; a string or -1 is a symbolic (free) dimension. */
  readonly shape?: ReadonlyArray<number | string>;
}

/** The parts of a session a card is checked against. */
export interface ModelSignature {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly ValueSignature[];
  readonly outputMetadata: readonly ValueSignature[];
}

/** One difference between a card and its model. */
export interface CardMismatch {
  readonly field: string;
  /** What the card says. */
  readonly expected: unknown;
  /** What the model has. */
  readonly received: unknown;
}

const show = (value: unknown): string => JSON.stringify(value) ?? String(value);
const isFree = (dim: number | string): boolean => typeof dim === 'string' || dim < 0;

/** Every difference between a card's inputs/outputs and a model's: names, order, count, element type, shape. */
export function cardMismatches(card: ModelCard, model: ModelSignature): CardMismatch[] {
  const mismatches: CardMismatch[] = [];
  const compare = (kind: 'inputs' | 'outputs', specs: readonly TensorSpec[], names: readonly string[], metadata: readonly ValueSignature[]): void => {
    const cardNames = specs.map((s) => s.name);
    if (cardNames.length !== names.length) mismatches.push({ field: kind, expected: cardNames, received: names });
    specs.forEach((spec, i) => {
      const at = `${kind}[${i}]`;
      const name = names[i];
      if (name !== spec.name) {
        mismatches.push({ field: `${at}.name`, expected: spec.name, received: name ?? '(none)' });
        return;
      }
      const meta = metadata.find((m) => m.name === name);
      if (meta === undefined) return;
      if (!meta.isTensor) {
        mismatches.push({ field: `${at}.dtype`, expected: spec.dtype, received: 'a non-tensor value (sequence or map)' });
        return;
      }
      if (meta.type !== undefined && meta.type !== spec.dtype) mismatches.push({ field: `${at}.dtype`, expected: spec.dtype, received: meta.type });
      const shape = meta.shape ?? [];
      if (shape.length === 0) return; // the model declares no shape: checked on every run instead
      if (shape.length !== spec.shape.length) {
        mismatches.push({ field: `${at}.shape`, expected: spec.shape, received: shape });
        return;
      }
      spec.shape.forEach((dim, d) => {
        const modelDim = shape[d] as number | string;
        const fits = dim === 'batch' ? isFree(modelDim) : isFree(modelDim) || modelDim === dim;
        if (!fits) mismatches.push({ field: `${at}.shape[${d}]`, expected: dim, received: modelDim });
      });
    });
  };
  compare('inputs', card.inputs, model.inputNames, model.inputMetadata);
  compare('outputs', card.outputs, model.outputNames, model.outputMetadata);
  return mismatches;
}

/** Build the SH_ERR_INFERENCE_CARD_MISMATCH error for a model: one line for the first difference, every one in `problems`. */
export function cardMismatchError(modelId: string, file: string, mismatches: readonly CardMismatch[]): ShError {
  const one = (m: CardMismatch): string => `field ${m.field}: expected ${show(m.expected)} (card), was ${show(m.received)} (model)`;
  const problems = mismatches.map((m) =>
    shError('SH_ERR_INFERENCE_CARD_MISMATCH', `Model ${modelId} does not match its card at ${one(m)}.`, { where: `model ${modelId}: ${m.field}`, model: modelId, field: m.field, expected: show(m.expected), received: m.received }),
  );
  const first = mismatches[0];
  const more = mismatches.length > 1 ? ` (and ${mismatches.length - 1} more difference${mismatches.length > 2 ? 's' : ''})` : '';
  return new ShError(
    'SH_ERR_INFERENCE_CARD_MISMATCH',
    `Model ${modelId} (${file}) does not match its card at ${first ? one(first) : 'an unknown field'}${more}.`,
    { where: `model ${modelId}`, model: modelId, file, ...(first ? { field: first.field, expected: show(first.expected), received: first.received } : {}) },
    mismatches.length > 1 ? problems : [],
  );
}
