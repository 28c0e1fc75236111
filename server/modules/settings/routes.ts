import type { FastifyInstance } from 'fastify';
import type { Ctx } from '../../context.ts';
import { authorize } from '../../policies/index.ts';
import { Invalid } from '../../shared/errors.ts';
import { obj } from '../../shared/schema.ts';
import { recordAudit } from '../audit/record.ts';
import type { SiteSettings } from './store.ts';

const DOMAIN = /^(?=.{3,253}$)([a-z0-9-]+\.)+[a-z]{2,}$/;

export function updateSettings(ctx: Ctx, patch: Partial<SiteSettings>): SiteSettings {
  authorize(ctx.actor, 'settings.manage');
  const clean: Partial<SiteSettings> = { ...patch };
  if (patch.knownAgencyDomains) {
    const domains = [...new Set(patch.knownAgencyDomains.map((d) => d.trim().toLowerCase().replace(/^@/, '')).filter(Boolean))];
    const bad = domains.filter((d) => !DOMAIN.test(d));
    if (bad.length)
      throw new Invalid(`Not a domain name: ${bad.join(', ')}.`, {
        knownAgencyDomains: 'One domain per line, like hpd.houstontx.gov.'
      });
    clean.knownAgencyDomains = domains;
  }
  const before = ctx.settings.get();
  ctx.db.transaction((tx) => {
    ctx.settings.write(tx, clean, ctx.clock.now());
    recordAudit(tx, ctx, {
      action: 'settings.changed',
      targetType: 'settings',
      detail: { before, after: { ...before, ...clean } }
    });
  });
  return ctx.settings.get();
}

export async function settingsRoutes(app: FastifyInstance) {
  app.get('/admin/settings', { config: { access: 'settings.manage' } }, async (request) => ({
    settings: request.ctx().settings.get()
  }));
  app.patch(
    '/admin/settings',
    {
      config: { access: 'settings.manage' },
      schema: {
        body: obj(
          {
            requireMfaForAll: { type: 'boolean' },
            knownAgencyDomains: { type: 'array', maxItems: 500, items: { type: 'string', maxLength: 253 } }
          },
          []
        )
      }
    },
    async (request) => ({ settings: updateSettings(request.ctx(), request.body as Partial<SiteSettings>) })
  );
}
