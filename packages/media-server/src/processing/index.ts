export { CompositeMixer, type CompositeSettings } from './CompositeMixer.js';
export { CompositePortNode } from './CompositePortNode.js';
export { canDecode, canEncode } from './codecElements.js';
export { FilterNode, type FilterNodeOptions } from './FilterNode.js';
export { DEFAULT_FILTER_ELEMENTS } from './filterAllowList.js';
export { GstStageProcess, STAGE_SCRIPT } from './GstStageProcess.js';
export { type GridCell, gridLayout } from './gridLayout.js';
export { rewriteDeprecatedProperties } from './legacyProperties.js';
export { ProcessingError, type ProcessingErrorCode } from './ProcessingError.js';
export {
  ProcessingPlane,
  type ProcessingSettings,
  type TranscodingMode,
} from './ProcessingPlane.js';
export {
  type CommandCheck,
  type FacePlacement,
  type FramePlacement,
  ProcessingStage,
  type StageStream,
} from './ProcessingStage.js';
export { Transcoder } from './Transcoder.js';
export { TranscoderRegistry } from './TranscoderRegistry.js';
export { type VisionAnalyser, visionCommand } from './visionCommand.js';
