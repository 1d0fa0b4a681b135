// GPU catalog lookups: resolve a model name (key or alias), its training rate, peak rate and TPP; unknown → KYC_ERR_UNKNOWN_GPU.
import { KycError } from '../errors.js';
import { PRECISION_BITS, type GpuCatalog, type GpuModel, type Precision } from './schema.js';

const fold = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, '');

const lookups = new WeakMap<GpuCatalog, Map<string, string>>();

function lookupTable(catalog: GpuCatalog): Map<string, string> {
  let table = lookups.get(catalog);
  if (!table) {
    table = new Map();
    for (const [key, model] of Object.entries(catalog.models)) {
      for (const name of [key, ...model.aliases]) table.set(fold(name), key);
    }
    lookups.set(catalog, table);
  }
  return table;
}

export interface ResolvedGpu {
  key: string;
  model: GpuModel;
}

/** Resolves a model name (catalog key or alias, case/punctuation-insensitive). Throws KYC_ERR_UNKNOWN_GPU. */
export function resolveGpu(catalog: GpuCatalog, name: string): ResolvedGpu {
  const key = lookupTable(catalog).get(fold(String(name)));
  const model = key === undefined ? undefined : catalog.models[key];
  if (key === undefined || !model) {
    throw new KycError(
      'KYC_ERR_UNKNOWN_GPU',
      `unknown GPU model ${JSON.stringify(name)}: not in the GPU catalog (lists/gpus.json, version ${catalog.version}); known models: ${Object.keys(catalog.models).join(', ')}`,
      { gpuModel: name, known: Object.keys(catalog.models) },
    );
  }
  return { key, model };
}

/** The dense training rate (ops/s per GPU) at the first of `precisions` the model has (BF16, else FP16). */
export function trainingRate(gpu: ResolvedGpu, precisions: readonly Precision[]): { precision: Precision; opsPerSecond: number; tflops: number } {
  for (const p of precisions) {
    const tflops = gpu.model.dense[p];
    if (tflops !== undefined) return { precision: p, opsPerSecond: tflops * 1e12, tflops };
  }
  throw new KycError('KYC_ERR_UNKNOWN_GPU', `GPU model ${gpu.key} has no dense rate for ${precisions.join(' or ')} in the GPU catalog`, { gpuModel: gpu.key });
}

/** The theoretical maximum dense rate (ops/s per GPU) over all precisions, e.g. FP8 for H100. */
export function peakRate(gpu: ResolvedGpu): { precision: Precision; opsPerSecond: number; tflops: number } {
  let best: { precision: Precision; opsPerSecond: number; tflops: number } | undefined;
  for (const [p, tflops] of Object.entries(gpu.model.dense) as [Precision, number][]) {
    if (!best || tflops > best.tflops) best = { precision: p, opsPerSecond: tflops * 1e12, tflops };
  }
  if (!best) throw new KycError('KYC_ERR_UNKNOWN_GPU', `GPU model ${gpu.key} has no rates in the GPU catalog`, { gpuModel: gpu.key });
  return best;
}

/** Total processing performance computed from the dense rates: max over precisions of TOPS × bit length. */
export function computeTpp(model: GpuModel): number {
  let tpp = 0;
  for (const [p, tflops] of Object.entries(model.dense) as [Precision, number][]) tpp = Math.max(tpp, tflops * PRECISION_BITS[p]);
  return tpp;
}
