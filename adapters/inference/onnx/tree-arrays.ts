/** One node of a decision tree: a split (feature <= threshold goes left) or a leaf value. Nodes index into their tree. */
export type TreeNode = { readonly feature: number; readonly threshold: number; readonly left: number; readonly right: number } | { readonly leaf: number };

/** The parallel node arrays and leaf list of an ai.onnx.ml TreeEnsemble (BRANCH_LEQ splits). */
export interface TreeArrays {
  readonly treeIds: number[];
  readonly nodeIds: number[];
  readonly featureIds: number[];
  readonly values: number[];
  readonly modes: string[];
  readonly trueIds: number[];
  readonly falseIds: number[];
  readonly leaves: { tree: number; node: number; weight: number }[];
}

/**
 * Flatten trees into the attribute arrays of an ai.onnx.ml TreeEnsembleRegressor/Classifier, in tree then node order.
 *
 * @example treeArrays([[{ feature: 0, threshold: 1, left: 1, right: 2 }, { leaf: -1 }, { leaf: 1 }]]).modes // ['BRANCH_LEQ', 'LEAF', 'LEAF']
 */
export function treeArrays(trees: readonly (readonly TreeNode[])[]): TreeArrays {
  const out: TreeArrays = { treeIds: [], nodeIds: [], featureIds: [], values: [], modes: [], trueIds: [], falseIds: [], leaves: [] };
  trees.forEach((nodes, tree) =>
    nodes.forEach((node, id) => {
      out.treeIds.push(tree);
      out.nodeIds.push(id);
      if ('leaf' in node) {
        out.featureIds.push(0);
        out.values.push(0);
        out.modes.push('LEAF');
        out.trueIds.push(0);
        out.falseIds.push(0);
        out.leaves.push({ tree, node: id, weight: node.leaf });
      } else {
        out.featureIds.push(node.feature);
        out.values.push(node.threshold);
        out.modes.push('BRANCH_LEQ');
        out.trueIds.push(node.left);
        out.falseIds.push(node.right);
      }
    }),
  );
  return out;
}
