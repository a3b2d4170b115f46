import { ShError } from '../errors.js';
import type { ModelScores, StrategyContext } from './context.js';

/** One output of a model, as a plugin expects it. */
export interface ExpectedOutput {
  /** The output's name on the model card. */
  readonly name: string;
  /** Values per row. */
  readonly width: number;
  /** What each row should carry, for the error: "three quantiles", "one probability". */
  readonly perRow: string;
  /** What the plugin expects, for the error. */
  readonly expected: string;
}

/**
 * Output `output.name` of model `modelId` at this decision time, checked to carry `output.width` values per row;
 * undefined when the plugin scored no row (`rows` is 0). Anything else from the model is a card mismatch: throws
 * SH_ERR_INFERENCE_CARD_MISMATCH naming the plugin, the model and what came back.
 *
 * @example scoredOutput(ctx, p.modelId, rows.length, { name: 'probability', width: 1, perRow: 'one probability', expected: 'an output "probability" of width 1' })
 */
export function scoredOutput(ctx: StrategyContext, modelId: string, rows: number, output: ExpectedOutput): ModelScores['outputs'][string] | undefined {
  if (rows === 0) return undefined;
  const found = ctx.score(modelId).outputs[output.name];
  if (found === undefined || found.width !== output.width) {
    throw new ShError('SH_ERR_INFERENCE_CARD_MISMATCH', `model ${modelId} did not return ${output.perRow} per row`, {
      where: `${ctx.strategyId} (evaluate) model ${modelId}`,
      received: found ? `width ${found.width}` : `no output "${output.name}"`,
      expected: output.expected,
    });
  }
  return found;
}
