import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [sveltekit()],
  // Fastify hoists cookie@2; SvelteKit needs its own cookie@0.6 bundled (STACK.md pitfall 1).
  ssr: { noExternal: ['cookie'] },
  server: { proxy: { '/api': { target: 'http://127.0.0.1:3000', ws: true } } }
});
