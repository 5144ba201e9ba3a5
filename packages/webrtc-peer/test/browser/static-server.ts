// Serves the built bundles (/dist/...) and the test pages to Chromium, on 127.0.0.1 only (a
// secure context, so getUserMedia works). pages/*.ts are type-checked with the tests and served
// as JavaScript, transpiled on request.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const here = dirname(fileURLToPath(import.meta.url));
const roots = { '/dist/': join(here, '../../dist'), '/': join(here, 'pages') };
const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
};

async function load(urlPath: string): Promise<{ body: string | Buffer; type: string }> {
  const [prefix, root] = Object.entries(roots).find(([mount]) => urlPath.startsWith(mount)) ?? [];
  if (!prefix || !root) throw new Error('not found');
  const file = normalize(join(root, urlPath.slice(prefix.length)));
  if (!file.startsWith(root + sep)) throw new Error('outside the served folders');
  if (root.endsWith('pages') && extname(file) === '.js') {
    const source = await readFile(file.replace(/\.js$/, '.ts'), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    return { body: outputText, type: contentTypes['.js'] ?? '' };
  }
  return { body: await readFile(file), type: contentTypes[extname(file)] ?? 'text/plain' };
}

const port = Number(process.argv[2] ?? 41731);
createServer((request, response) => {
  const urlPath = new URL(request.url ?? '/', 'http://localhost').pathname;
  load(urlPath).then(
    ({ body, type }) => response.writeHead(200, { 'content-type': type }).end(body),
    () => response.writeHead(404).end(),
  );
}).listen(port, '127.0.0.1', () => console.log(`test pages on http://127.0.0.1:${port}`));
