// Public entry of `esgen`: the generator API (load → validate → IR → emit → write).
export type * from './ir/types.js';

// Loading and validation (issue 2).
export type { ResolvedConfig } from './config/types.js';
export { configDefaults, configFileName } from './config/types.js';
export { loadConfig, type ConfigResult } from './config/load-config.js';
export type { Diagnostic } from './diagnostics/types.js';
export { diagnosticCodes, type DiagnosticCode } from './diagnostics/diagnostic-codes.js';
export { formatDiagnostics, diagnosticsToGithub, diagnosticsToJson, sortDiagnostics, type FormatOptions } from './diagnostics/format-diagnostics.js';
export { loadProject, loadSpecFiles, type LoadResult, type LoadProjectOptions } from './load/load-project.js';
export { loadDomainFromSources, type DomainResult } from './load/load-domain.js';
export { createSpecCache, type SpecCache } from './load/spec-cache.js';
export { formatType, parseTypeExpression } from './ir/parse-expressions.js';

// Code generation: emit → write, and the build / check / watch orchestration (issue 3).
export { buildProject, checkProject, createBuildSession, type BuildOptions, type BuildResult, type BuildSession, type CheckResult, type InvalidSpecs, type LockSummary } from './pipeline/build-session.js';

// Schema evolution: esgen.lock and the breaking-change rules (issue 13).
export { lockFileName } from './lock/lock-file.js';
export type { LockOptions } from './lock/evaluate-lock.js';
export { watchProject, type ProjectWatcher, type WatchOptions } from './pipeline/watch-project.js';
export { createCodegenSession, type CodegenSession, type CodegenSessionOptions, type CodegenTarget, type RenderStats } from './pipeline/codegen-session.js';
export { formatDrift, formatWatchLine, formatWriteSummary, type ReportOptions } from './pipeline/build-report.js';
export { hasDrift, type OutputDrift } from './write/compare-output.js';
export type { WriteSummary } from './write/write-output.js';
export type { RenderedOutput } from './write/render-output.js';
export { prettierOptions } from './write/format-source.js';
