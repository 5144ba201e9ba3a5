import { CallError } from '../calls/CallError.js';

const maxNameLength = 64;

/** The signaling room of a media room: its members get each other's join and leave events. */
export function signalingRoom(roomName: string): string {
  return `room:${roomName}`;
}

/** A room or display name, trimmed; 1 to 64 characters, else a rejection that says so. */
export function checkName(what: 'room' | 'name', value: string): string {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > maxNameLength) {
    throw new CallError(
      'INVALID_ARGUMENT',
      `The ${what} must have 1 to ${maxNameLength} characters.`,
    );
  }
  return trimmed;
}
