/**
 * The web pages, served by the service itself: the self-service page at `/` and the review console
 * at `/admin`, from the bundle `npm run build` writes (web/ → dist/web). The pages call the same
 * `/v1` API as any client, with a bearer token; nothing here reads data.
 *
 * Hashed assets (`/assets/*`) are cached for a year; the two HTML pages are revalidated on every
 * load, so a new build is picked up at once. Without a built bundle, both pages say how to build it
 * (503) instead of a bare 404.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** The pages and the file of each in the bundle. */
export const WEB_PAGES = { '/': 'index.html', '/admin': 'admin.html' } as const;

export interface WebOptions {
  /** The built bundle (dist/web): its HTML pages and `assets/`. */
  root: string;
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Realname</title></head>
<body><main><h1>The web pages are not built</h1><p>Run <code>npm run build</code> (it builds the server and the web bundle), then reload.</p>
<p lang="zh-CN">网页尚未构建：请运行 <code>npm run build</code> 后刷新。</p></main></body></html>`;

function sendHtml(reply: FastifyReply, html: string, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-cache')
    .send(html);
}

/**
 * @example await webRoutes(server, { root: fileURLToPath(new URL('../dist/web', import.meta.url)) });
 */
export async function webRoutes(app: FastifyInstance, opts: WebOptions): Promise<void> {
  const built = existsSync(join(opts.root, 'index.html')) && existsSync(join(opts.root, 'admin.html'));
  for (const [path, file] of Object.entries(WEB_PAGES)) {
    // Read once: the bundle does not change under a running process (a rebuild comes with a restart).
    const html = built ? readFileSync(join(opts.root, file), 'utf8') : null;
    app.get(path, { schema: { hide: true } }, (_req, reply) =>
      html === null ? sendHtml(reply, NOT_BUILT, 503) : sendHtml(reply, html),
    );
  }
  if (!built) return;
  await app.register(fastifyStatic, {
    root: join(opts.root, 'assets'),
    prefix: '/assets/',
    // Swagger UI registers its own instance; this one must not decorate the reply a second time.
    decorateReply: false,
    // File names carry their content hash (Vite): a year, never revalidated.
    immutable: true,
    maxAge: '365d',
    index: false,
    list: false,
  });
}
