// rootgrad's public API (the browser entry; src/node.ts adds Node's WebGPU provider on top): the core
// (src/core.ts: tensors, autograd, ops, modules, optimisers, I/O) and, on top of it, compiled steps, the tools
// that check gradients and audit, the training loop and experiments, plots, data sets and the model zoo.
export * from './core.js';

// Compiled steps: record once, replay with almost no host cost.
export { compile, type CompileOptions, type CompiledFunction, type CompileStats, type CompiledResult } from './compile.js';

// Checking and auditing.
export { gradcheck, gradgradcheck, checkForward, type GradgradcheckOptions, type GradgradcheckReport, type ForwardCheckReport, checkValue, coordsOf, FULL_CHECK_LIMIT, F32_ROUNDOFF, type GradcheckOptions, type GradcheckReport, type InputReport, type ValueReport, type ElementCheck, type Tolerance } from './gradcheck.js';
export { runAudit, modelCases, auditNames } from '../models/audit.js'; // with the whole-model rows
export { primitiveCases, auditMarkdown, auditHtml, AUDIT_CRITERION, AUDIT_TOLERANCE, type AuditRow, type AuditCase, type AuditCaseDetail, type AuditOptions } from './audit.js';
export { auditModule, moduleAuditText, moduleAuditMarkdown, moduleAuditHtml, type ModuleAudit, type ModuleAuditRow, type ModuleAuditOptions } from './audit-module.js';
export { autotune, localStorageStore, type TuneStore, type TuneResult } from './autotune.js';

// Data sets, the training loop, experiments, plots, language models, the model zoo.
export { parseCsv, trainTestSplit, fitStandardizer, standardize, batchIndices, gatherRows, subset, type Dataset, type Standardizer } from './data/dataset.js';
export { loadModel, type LoadedModel } from '../models/load.js';
export { datasetFromBytes } from './data/bytes.js';
export { trainClassifier, evaluate, lossFor, makeOptimizer, defaultTrainConfig, type TrainConfig, type EpochLog, type LossName } from './train.js';
export { curvesSvg, confusionSvg, lineChart, chartsSvg, niceTicks, type ChartOptions, type Series } from './plot.js';
export { runExperiment, summarize, summaryTable, bandSvg, type ExperimentRun, type ExperimentSpec, type ArmSummary } from './experiment.js';
export { trainLM, lmSplit, lmEvaluate, evaluationWindows, minTextLength, lmDefaults, lmOptimizer, lmCheckpointBytes, lmCheckpointFrom, buildCorpus, encode, decode, reverseTask, LM_VAL_FRACTION, type LmConfig, type LmLog, type LmMetrics, type LmSplit, type LmCheckpoint, type LmHooks, type LmResult, type Corpus } from './lm.js';
export { runLmExperiment, summarizeLm, lmSummaryTable, lmBandSvg, lmCurvesSvg, type LmExperimentRun, type LmExperimentSpec, type LmArmSummary, type LmMetric } from './lm-experiment.js';
export { classifierSpecs, classifierSpec, checkModelConfig, mlpDefaults, vitDefaults, lenetDefaults, lenetSmallDefaults, resnetDefaults, gptDefaults, checkGpt, inferGpt, type ModelSpec, type ModelOptions, type DataShape, type Shapes, type Inferred, type MlpConfig, type LogisticConfig } from '../models/index.js';
export { buildModel, MLPClassifier, LogisticRegression, ViT, GPT, LeNet, ResNet, type ModelConfig, type Classifier, type GptConfig, type VitConfig, type LenetConfig, type ResnetConfig } from '../models/index.js';
export { sample } from '../models/gpt.js';
