/** Username rules (§10): 5–60 characters, lowercase letters, digits and inner dashes, and not reserved. */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9-]{3,58}[a-z0-9]$/;

export const RESERVED_USERNAMES = new Set([
  'access', 'admin', 'assets', 'event-types', 'oauth2', 'register', 'service', 'system', 'users', 'notifications',
]);

export const isValidUsername = (name: string): boolean => USERNAME_PATTERN.test(name) && !RESERVED_USERNAMES.has(name);
