/** Freezes a plain object tree in place (type it with readonly fields to match). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    // for-in, not Object.values: no array per object (every watch event's object is frozen). Plain
    // JSON trees and arrays: own keys only.
    for (const key in value) deepFreeze(value[key]);
  }
  return value;
}
