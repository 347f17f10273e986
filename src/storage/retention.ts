/** Deletion records of events and streams are kept, and listed, for 365 days (§6.5, §10). */
export const DELETION_RETENTION_SECONDS = 365 * 86_400;
