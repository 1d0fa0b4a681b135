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
  formula: string;
}

export interface ClusterEstimate {
  gpuModel: string;
  precision: Precision;
  tflops: number;
  gpuCount: number;
  /** GPUs × theoretical maximum dense ops/s. */
  opsPerSecond: number;
  formula: string;
}

/** Estimated training operations of a request. Throws KYC_ERR_UNKNOWN_GPU for a model not in the catalog. */
export function estimateTraining(request: ComputeRequest, pack: PolicyPack, rules: RuleData): TrainingEstimate {
  const gpu = resolveGpu(rules.gpus, request.gpuModel);
  const rate = trainingRate(gpu, pack.training.precisions);
  const utilization = pack.training.utilization;
  const ops = request.gpuCount * rate.opsPerSecond * utilization * request.hours * 3600;
  return {
    gpuModel: gpu.key,
    precision: rate.precision,
    tflops: rate.tflops,
    gpuCount: request.gpuCount,
    hours: request.hours,
    utilization,
    ops,
    // built when read: most screenings raise no compute reason and never print it
    get formula() {
      return `${gpu.key} ${grouped(rate.tflops)} TFLOP/s ${rate.precision} dense × ${grouped(request.gpuCount)} GPUs × ${grouped(request.hours)} h × utilization ${utilization.toFixed(1)}`;
    },
  };
}

/** The requested cluster's theoretical peak rate (dense, best precision). Throws KYC_ERR_UNKNOWN_GPU. */
export function estimateCluster(request: ComputeRequest, rules: RuleData): ClusterEstimate {
  const gpu = resolveGpu(rules.gpus, request.gpuModel);
  const rate = peakRate(gpu);
  const opsPerSecond = request.gpuCount * rate.opsPerSecond;
  return {
    gpuModel: gpu.key,
    precision: rate.precision,
    tflops: rate.tflops,
    gpuCount: request.gpuCount,
    opsPerSecond,
    get formula() {
      return `${gpu.key} ${grouped(rate.tflops)} TFLOP/s ${rate.precision} dense peak × ${grouped(request.gpuCount)} GPUs = ${sci(opsPerSecond)} ops/s`;
    },
  };
}
