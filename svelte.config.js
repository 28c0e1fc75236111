import adapter from '@sveltejs/adapter-node';

/** @type {import('@sveltejs/kit').Config} */
export default {
  kit: {
    // WEB_BUILD_DIR / SVELTEKIT_OUT_DIR: a second build beside the usual one (server/web.ts reads the first).
    adapter: adapter({ out: process.env.WEB_BUILD_DIR ?? 'web/build' }),
    files: { src: 'web/src', assets: 'web/static' },
    outDir: process.env.SVELTEKIT_OUT_DIR ?? 'web/.svelte-kit',
    csp: {
      mode: 'auto',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        // SvelteKit's route announcer has one fixed inline style attribute; allow exactly that one by hash.
        'style-src': ['self', 'unsafe-hashes', 'sha256-S8qMpvofolR8Mpjy4kQvEm7m1q8clzU4dfDH0AmvZjo='],
        'img-src': ['self', 'data:'],
        'font-src': ['self'],
        'connect-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['none'],
        'form-action': ['self'],
        'frame-ancestors': ['none']
      }
    }
  }
};
