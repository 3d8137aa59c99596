// One reconcile of a PVC often does several things at once (create its job, label its volume, drop
// an old job): that is one story, told in one Normal Event on the object, under the first action's
// reason, the messages in order. Adopting 5,000 PVCs then writes 5,000 Events, not 10,000.
// Warnings stay one per problem: each says what to fix.

import type { EventSpec } from '../decide/actions.ts';

export function asOneStory(events: readonly EventSpec[]): EventSpec[] {
  const told: EventSpec[] = [];
  const stories = new Map<string, number>();
  for (const event of events) {
    const { involvedObject: object } = event;
    const key = `${object.uid ?? ''}\n${object.kind}\n${object.namespace}\n${object.name}`;
    const at = event.type === 'Normal' ? stories.get(key) : undefined;
    const story = at === undefined ? undefined : told[at];
    if (at !== undefined && story !== undefined) {
      told[at] = { ...story, message: `${story.message}; ${event.message}` };
    } else {
      if (event.type === 'Normal') stories.set(key, told.length);
      told.push(event);
    }
  }
  return told;
}
