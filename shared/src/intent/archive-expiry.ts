import type { ArchiveRequest } from './backup-intent.ts';

/** Expired once the whole `deleteAfter` day (UTC) has passed. */
export function isArchiveExpired(archive: ArchiveRequest, now: Date): boolean {
  const [year = 0, month = 1, day = 1] = archive.deleteAfter.split('-').map(Number);
  const firstMomentAfter = new Date(0);
  firstMomentAfter.setUTCFullYear(year, month - 1, day + 1);
  return now.getTime() >= firstMomentAfter.getTime();
}
