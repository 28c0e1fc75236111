import type { FastifyInstance } from 'fastify';
import type { EmailPreference } from '../../../db/schema/index.ts';
import { idParam, noBody } from '../../shared/schema.ts';
import type { NotificationKind } from './kinds.ts';
import * as s from './schemas.ts';
import {
  getPreferences,
  getUnreadCount,
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
  setPreferences
} from './service.ts';

const use = { access: 'notifications.use' } as const;

/** The member's own notifications and e-mail preferences. Live delivery is the socket's (server/realtime). */
export async function notificationRoutes(app: FastifyInstance) {
  app.get('/notifications', { config: use, schema: { querystring: s.listQuery } }, async (request) =>
    listNotifications(request.ctx(), request.query as { before?: number; limit?: number; unread?: boolean })
  );
  app.get('/notifications/unread-count', { config: use }, async (request) => getUnreadCount(request.ctx()));
  app.post('/notifications/:id/read', { config: use, schema: { params: idParam, body: noBody } }, async (request) =>
    markNotificationRead(request.ctx(), (request.params as { id: number }).id)
  );
  app.post('/notifications/read-all', { config: use, schema: { body: s.readAllBody } }, async (request) =>
    markAllNotificationsRead(request.ctx(), (request.body as { upTo?: number }).upTo)
  );
  app.get('/notifications/preferences', { config: use }, async (request) => getPreferences(request.ctx()));
  app.put('/notifications/preferences', { config: use, schema: { body: s.preferencesBody } }, async (request) =>
    setPreferences(
      request.ctx(),
      (request.body as { preferences: Partial<Record<NotificationKind, EmailPreference>> }).preferences
    )
  );
}
