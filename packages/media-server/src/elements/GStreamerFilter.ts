import { InvalidParamError, KurentoError } from '../errors.js';
import type { ObjectInit } from '../objects/MediaObject.js';
import { defineType, typeMembers } from '../objects/ObjectType.js';
import * as t from '../objects/valueTypes.js';
import {
  FilterNode,
  ProcessingError,
  type ProcessingStage,
  rewriteDeprecatedProperties,
} from '../processing/index.js';
import { FilterType } from './Filter.js';
import type { MediaPipeline } from './MediaPipeline.js';
import { StageFilter } from './StageFilter.js';

/** Kurento's FilterType: which media the command filters; AUTODETECT asks GStreamer. */
export const FilterTypeValue = t.enumeration('FilterType', ['AUDIO', 'AUTODETECT', 'VIDEO']);
type FilterTypeName = 'AUDIO' | 'AUTODETECT' | 'VIDEO';

/** Longest command accepted: a gst-launch fragment, not a program. */
const MAX_COMMAND_LENGTH = 4096;

/**
 * Kurento's GStreamerFilter: the media of one type goes through a gst-launch fragment
 * (`videoflip method=horizontal-flip`, `audioecho delay=50000000`), the other passes through.
 * The fragment runs in its own GStreamer process and may only use the element factories of the
 * server's allow-list: it is checked by GStreamer's own parser before anything starts, and a
 * command naming any other element is refused with the element's name.
 */
export class GStreamerFilter extends StageFilter {
  /**
   * The gst-launch fragment as the client gave it. Unlike Kurento's single element, it may be a
   * chain (`a ! b`). Kurento's `videoflip method=...` runs as `video-direction=...`, which
   * GStreamer 1.22 honours.
   */
  readonly command: string;

  private constructor(
    init: ObjectInit,
    pipeline: MediaPipeline,
    command: string,
    node: FilterNode,
  ) {
    super(init, pipeline, node);
    this.command = command;
  }

  /** Starts the filter's GStreamer process and checks the command in it. */
  static async create(
    init: ObjectInit,
    pipeline: MediaPipeline,
    command: string,
    filterType: FilterTypeName,
  ): Promise<GStreamerFilter> {
    checkCommandText(command);
    const processing = init.context.processing;
    const stage = await processing.launchStage(`GStreamerFilter '${command.slice(0, 60)}'`);
    try {
      const runnable = rewriteDeprecatedProperties(command);
      const allowed = processing.settings.allowedFilterElements;
      const mediaType = await checkCommand(stage, runnable, filterType, allowed);
      const logger = init.context.logger;
      const node = new FilterNode({ command: runnable, mediaType, stage, logger });
      return new GStreamerFilter(init, pipeline, command, node);
    } catch (error) {
      await processing.closeStage(stage);
      throw error;
    }
  }

  /** Sets a property of the command's element (the first one that has it), while media flows. */
  async setElementProperty(propertyName: string, propertyValue: string): Promise<void> {
    await this.#propertyCall(propertyName, () =>
      this.stage.setProperty(this.#commandElements(), propertyName, propertyValue),
    );
  }

  /**
   * Reads a property of the command's element (the first one that has it), as a string (other
   * values as JSON). Medley's addition: Kurento's GStreamerFilter can only set properties.
   * Throws, as {@link setElementProperty} does, MEDIA_OBJECT_NOT_AVAILABLE (40108) before media
   * first reaches the filter (its pipeline starts then) and MEDIA_OBJECT_ILLEGAL_PARAM_ERROR
   * (40107) when no element has the property.
   */
  async getElementProperty(propertyName: string): Promise<string> {
    const value = await this.#propertyCall(propertyName, () =>
      this.stage.getProperty(this.#commandElements(), propertyName),
    );
    return typeof value === 'string' ? value : JSON.stringify(value);
  }

  #commandElements(): string[] {
    return this.filterNode.commandElements();
  }

  async #propertyCall(propertyName: string, call: () => Promise<unknown>): Promise<unknown> {
    if (this.#commandElements().length === 0) {
      throw new KurentoError(
        'MEDIA_OBJECT_NOT_AVAILABLE',
        `The filter's GStreamer pipeline starts with the first media that reaches it; connect a source and retry '${propertyName}'.`,
      );
    }
    try {
      return await call();
    } catch (error) {
      throw propertyError(error, propertyName, this.command);
    }
  }
}

function checkCommandText(command: string): void {
  if (command.trim() === '')
    throw new InvalidParamError(
      "'command' is empty: give a GStreamer element, e.g. 'videoflip method=horizontal-flip'",
    );
  if (command.length > MAX_COMMAND_LENGTH)
    throw new InvalidParamError(`'command' is longer than ${MAX_COMMAND_LENGTH} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(command))
    throw new InvalidParamError("'command' contains control characters");
}

/** Asks GStreamer what the command is; refuses what the allow-list does not name. */
async function checkCommand(
  stage: ProcessingStage,
  command: string,
  filterType: FilterTypeName,
  allowed: readonly string[],
): Promise<'AUDIO' | 'VIDEO'> {
  let check: Awaited<ReturnType<ProcessingStage['check']>>;
  try {
    check = await stage.check(command, allowed);
  } catch (error) {
    if (error instanceof ProcessingError && error.code === 'STAGE_REFUSED') {
      switch (error.stageCode) {
        case 'ELEMENT_NOT_ALLOWED':
          throw new InvalidParamError(
            `'command' uses the GStreamer element '${error.message}', which this server does not allow in filters (it could read or write files, open sockets or run programs, or is not on the allow-list). Allowed: see the media server README; an operator adds factories with --filter-allow.`,
          );
        case 'RESERVED_NAME':
          throw new InvalidParamError(
            `'command' names an element '${error.message}': names starting with 'medley_' are the server's`,
          );
        default:
          throw new InvalidParamError(
            `'command' is not a GStreamer pipeline fragment: ${error.message}`,
          );
      }
    }
    throw error;
  }
  const kind =
    filterType === 'AUTODETECT' ? autodetect(check.sinkKind, check.sourceKind) : filterType;
  if (kind === undefined) {
    throw new InvalidParamError(
      `'command' takes ${check.sinkKind} and gives ${check.sourceKind}: a filter must take and give raw audio or raw video; set filterType AUDIO or VIDEO`,
    );
  }
  return kind;
}

function autodetect(sinkKind: string, sourceKind: string): 'AUDIO' | 'VIDEO' | undefined {
  const kinds = new Set([sinkKind, sourceKind].filter((kind) => kind !== 'any'));
  if (kinds.size === 0) return 'VIDEO';
  if (kinds.size > 1) return undefined;
  const [kind] = kinds;
  return kind === 'audio' ? 'AUDIO' : kind === 'video' ? 'VIDEO' : undefined;
}

function propertyError(error: unknown, propertyName: string, command: string): unknown {
  if (!(error instanceof ProcessingError) || error.code !== 'STAGE_REFUSED') return error;
  switch (error.stageCode) {
    case 'NO_SUCH_PROPERTY':
      return new InvalidParamError(`No element of '${command}' has a property '${propertyName}'`);
    case 'BAD_PROPERTY_VALUE':
      return new InvalidParamError(
        `'${propertyName}' does not take that value (GStreamer refused it)`,
      );
    case 'PROPERTY_NOT_WRITABLE':
      return new InvalidParamError(`'${propertyName}' is read-only`);
    default:
      return new KurentoError('MEDIA_OBJECT_NOT_AVAILABLE', error.message);
  }
}

const { method, property } = typeMembers<GStreamerFilter>();

/**
 * The type table of GStreamerFilter: constructor params `command` and `filterType` (default
 * AUTODETECT), set/getElementProperty and the read-only `command` property.
 */
export const GStreamerFilterType = defineType({
  name: 'GStreamerFilter',
  module: 'filters',
  extends: FilterType,
  constructorParams: {
    mediaPipeline: t.mediaObject<MediaPipeline>('MediaPipeline'),
    command: t.string,
    filterType: t.optional(FilterTypeValue, 'AUTODETECT'),
  },
  create: ({ mediaPipeline, command, filterType }, init) =>
    GStreamerFilter.create(init, mediaPipeline, command, filterType),
  methods: {
    setElementProperty: method(
      { propertyName: t.string, propertyValue: t.string },
      (filter, { propertyName, propertyValue }) =>
        filter.setElementProperty(propertyName, propertyValue),
    ),
    getElementProperty: method(
      { propertyName: t.string },
      (filter, { propertyName }) => filter.getElementProperty(propertyName),
      'String',
    ),
  },
  properties: {
    command: property(t.string, { get: (filter) => filter.command }),
  },
});
