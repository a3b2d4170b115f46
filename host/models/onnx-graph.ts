/**
 * Small builders of ONNX protobuf messages on `onnx-proto` (protobufjs), the way the inference adapter's test models
 * are made: no Python, and the bytes depend only on the weights (no timestamps, no random ids), so the same fit gives
 * the same file and hash.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type Proto = typeof onnx;
export type NodeSpec = Parameters<Proto['NodeProto']['create']>[0];
export type AttributeMessage = InstanceType<Proto['AttributeProto']>;

export const FLOAT = onnx.TensorProto.DataType.FLOAT;

/** A graph input or output: a float32 tensor whose dims are numbers or symbolic names ('batch'). */
export function tensorInfo(name: string, dims: readonly (number | string)[]): InstanceType<Proto['ValueInfoProto']> {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  });
}

/** A float32 initializer. Values are stored as float32, like every weight the runtime sees. */
export function floatTensor(name: string, dims: readonly number[], values: readonly number[]): InstanceType<Proto['TensorProto']> {
  return onnx.TensorProto.create({ name, dims: [...dims], dataType: FLOAT, floatData: values.map((v) => Math.fround(v)) });
}

export function intAttribute(name: string, value: number): AttributeMessage {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: value });
}

export function floatAttribute(name: string, value: number): AttributeMessage {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.FLOAT, f: value });
}

export function stringAttribute(name: string, value: string): AttributeMessage {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.STRING, s: Buffer.from(value) });
}

export function intsAttribute(name: string, values: readonly number[]): AttributeMessage {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: [...values] });
}

export function floatsAttribute(name: string, values: readonly number[]): AttributeMessage {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.FLOATS, floats: values.map((v) => Math.fround(v)) });
}

export function stringsAttribute(name: string, values: readonly string[]): AttributeMessage {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.STRINGS, strings: values.map((v) => Buffer.from(v)) });
}

/** What a model graph is made of. */
export interface GraphSpec {
  readonly name: string;
  readonly nodes: readonly NodeSpec[];
  readonly initializers: readonly InstanceType<Proto['TensorProto']>[];
  readonly inputs: readonly InstanceType<Proto['ValueInfoProto']>[];
  readonly outputs: readonly InstanceType<Proto['ValueInfoProto']>[];
  /** Import the ai.onnx.ml domain (tree ensembles). */
  readonly ml?: boolean;
  readonly docString?: string;
}

/** Encode a model: IR version 8, default opset 17 (+ ai.onnx.ml 3), producer strategy-host. */
export function encodeModel(spec: GraphSpec): Uint8Array {
  const graph = onnx.GraphProto.create({
    name: spec.name,
    node: spec.nodes.map((n) => onnx.NodeProto.create(n)),
    initializer: [...spec.initializers],
    input: [...spec.inputs],
    output: [...spec.outputs],
    ...(spec.docString ? { docString: spec.docString } : {}),
  });
  const opsetImport = [{ domain: '', version: 17 }, ...(spec.ml ? [{ domain: 'ai.onnx.ml', version: 3 }] : [])];
  const model = onnx.ModelProto.create({ irVersion: 8, producerName: 'strategy-host models fit', producerVersion: '1', opsetImport, graph });
  return onnx.ModelProto.encode(model).finish();
}
