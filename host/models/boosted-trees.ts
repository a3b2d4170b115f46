import { treeArrays, type TreeNode } from '../../adapters/inference/onnx/tree-arrays.js';
import { encodeModel, floatsAttribute, intAttribute, intsAttribute, stringAttribute, stringsAttribute, tensorInfo } from './onnx-graph.js';

/** A node of a regression tree: a split (`x[feature] <= threshold` goes left) or a leaf; node ids are array indices. */
export type { TreeNode };

/** Gradient-boosted regression trees: prediction = base + Σ trees. Thresholds and leaves are float32 values. */
export interface BoostedTrees {
  readonly base: number;
  readonly trees: readonly (readonly TreeNode[])[];
  readonly features: number;
}

export interface BoostingOptions {
  /** Trees (default 80). */
  readonly trees?: number;
  /** Depth of each tree, at most 3 (default 3). */
  readonly depth?: number;
  /** Shrinkage applied to every leaf (default 0.05). */
  readonly learningRate?: number;
  /** Fewest training rows in a leaf (default 50). */
  readonly minLeaf?: number;
  /** Candidate thresholds per feature, at quantiles of its training values (default 32). */
  readonly bins?: number;
}

/**
 * Candidate thresholds of one feature: float32 midpoints between neighbouring distinct values at `bins` quantiles.
 * Features are float32 already, so `x <= threshold` means the same in JS and in onnxruntime.
 */
function thresholdsOf(values: readonly number[], bins: number): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const out: number[] = [];
  for (let q = 1; q < bins; q++) {
    const at = Math.floor((q * sorted.length) / bins);
    const below = sorted[at - 1];
    const above = sorted[at];
    if (below === undefined || above === undefined || below === above) continue;
    const threshold = Math.fround((below + above) / 2);
    if (out.at(-1) !== threshold) out.push(threshold);
  }
  return out;
}

/**
 * Fit by least-squares gradient boosting (Friedman 2001): start from the mean, then each tree is fitted to the
 * residuals, depth-first, choosing at every node the split of largest squared-error reduction among the candidate
 * thresholds (first best in feature, then threshold order: deterministic), with at least `minLeaf` rows per leaf;
 * leaves hold learningRate x the mean residual. Rows must be float32 values (Math.fround).
 */
export function fitBoostedTrees(rows: readonly (readonly number[])[], targets: readonly number[], options: BoostingOptions = {}): BoostedTrees {
  const { trees: treeCount = 80, depth = 3, learningRate = 0.05, minLeaf = 50, bins = 32 } = options;
  if (depth < 1 || depth > 3) throw new RangeError(`depth must be 1 to 3, was ${depth}`);
  const n = rows.length;
  const d = rows[0]?.length ?? 0;
  const thresholds = Array.from({ length: d }, (_, j) => thresholdsOf(rows.map((r) => r[j] as number), bins));
  // bin[j][i]: how many thresholds of feature j lie below x: x <= thresholds[j][t] exactly when bin <= t.
  const binOf = thresholds.map((list, j) => Int32Array.from(rows, (r) => {
    const x = r[j] as number;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((list[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }));
  const base = Math.fround(targets.reduce((a, b) => a + b, 0) / n);
  const prediction = new Float64Array(n).fill(base);
  const trees: TreeNode[][] = [];
  for (let t = 0; t < treeCount; t++) {
    const residual = Float64Array.from(targets, (y, i) => y - (prediction[i] as number));
    const nodes: TreeNode[] = [];
    const grow = (members: Int32Array, level: number): number => {
      const index = nodes.length;
      let sum = 0;
      for (const i of members) sum += residual[i] as number;
      const leaf = (): number => {
        nodes[index] = { leaf: Math.fround((learningRate * sum) / members.length) };
        return index;
      };
      nodes.push({ leaf: 0 });
      if (level === depth || members.length < 2 * minLeaf) return leaf();
      let best = { gain: 1e-15, feature: -1, bin: -1 };
      const parentScore = (sum * sum) / members.length;
      for (let j = 0; j < d; j++) {
        const list = thresholds[j] as number[];
        const bins = binOf[j] as Int32Array;
        const sums = new Float64Array(list.length + 1);
        const counts = new Int32Array(list.length + 1);
        for (const i of members) {
          const b = bins[i] as number;
          sums[b] = (sums[b] as number) + (residual[i] as number);
          counts[b] = (counts[b] as number) + 1;
        }
        let leftSum = 0;
        let leftCount = 0;
        for (let b = 0; b < list.length; b++) {
          leftSum += sums[b] as number;
          leftCount += counts[b] as number;
          const rightCount = members.length - leftCount;
          if (leftCount < minLeaf || rightCount < minLeaf) continue;
          const rightSum = sum - leftSum;
          const gain = (leftSum * leftSum) / leftCount + (rightSum * rightSum) / rightCount - parentScore;
          if (gain > best.gain) best = { gain, feature: j, bin: b };
        }
      }
      if (best.feature < 0) return leaf();
      const bins = binOf[best.feature] as Int32Array;
      const left = members.filter((i) => (bins[i] as number) <= best.bin);
      const right = members.filter((i) => (bins[i] as number) > best.bin);
      const leftId = grow(left, level + 1);
      const rightId = grow(right, level + 1);
      nodes[index] = { feature: best.feature, threshold: (thresholds[best.feature] as number[])[best.bin] as number, left: leftId, right: rightId };
      return index;
    };
    grow(Int32Array.from({ length: n }, (_, i) => i), 0);
    trees.push(nodes);
    for (let i = 0; i < n; i++) prediction[i] = (prediction[i] as number) + evaluateTree(nodes, rows[i] as readonly number[]);
  }
  return { base, trees, features: d };
}

function evaluateTree(nodes: readonly TreeNode[], row: readonly number[]): number {
  let node = nodes[0];
  while (node !== undefined && !('leaf' in node)) node = nodes[Math.fround(row[node.feature] as number) <= node.threshold ? node.left : node.right];
  return node === undefined ? Number.NaN : node.leaf;
}

/** Predictions for raw rows (rounded to float32, like the model input): the JS reference of the exported ensemble. */
export function predictBoostedTrees(model: BoostedTrees, rows: readonly (readonly number[])[]): number[] {
  return rows.map((row) => model.trees.reduce((sum, tree) => sum + evaluateTree(tree, row), model.base));
}

/**
 * The ensemble as one ai.onnx.ml TreeEnsembleRegressor (BRANCH_LEQ splits, SUM of leaves, base value, no post
 * transform). Input `features` [batch, d]; output `prediction` [batch, 1].
 */
export function exportBoostedTrees(model: BoostedTrees, name: string): Uint8Array {
  const { treeIds, nodeIds, featureIds, values, modes, trueIds, falseIds, leaves } = treeArrays(model.trees);
  return encodeModel({
    name,
    ml: true,
    docString: `gradient-boosted regression trees: ${model.trees.length} trees over ${model.features} features`,
    nodes: [
      {
        opType: 'TreeEnsembleRegressor',
        domain: 'ai.onnx.ml',
        input: ['features'],
        output: ['prediction'],
        name: 'ensemble',
        attribute: [
          intsAttribute('nodes_treeids', treeIds),
          intsAttribute('nodes_nodeids', nodeIds),
          intsAttribute('nodes_featureids', featureIds),
          floatsAttribute('nodes_values', values),
          stringsAttribute('nodes_modes', modes),
          intsAttribute('nodes_truenodeids', trueIds),
          intsAttribute('nodes_falsenodeids', falseIds),
          intAttribute('n_targets', 1),
          intsAttribute('target_treeids', leaves.map((l) => l.tree)),
          intsAttribute('target_nodeids', leaves.map((l) => l.node)),
          intsAttribute('target_ids', leaves.map(() => 0)),
          floatsAttribute('target_weights', leaves.map((l) => l.weight)),
          floatsAttribute('base_values', [model.base]),
          stringAttribute('aggregate_function', 'SUM'),
          stringAttribute('post_transform', 'NONE'),
        ],
      },
    ],
    initializers: [],
    inputs: [tensorInfo('features', ['batch', model.features])],
    outputs: [tensorInfo('prediction', ['batch', 1])],
  });
}
