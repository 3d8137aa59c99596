// One reconcile of a PVC often writes several things at once (create its job and label its volume;
// on a rename, create the new job, move the volume label and delete the old job): that is one
// story, told in one Normal Event on the object, the messages in the order of the writes, under
// its most telling reason. Adopting 5,000 bound PVCs then writes 5,000 Events, not 10,000.
// Only the Events of writes to the PVC's job and volume association are joined: an Event that
// belongs to no write (waiting for the volume, a violation) keeps its own name, so the next
// reconcile that says it alone finds it recorded, and the archive workflow's steps (Snapshot,
// Backup, ready) keep their own reasons, which people and alerts look for.

import type { EventSpec } from '../model/actions.ts';
import { EVENT_REASONS } from '../model/event-reasons.ts';

/** The reasons of the job story, the most telling first: the story is told under the first it contains. */
const STORY_REASONS: readonly string[] = [
  EVENT_REASONS.jobRenamed,
  EVENT_REASONS.jobAdopted,
  EVENT_REASONS.jobCreated,
  EVENT_REASONS.disabled,
  EVENT_REASONS.jobUpdated,
  EVENT_REASONS.volumeLabelled,
];

function objectKey(event: EventSpec): string {
  const { uid, kind, namespace, name } = event.involvedObject;
  return `${uid ?? ''}\n${kind}\n${namespace}\n${name}`;
}

/** The job-story Events of a reconcile's writes joined per object; the others as they are, in order. */
export function asOneStory(writes: readonly EventSpec[]): EventSpec[] {
  const told: EventSpec[] = [];
  const stories = new Map<string, { at: number; reasons: string[] }>();
  for (const event of writes) {
    const joins = event.type === 'Normal' && STORY_REASONS.includes(event.reason);
    const story = joins ? stories.get(objectKey(event)) : undefined;
    const first = story === undefined ? undefined : told[story.at];
    if (story === undefined || first === undefined) {
      if (joins) stories.set(objectKey(event), { at: told.length, reasons: [event.reason] });
      told.push(event);
      continue;
    }
    story.reasons.push(event.reason);
    const reason = STORY_REASONS.find((telling) => story.reasons.includes(telling)) ?? first.reason;
    told[story.at] = { ...first, reason, message: `${first.message}; ${event.message}` };
  }
  return told;
}
