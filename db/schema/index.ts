export * from './taskForces.ts';
export * from './members.ts';
export * from './membership.ts';
export * from './auth.ts';
export * from './system.ts';
export * from './discussions.ts';
export * from './notifications.ts';
export * from './resources.ts';
