/**
 * The dashboard: serves the built web/dist at `/` with SPA fallback, or a page saying how to build it.
 *
 * Invariants: paths under /api never fall back to the SPA (an unknown API route is a JSON 404 SW_NOT_FOUND);
 * the fallback answers only GET/HEAD; the folder is looked up once at start (restart after building).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { notFoundBody } from '../errors.js';
import { PACKAGE_ROOT } from '../package-info.js';

/** web/dist of this package, wherever it is installed. */
export const DEFAULT_WEB_ROOT = join(PACKAGE_ROOT, 'web', 'dist');

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Stormwatch</title>
<h1>Stormwatch</h1><p>The API is running under <a href="/api/v1/health">/api/v1/health</a>, but the dashboard
is not built. Run <code>npm run build</code> (or <code>npx vite build web</code>) in the package folder, then restart.</p>\n`;

export async function webRoutes(app: FastifyInstance, webRoot: string | null): Promise<void> {
  const built = webRoot !== null && existsSync(join(webRoot, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, {
      root: webRoot,
      prefix: '/',
      index: 'index.html',
      dotfiles: 'ignore',
    });
  } else {
    app.get('/', (_request, reply) => reply.type('text/html; charset=utf-8').send(NOT_BUILT));
  }

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const api = path === '/api' || path.startsWith('/api/');
    if (built && !api && (request.method === 'GET' || request.method === 'HEAD')) {
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    }
    return reply.status(404).type('application/json').send(notFoundBody(request.method, request.url));
  });
}
