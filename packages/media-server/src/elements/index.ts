import { MediaObjectType } from '../objects/MediaObject.js';
import type { ObjectType } from '../objects/ObjectType.js';
import { ServerManagerType } from '../objects/ServerManager.js';
import { BaseRtpEndpointType } from './BaseRtpEndpoint.js';
import { ChromaFilterType } from './ChromaFilter.js';
import { CompositeType } from './Composite.js';
import { CrowdDetectorFilterType } from './CrowdDetectorFilter.js';
import { DispatcherType } from './Dispatcher.js';
import { DispatcherOneToManyType } from './DispatcherOneToMany.js';
import { EndpointType } from './Endpoint.js';
import { FaceOverlayFilterType } from './FaceOverlayFilter.js';
import { FilterType } from './Filter.js';
import { GStreamerFilterType } from './GStreamerFilter.js';
import { HttpEndpointType } from './HttpEndpoint.js';
import { HttpPostEndpointType } from './HttpPostEndpoint.js';
import { HubType } from './Hub.js';
import { HubPortType } from './HubPort.js';
import { ImageOverlayFilterType } from './ImageOverlayFilter.js';
import { MediaElementType } from './MediaElement.js';
import { MediaPipelineType } from './MediaPipeline.js';
import { PassThroughType } from './PassThrough.js';
import { PlateDetectorFilterType } from './PlateDetectorFilter.js';
import { PlayerEndpointType } from './PlayerEndpoint.js';
import { PointerDetectorFilterType } from './PointerDetectorFilter.js';
import { RecorderEndpointType } from './RecorderEndpoint.js';
import { RtpEndpointType } from './RtpEndpoint.js';
import { SdpEndpointType } from './SdpEndpoint.js';
import { SessionEndpointType } from './SessionEndpoint.js';
import { UriEndpointType } from './UriEndpoint.js';
import { WebRtcEndpointType } from './WebRtcEndpoint.js';
import { ZBarFilterType } from './ZBarFilter.js';

export { BaseRtpEndpoint, BaseRtpEndpointType } from './BaseRtpEndpoint.js';
export { ChromaFilter, ChromaFilterType } from './ChromaFilter.js';
export { Composite, CompositeType } from './Composite.js';
export {
  CrowdDetectorFilter,
  CrowdDetectorFilterType,
  type CrowdRegion,
  RegionOfInterest,
  RegionOfInterestConfig,
  RelativePoint,
} from './CrowdDetectorFilter.js';
export { Dispatcher, DispatcherType } from './Dispatcher.js';
export { DispatcherOneToMany, DispatcherOneToManyType } from './DispatcherOneToMany.js';
export { EndpointType } from './Endpoint.js';
export { FaceOverlayFilter, FaceOverlayFilterType } from './FaceOverlayFilter.js';
export { FilterType } from './Filter.js';
export { FilterTypeValue, GStreamerFilter, GStreamerFilterType } from './GStreamerFilter.js';
export { type HttpEndpointElement, HttpEndpointType } from './HttpEndpoint.js';
export {
  HttpPostEndpoint,
  type HttpPostEndpointOptions,
  HttpPostEndpointType,
} from './HttpPostEndpoint.js';
export { Hub, HubType } from './Hub.js';
export { HubPort, HubPortType } from './HubPort.js';
export { ImageOverlayFilter, ImageOverlayFilterType } from './ImageOverlayFilter.js';
export { MediaElement, MediaElementType, type StatsReport } from './MediaElement.js';
export { MediaPipeline, MediaPipelineType } from './MediaPipeline.js';
export { PassThrough, PassThroughType } from './PassThrough.js';
export { PlateDetectorFilter, PlateDetectorFilterType } from './PlateDetectorFilter.js';
export { PlayerEndpoint, PlayerEndpointType, type VideoInfo } from './PlayerEndpoint.js';
export {
  PointerDetectorFilter,
  PointerDetectorFilterType,
  PointerDetectorWindowMediaParam,
  type PointerWindow,
} from './PointerDetectorFilter.js';
export {
  MediaProfileSpecType,
  RecorderEndpoint,
  type RecorderEndpointOptions,
  RecorderEndpointType,
} from './RecorderEndpoint.js';
export {
  CryptoSuite,
  RtpEndpoint,
  type RtpEndpointOptions,
  RtpEndpointType,
  SDES,
  type SdesValue,
} from './RtpEndpoint.js';
export { SdpEndpoint, SdpEndpointType } from './SdpEndpoint.js';
export { SessionEndpointType } from './SessionEndpoint.js';
export { UriEndpoint, UriEndpointType } from './UriEndpoint.js';
export { IceCandidate, WebRtcEndpoint, WebRtcEndpointType } from './WebRtcEndpoint.js';
export { ZBarFilter, ZBarFilterType } from './ZBarFilter.js';

/** Every type the server knows, abstract ones included (for describe's hierarchy and getKmd). */
export const builtinTypes: readonly ObjectType[] = [
  MediaObjectType,
  ServerManagerType,
  MediaPipelineType,
  MediaElementType,
  EndpointType,
  SessionEndpointType,
  SdpEndpointType,
  BaseRtpEndpointType,
  PassThroughType,
  WebRtcEndpointType,
  RtpEndpointType,
  UriEndpointType,
  RecorderEndpointType,
  PlayerEndpointType,
  HttpEndpointType,
  HttpPostEndpointType,
  HubType,
  HubPortType,
  DispatcherOneToManyType,
  DispatcherType,
  CompositeType,
  FilterType,
  GStreamerFilterType,
  FaceOverlayFilterType,
  ImageOverlayFilterType,
  ZBarFilterType,
  ChromaFilterType,
  PointerDetectorFilterType,
  CrowdDetectorFilterType,
  PlateDetectorFilterType,
];
