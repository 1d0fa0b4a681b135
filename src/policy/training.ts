// Training compute and cluster-rate estimates for a compute request, from the GPU catalog and the pack's settings.
import type { ComputeRequest } from '../model/index.js';
import { grouped, sci } from './format.js';
import { peakRate, resolveGpu, trainingRate } from './gpu-catalog.js';
import type { PolicyPack, Precision, RuleData } from './schema.js';

export interface TrainingEstimate {
  gpuModel: string;
  precision: Precision;
  /** Dense peak TFLOP/s per GPU at that precision. */
  tflops: number;
  gpuCount: number;
  hours: number;
  utilization: number;
  /** GPUs × dense peak ops/s × utilization × hours × 3600. */
  ops: number;
  /** "H100-SXM 989 TFLOP/s BF16 dense × 50,000 GPUs × 2,000 h × utilization 1.0" */
  readonly formula: string;
}

export interface ClusterEstimate {
  gpuModel: string;
  precision: Precision;
  tflops: number;
  gpuCount: number;
  /** GPUs × theoretical maximum dense ops/s. */
  opsPerSecond: number;
  readonly formula: string;
}

/**
 * The estimates are class instances, `formula` a getter on the prototype, built when read: most screenings raise no
 * compute reason and never print it. (An object literal with a getter closing over the call's values is built in V8's
 * dictionary mode, a property hash table per object: ~0.6 KB of old-generation growth per screening, measured.)
 */
class Training implements TrainingEstimate {
  readonly ops: number;
  constructor(
    readonly gpuModel: string,
    readonly precision: Precision,
    readonly tflops: number,
    readonly gpuCount: number,
    readonly hours: number,
    readonly utilization: number,
    opsPerSecond: number,
  ) {
    this.ops = gpuCount * opsPerSecond * utilization * hours * 3600;
  }

  get formula(): string {
    return `${this.gpuModel} ${grouped(this.tflops)} TFLOP/s ${this.precision} dense × ${grouped(this.gpuCount)} GPUs × ${grouped(this.hours)} h × utilization ${this.utilization.toFixed(1)}`;
  }
}

class Cluster implements ClusterEstimate {
  readonly opsPerSecond: number;
  constructor(
    readonly gpuModel: string,
    readonly precision: Precision,
    readonly tflops: number,
    readonly gpuCount: number,
    perGpuOpsPerSecond: number,
  ) {
    this.opsPerSecond = gpuCount * perGpuOpsPerSecond;
  }

  get formula(): string {
    return `${this.gpuModel} ${grouped(this.tflops)} TFLOP/s ${this.precision} dense peak × ${grouped(this.gpuCount)} GPUs = ${sci(this.opsPerSecond)} ops/s`;
  }
}

/** Estimated training operations of a request. Throws KYC_ERR_UNKNOWN_GPU for a model not in the catalog. */
export function estimateTraining(request: ComputeRequest, pack: PolicyPack, rules: RuleData): TrainingEstimate {
  const gpu = resolveGpu(rules.gpus, request.gpuModel);
  const rate = trainingRate(gpu, pack.training.precisions);
  return new Training(gpu.key, rate.precision, rate.tflops, request.gpuCount, request.hours, pack.training.utilization, rate.opsPerSecond);
}

/** The requested cluster's theoretical peak rate (dense, best precision). Throws KYC_ERR_UNKNOWN_GPU. */
export function estimateCluster(request: ComputeRequest, rules: RuleData): ClusterEstimate {
  const gpu = resolveGpu(rules.gpus, request.gpuModel);
  const rate = peakRate(gpu);
  return new Cluster(gpu.key, rate.precision, rate.tflops, request.gpuCount, rate.opsPerSecond);
}
