// `npm start` builds the web app when there is no build yet (a fresh clone), and otherwise starts at once.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

if (!existsSync(new URL('../web/build/handler.js', import.meta.url))) {
  console.log('Building the web app (first start only)…');
  execSync('npx vite build', { stdio: 'inherit' });
}
